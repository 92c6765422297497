package dev.infercost.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The Llama decoder's device kernels, written as TornadoVM {@link KernelContext} kernels (OpenCL / PTX / SPIR-V
 * are generated from this Java by TornadoVM's Graal-based JIT). The forward pass is the one of llama2.c run.c
 * (RMSNorm, RoPE on adjacent pairs, grouped-query attention, SwiGLU), batched over rows.
 *
 * <p>Every kernel reads the step descriptor {@code meta}: {@code meta[0]} = n, the rows in this step, and for
 * row b: {@code meta[1+3b]} token id, {@code meta[2+3b]} KV-cache slot, {@code meta[3+3b]} position. Grids are
 * sized for the session's row capacity; rows {@code b >= n} do nothing (the test is uniform per work-group, so
 * barriers stay legal). Activations are row-major {@code [rows, width]}.
 *
 * <p>Weights stay in their file layout: F32 as floats, F16 as raw IEEE-754 half bits (ShortArray), Q8_0 as
 * GGML blocks of 34 raw bytes (fp16 scale d, then 32 int8 q; value = d * q, ggml-common.h block_q8_0),
 * decoded inside the kernels by {@link #halfToFloat} with integer arithmetic only (TornadoVM's OpenCL backend
 * has no bit reinterpretation, and its HalfFloat types fail on PoCL).
 *
 * <p>Reductions (RMSNorm sum of squares, dot products, softmax max and sum, argmax) are work-group tree
 * reductions in local memory; {@code wg} is the work-group size (a power of two chosen from the device's
 * maximum; 1 on CPU devices), and must equal the local size the {@code GridScheduler} gives the task. Scalar
 * kernel parameters (dim, wg, ...) are compile-time constants: TornadoVM specialises each task's kernel on them.
 *
 * <p>Products have two paths chosen per step by n (uniform, so barriers stay legal): n == 1 (batch-1 decode) sums
 * 4 adjacent elements of one activation row into 4 independent accumulators; n > 1 reads each weight quad once for
 * blocks of 4 activation rows (16 or 48 independent sums). Independent sums matter on CPU OpenCL (PoCL), where a
 * single add chain compiles to latency-bound scalar FMAs; on GPUs each thread then loads 4 adjacent elements.
 */
public final class LlamaKernels {
    private LlamaKernels() {}

    /** Sentinel below every real logit / score (finite, so exp(NEG - m) is 0 without NaN). */
    static final float NEG = -1e30f;

    /**
     * IEEE-754 binary16 bits (low 16 bits of {@code h}) to float, exactly, without branches or division (so CPU
     * OpenCL compilers vectorise it; TornadoVM's OpenCL backend cannot reinterpret bits): value = m * 2^(e - 25)
     * with m = 1024 + mantissa, e = exponent for normals and m = mantissa, e = 1 for subnormals (mantissa * 2^-24);
     * both factors are exact floats, so the product is exact. Infinity/NaN (exponent 31) are not expected in
     * weights and decode as finite values of the 2^16 range.
     */
    public static float halfToFloat(int h) {
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        int m = exp == 0 ? mant : 1024 + mant;
        int e = exp == 0 ? 1 : exp == 31 ? 30 : exp;
        float v = m * (float) (1 << e) * (1.0f / 33554432.0f);
        return (h & 0x8000) != 0 ? -v : v;
    }

    /** Work-group tree sum of red[0..wg): afterwards red[0] holds it. Every work-item must call it (barriers). */
    static void reduceSums1(KernelContext c, float[] red, int lid, int wg) {
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
    }

    /**
     * Work-group tree sums of three local arrays red[0..wg), red[wg..2wg), red[2wg..3wg): afterwards red[0],
     * red[wg] and red[2wg] hold them. Every work-item must call it (barriers); TornadoVM inlines it.
     */
    static void reduceSums3(KernelContext c, float[] red, int lid, int wg) {
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
                red[wg + lid] += red[wg + lid + stride];
                red[2 * wg + lid] += red[2 * wg + lid + stride];
            }
        }
        c.localBarrier();
    }

    /**
     * Element loaders overloaded by weight array type: the F32 and F16 kernel helpers (e.g. {@code qkvRow1}) have the
     * same text and differ only in which loader overload javac binds; TornadoVM inlines both. KernelTemplateTest
     * checks that the two bodies stay identical.
     */
    static float ld(FloatArray w, int i) {
        return w.get(i);
    }

    /** F16 weight element i (raw half bits, see {@link #halfToFloat}). */
    static float ld(ShortArray w, int i) {
        return halfToFloat(w.get(i) & 0xFFFF);
    }

    /** Q8_0 element {@code idx} (row-major flat index) of a raw block array. */
    static float q8(ByteArray w, int idx) {
        int off = (idx >> 5) * 34;
        int h = (w.get(off) & 0xFF) | ((w.get(off + 1) & 0xFF) << 8);
        return halfToFloat(h) * w.get(off + 2 + (idx & 31));
    }

    // ---------------------------------------------------------------- embedding: x[b, :] = E[token_b, :]

    /** Token embedding lookup, F32 table {@code [vocab, dim]}. Grid: rows*dim (rounded up), any local size. */
    public static void embedF32(KernelContext c, FloatArray x, FloatArray emb, IntArray meta, int dim) {
        int i = c.globalIdx;
        int b = i / dim;
        if (b < meta.get(0)) {
            x.set(i, emb.get(meta.get(1 + 3 * b) * dim + i % dim));
        }
    }

    /** As {@link #embedF32} for an F16 table (raw half bits). */
    public static void embedF16(KernelContext c, FloatArray x, ShortArray emb, IntArray meta, int dim) {
        int i = c.globalIdx;
        int b = i / dim;
        if (b < meta.get(0)) {
            x.set(i, halfToFloat(emb.get(meta.get(1 + 3 * b) * dim + i % dim) & 0xFFFF));
        }
    }

    /** As {@link #embedF32} for a Q8_0 table (raw blocks). */
    public static void embedQ8(KernelContext c, FloatArray x, ByteArray emb, IntArray meta, int dim) {
        int i = c.globalIdx;
        int b = i / dim;
        if (b < meta.get(0)) {
            x.set(i, q8(emb, meta.get(1 + 3 * b) * dim + i % dim));
        }
    }

    // ---------------------------------------------------------------- RMSNorm

    /**
     * out[b, :] = w * x[b, :] / sqrt(mean(x[b, :]^2) + eps) (run.c rmsnorm). One work-group per row:
     * grid rows*wg, local wg.
     */
    public static void rmsnorm(KernelContext c, FloatArray out, FloatArray x, FloatArray w, IntArray meta, int dim, float eps, int wg) {
        int b = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        if (b < meta.get(0)) {
            int base = b * dim;
            float ss = 0.0f;
            for (int k = lid; k < dim; k += wg) {
                float v = x.get(base + k);
                ss += v * v;
            }
            red[lid] = ss;
            reduceSums1(c, red, lid, wg);
            float inv = 1.0f / TornadoMath.sqrt(red[0] / dim + eps);
            for (int k = lid; k < dim; k += wg) {
                out.set(base + k, w.get(k) * (inv * x.get(base + k)));
            }
        }
    }

    // ---------------------------------------------------------------- batched matrix products

    /**
     * Batched product out[b, r] (+)= sum_k W[r, k] * in[b, k] for the step's n rows b, W F32; W is
     * {@code [outDim, dim]}. One work-group per weight row r (grid outDim*wg, local wg): the row is read once per
     * 4 activation rows, each thread keeping 4 partial sums, then one local-memory tree reduction per 4 rows; a step of
     * one row (batch-1 decode) takes a single-row path instead of four identical products (10-20% less kernel time
     * per product on PoCL). {@code accumulate} = 1 adds to out (fused residual connection).
     */
    public static void matmulF32(KernelContext c, FloatArray out, FloatArray in, FloatArray w, IntArray meta,
                                 int dim, int outDim, int accumulate, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(4 * wg);
        int n = meta.get(0);
        int base = r * dim;
        int dim4 = dim / 4 * 4;
        if (n == 1) {
            // four independent sums over 4 adjacent elements: no serial add chain, and CPU compilers pack it
            float s0 = 0.0f;
            float s1 = 0.0f;
            float s2 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                s0 += w.get(base + k) * in.get(k);
                s1 += w.get(base + k + 1) * in.get(k + 1);
                s2 += w.get(base + k + 2) * in.get(k + 2);
                s3 += w.get(base + k + 3) * in.get(k + 3);
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                s0 += w.get(base + k) * in.get(k);
            }
            red[lid] = (s0 + s1) + (s2 + s3);
            reduceSums1(c, red, lid, wg);
            if (lid == 0) {
                float v = red[0];
                if (accumulate == 1) {
                    v += out.get(r);
                }
                out.set(r, v);
            }
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            // 4 activation rows x 4 adjacent elements: 16 independent sums per weight quad
            float a00 = 0.0f;
            float a01 = 0.0f;
            float a02 = 0.0f;
            float a03 = 0.0f;
            float a10 = 0.0f;
            float a11 = 0.0f;
            float a12 = 0.0f;
            float a13 = 0.0f;
            float a20 = 0.0f;
            float a21 = 0.0f;
            float a22 = 0.0f;
            float a23 = 0.0f;
            float a30 = 0.0f;
            float a31 = 0.0f;
            float a32 = 0.0f;
            float a33 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                float w0 = w.get(base + k);
                float w1 = w.get(base + k + 1);
                float w2 = w.get(base + k + 2);
                float w3 = w.get(base + k + 3);
                a00 += w0 * in.get(x0 + k);
                a01 += w1 * in.get(x0 + k + 1);
                a02 += w2 * in.get(x0 + k + 2);
                a03 += w3 * in.get(x0 + k + 3);
                a10 += w0 * in.get(x1 + k);
                a11 += w1 * in.get(x1 + k + 1);
                a12 += w2 * in.get(x1 + k + 2);
                a13 += w3 * in.get(x1 + k + 3);
                a20 += w0 * in.get(x2 + k);
                a21 += w1 * in.get(x2 + k + 1);
                a22 += w2 * in.get(x2 + k + 2);
                a23 += w3 * in.get(x2 + k + 3);
                a30 += w0 * in.get(x3 + k);
                a31 += w1 * in.get(x3 + k + 1);
                a32 += w2 * in.get(x3 + k + 2);
                a33 += w3 * in.get(x3 + k + 3);
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                float wv = w.get(base + k);
                a00 += wv * in.get(x0 + k);
                a10 += wv * in.get(x1 + k);
                a20 += wv * in.get(x2 + k);
                a30 += wv * in.get(x3 + k);
            }
            red[0 * wg + lid] = (a00 + a01) + (a02 + a03);
            red[1 * wg + lid] = (a10 + a11) + (a12 + a13);
            red[2 * wg + lid] = (a20 + a21) + (a22 + a23);
            red[3 * wg + lid] = (a30 + a31) + (a32 + a33);
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                int o = (b0 + j) * outDim + r;
                float v = red[j * wg];
                if (accumulate == 1) {
                    v += out.get(o);
                }
                out.set(o, v);
            }
            c.localBarrier();
        }
    }

    /**
     * Batched product out[b, r] (+)= sum_k W[r, k] * in[b, k] for the step's n rows b, W F16 (raw half bits, decoded in the kernel); W is
     * {@code [outDim, dim]}. One work-group per weight row r (grid outDim*wg, local wg): the row is read once per
     * 4 activation rows, each thread keeping 4 partial sums, then one local-memory tree reduction per 4 rows; a step of
     * one row (batch-1 decode) takes a single-row path instead of four identical products (10-20% less kernel time
     * per product on PoCL). {@code accumulate} = 1 adds to out (fused residual connection).
     */
    public static void matmulF16(KernelContext c, FloatArray out, FloatArray in, ShortArray w, IntArray meta,
                                 int dim, int outDim, int accumulate, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(4 * wg);
        int n = meta.get(0);
        int base = r * dim;
        int rowBlock = r * (dim / 32);
        if (n == 1) {
            // four independent sums over 4 adjacent elements (no serial add chain)
            int dim4 = dim / 4 * 4;
            float s0 = 0.0f;
            float s1 = 0.0f;
            float s2 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                s0 += halfToFloat(w.get(base + k) & 0xFFFF) * in.get(k);
                s1 += halfToFloat(w.get(base + k + 1) & 0xFFFF) * in.get(k + 1);
                s2 += halfToFloat(w.get(base + k + 2) & 0xFFFF) * in.get(k + 2);
                s3 += halfToFloat(w.get(base + k + 3) & 0xFFFF) * in.get(k + 3);
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                s0 += halfToFloat(w.get(base + k) & 0xFFFF) * in.get(k);
            }
            red[lid] = (s0 + s1) + (s2 + s3);
            reduceSums1(c, red, lid, wg);
            if (lid == 0) {
                float v = red[0];
                if (accumulate == 1) {
                    v += out.get(r);
                }
                out.set(r, v);
            }
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            float a0 = 0.0f;
            float a1 = 0.0f;
            float a2 = 0.0f;
            float a3 = 0.0f;
            for (int k = lid; k < dim; k += wg) {
                float wv = halfToFloat(w.get(base + k) & 0xFFFF);
                a0 += wv * in.get(x0 + k);
                a1 += wv * in.get(x1 + k);
                a2 += wv * in.get(x2 + k);
                a3 += wv * in.get(x3 + k);
            }
            red[0 * wg + lid] = a0;
            red[1 * wg + lid] = a1;
            red[2 * wg + lid] = a2;
            red[3 * wg + lid] = a3;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                int o = (b0 + j) * outDim + r;
                float v = red[j * wg];
                if (accumulate == 1) {
                    v += out.get(o);
                }
                out.set(o, v);
            }
            c.localBarrier();
        }
    }

    /**
     * Batched product out[b, r] (+)= sum_k W[r, k] * in[b, k] for the step's n rows b, W Q8_0 (raw 34-byte blocks along each row, dim a multiple of 32; each thread takes whole blocks, one scale decode per 32 products); W is
     * {@code [outDim, dim]}. One work-group per weight row r (grid outDim*wg, local wg): the row is read once per
     * 4 activation rows, each thread keeping 4 partial sums, then one local-memory tree reduction per 4 rows; a step of
     * one row (batch-1 decode) takes a single-row path instead of four identical products (10-20% less kernel time
     * per product on PoCL). {@code accumulate} = 1 adds to out (fused residual connection).
     */
    public static void matmulQ8(KernelContext c, FloatArray out, FloatArray in, ByteArray w, IntArray meta,
                                 int dim, int outDim, int accumulate, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(4 * wg);
        int n = meta.get(0);
        int base = r * dim;
        int rowBlock = r * (dim / 32);
        if (n == 1) {
            float a = 0.0f;
            for (int blk = lid; blk < dim / 32; blk += wg) {
                int off = (rowBlock + blk) * 34;
                float d = halfToFloat((w.get(off) & 0xFF) | ((w.get(off + 1) & 0xFF) << 8));
                int k0 = blk * 32;
                float t0 = 0.0f;
                float t1 = 0.0f;
                float t2 = 0.0f;
                float t3 = 0.0f;
                for (int e = 0; e < 32; e += 4) {
                    t0 += w.get(off + 2 + e) * in.get(k0 + e);
                    t1 += w.get(off + 3 + e) * in.get(k0 + e + 1);
                    t2 += w.get(off + 4 + e) * in.get(k0 + e + 2);
                    t3 += w.get(off + 5 + e) * in.get(k0 + e + 3);
                }
                a += d * ((t0 + t1) + (t2 + t3));
            }
            red[lid] = a;
            reduceSums1(c, red, lid, wg);
            if (lid == 0) {
                float v = red[0];
                if (accumulate == 1) {
                    v += out.get(r);
                }
                out.set(r, v);
            }
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            float a0 = 0.0f;
            float a1 = 0.0f;
            float a2 = 0.0f;
            float a3 = 0.0f;
            for (int blk = lid; blk < dim / 32; blk += wg) {
                int off = (rowBlock + blk) * 34;
                float d = halfToFloat((w.get(off) & 0xFF) | ((w.get(off + 1) & 0xFF) << 8));
                int k0 = blk * 32;
                float t0 = 0.0f;
                float t1 = 0.0f;
                float t2 = 0.0f;
                float t3 = 0.0f;
                for (int e = 0; e < 32; e++) {
                    float wv = w.get(off + 2 + e);
                    t0 += wv * in.get(x0 + k0 + e);
                    t1 += wv * in.get(x1 + k0 + e);
                    t2 += wv * in.get(x2 + k0 + e);
                    t3 += wv * in.get(x3 + k0 + e);
                }
                a0 += d * t0;
                a1 += d * t1;
                a2 += d * t2;
                a3 += d * t3;
            }
            red[0 * wg + lid] = a0;
            red[1 * wg + lid] = a1;
            red[2 * wg + lid] = a2;
            red[3 * wg + lid] = a3;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                int o = (b0 + j) * outDim + r;
                float v = red[j * wg];
                if (accumulate == 1) {
                    v += out.get(o);
                }
                out.set(o, v);
            }
            c.localBarrier();
        }
    }

    // ---------------------------------------------------------------- fused blocks (fewer launches per layer)

    /**
     * Batch-1 (one activation row) part of qkvRopeF32 (this overload) and qkvRopeF16 (the ShortArray one, same body) for one of the stacked weights (wq, wk or wv, whichever holds
     * the RoPE pair of rows wr, wr + 1): the two dot products with rmsW * x, the sum of squares for the norm, one
     * work-group reduction, then RoPE and the q / KV-cache store. Written once, called for wq, wk and wv;
     * TornadoVM inlines it, so the kernel is the same code as three copies.
     */
    static void qkvRow1(KernelContext c, float[] red, FloatArray w, FloatArray q, FloatArray keyCache, FloatArray valueCache,
                           FloatArray in, FloatArray rmsW, FloatArray cos, FloatArray sin, IntArray meta, int lid, int part, int wr,
                           int base, int rowBytes, int dim4, int dim, int kvDim, int headSize, int ctx, float eps, int wg) {
        // single activation row (batch-1 decode): 4 adjacent elements per iteration, 12 independent sums
        float p0 = 0.0f;
        float p1 = 0.0f;
        float p2 = 0.0f;
        float p3 = 0.0f;
        float u0 = 0.0f;
        float u1 = 0.0f;
        float u2 = 0.0f;
        float u3 = 0.0f;
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        for (int k = lid * 4; k < dim4; k += wg * 4) {
            float v0 = in.get(k);
            float gv0 = rmsW.get(k) * v0;
            p0 += ld(w, base + k) * gv0;
            u0 += ld(w, base + dim + k) * gv0;
            s0 += v0 * v0;
            float v1 = in.get(k + 1);
            float gv1 = rmsW.get(k + 1) * v1;
            p1 += ld(w, base + k + 1) * gv1;
            u1 += ld(w, base + dim + k + 1) * gv1;
            s1 += v1 * v1;
            float v2 = in.get(k + 2);
            float gv2 = rmsW.get(k + 2) * v2;
            p2 += ld(w, base + k + 2) * gv2;
            u2 += ld(w, base + dim + k + 2) * gv2;
            s2 += v2 * v2;
            float v3 = in.get(k + 3);
            float gv3 = rmsW.get(k + 3) * v3;
            p3 += ld(w, base + k + 3) * gv3;
            u3 += ld(w, base + dim + k + 3) * gv3;
            s3 += v3 * v3;
        }
        for (int k = dim4 + lid; k < dim; k += wg) {
            float v = in.get(k);
            float gv = rmsW.get(k) * v;
            p0 += ld(w, base + k) * gv;
            u0 += ld(w, base + dim + k) * gv;
            s0 += v * v;
        }
        red[lid] = (p0 + p1) + (p2 + p3);
        red[wg + lid] = (u0 + u1) + (u2 + u3);
        red[2 * wg + lid] = (s0 + s1) + (s2 + s3);
        reduceSums3(c, red, lid, wg);
        if (lid == 0) {
            storeQkv(q, keyCache, valueCache, cos, sin, meta, 0, part, wr, red[0], red[wg],
                    1.0f / TornadoMath.sqrt(red[2 * wg] / dim + eps), dim, kvDim, headSize, ctx);
        }
    }

    /**
     * Batch-1 (one activation row) part of qkvRopeF16; the same body as the FloatArray overload (F32) for one of the stacked weights (wq, wk or wv, whichever holds
     * the RoPE pair of rows wr, wr + 1): the two dot products with rmsW * x, the sum of squares for the norm, one
     * work-group reduction, then RoPE and the q / KV-cache store. Written once, called for wq, wk and wv;
     * TornadoVM inlines it, so the kernel is the same code as three copies.
     */
    static void qkvRow1(KernelContext c, float[] red, ShortArray w, FloatArray q, FloatArray keyCache, FloatArray valueCache,
                           FloatArray in, FloatArray rmsW, FloatArray cos, FloatArray sin, IntArray meta, int lid, int part, int wr,
                           int base, int rowBytes, int dim4, int dim, int kvDim, int headSize, int ctx, float eps, int wg) {
        // single activation row (batch-1 decode): 4 adjacent elements per iteration, 12 independent sums
        float p0 = 0.0f;
        float p1 = 0.0f;
        float p2 = 0.0f;
        float p3 = 0.0f;
        float u0 = 0.0f;
        float u1 = 0.0f;
        float u2 = 0.0f;
        float u3 = 0.0f;
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        for (int k = lid * 4; k < dim4; k += wg * 4) {
            float v0 = in.get(k);
            float gv0 = rmsW.get(k) * v0;
            p0 += ld(w, base + k) * gv0;
            u0 += ld(w, base + dim + k) * gv0;
            s0 += v0 * v0;
            float v1 = in.get(k + 1);
            float gv1 = rmsW.get(k + 1) * v1;
            p1 += ld(w, base + k + 1) * gv1;
            u1 += ld(w, base + dim + k + 1) * gv1;
            s1 += v1 * v1;
            float v2 = in.get(k + 2);
            float gv2 = rmsW.get(k + 2) * v2;
            p2 += ld(w, base + k + 2) * gv2;
            u2 += ld(w, base + dim + k + 2) * gv2;
            s2 += v2 * v2;
            float v3 = in.get(k + 3);
            float gv3 = rmsW.get(k + 3) * v3;
            p3 += ld(w, base + k + 3) * gv3;
            u3 += ld(w, base + dim + k + 3) * gv3;
            s3 += v3 * v3;
        }
        for (int k = dim4 + lid; k < dim; k += wg) {
            float v = in.get(k);
            float gv = rmsW.get(k) * v;
            p0 += ld(w, base + k) * gv;
            u0 += ld(w, base + dim + k) * gv;
            s0 += v * v;
        }
        red[lid] = (p0 + p1) + (p2 + p3);
        red[wg + lid] = (u0 + u1) + (u2 + u3);
        red[2 * wg + lid] = (s0 + s1) + (s2 + s3);
        reduceSums3(c, red, lid, wg);
        if (lid == 0) {
            storeQkv(q, keyCache, valueCache, cos, sin, meta, 0, part, wr, red[0], red[wg],
                    1.0f / TornadoMath.sqrt(red[2 * wg] / dim + eps), dim, kvDim, headSize, ctx);
        }
    }

    /**
     * Batch-1 (one activation row) part of qkvRopeQ8 for one of the stacked weights (wq, wk or wv, whichever holds
     * the RoPE pair of rows wr, wr + 1): the two dot products with rmsW * x, the sum of squares for the norm, one
     * work-group reduction, then RoPE and the q / KV-cache store. Written once, called for wq, wk and wv;
     * TornadoVM inlines it, so the kernel is the same code as three copies.
     */
    static void qkvRow1Q8(KernelContext c, float[] red, ByteArray w, FloatArray q, FloatArray keyCache, FloatArray valueCache,
                           FloatArray in, FloatArray rmsW, FloatArray cos, FloatArray sin, IntArray meta, int lid, int part, int wr,
                           int base, int rowBytes, int dim4, int dim, int kvDim, int headSize, int ctx, float eps, int wg) {
        // single activation row: whole Q8_0 blocks of rows wr and wr + 1, one scale decode per 32 weights
        float p = 0.0f;
        float u = 0.0f;
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        for (int blk = lid; blk < dim / 32; blk += wg) {
            int o0 = rowBytes + blk * 34;
            int o1 = o0 + (dim / 32) * 34;
            float d0 = halfToFloat((w.get(o0) & 0xFF) | ((w.get(o0 + 1) & 0xFF) << 8));
            float d1 = halfToFloat((w.get(o1) & 0xFF) | ((w.get(o1 + 1) & 0xFF) << 8));
            float tp0 = 0.0f;
            float tp1 = 0.0f;
            float tp2 = 0.0f;
            float tp3 = 0.0f;
            float tu0 = 0.0f;
            float tu1 = 0.0f;
            float tu2 = 0.0f;
            float tu3 = 0.0f;
            for (int e = 0; e < 32; e += 4) {
                float v0 = in.get(blk * 32 + e);
                float gv0 = rmsW.get(blk * 32 + e) * v0;
                tp0 += w.get(o0 + 2 + e) * gv0;
                tu0 += w.get(o1 + 2 + e) * gv0;
                s0 += v0 * v0;
                float v1 = in.get(blk * 32 + e + 1);
                float gv1 = rmsW.get(blk * 32 + e + 1) * v1;
                tp1 += w.get(o0 + 2 + e + 1) * gv1;
                tu1 += w.get(o1 + 2 + e + 1) * gv1;
                s1 += v1 * v1;
                float v2 = in.get(blk * 32 + e + 2);
                float gv2 = rmsW.get(blk * 32 + e + 2) * v2;
                tp2 += w.get(o0 + 2 + e + 2) * gv2;
                tu2 += w.get(o1 + 2 + e + 2) * gv2;
                s2 += v2 * v2;
                float v3 = in.get(blk * 32 + e + 3);
                float gv3 = rmsW.get(blk * 32 + e + 3) * v3;
                tp3 += w.get(o0 + 2 + e + 3) * gv3;
                tu3 += w.get(o1 + 2 + e + 3) * gv3;
                s3 += v3 * v3;
            }
            p += d0 * ((tp0 + tp1) + (tp2 + tp3));
            u += d1 * ((tu0 + tu1) + (tu2 + tu3));
        }
        red[lid] = p;
        red[wg + lid] = u;
        red[2 * wg + lid] = (s0 + s1) + (s2 + s3);
        reduceSums3(c, red, lid, wg);
        if (lid == 0) {
            storeQkv(q, keyCache, valueCache, cos, sin, meta, 0, part, wr, red[0], red[wg],
                    1.0f / TornadoMath.sqrt(red[2 * wg] / dim + eps), dim, kvDim, headSize, ctx);
        }
    }

    /**
     * Attention input block, fused: RMSNorm of x[b] (weight rmsW), the Q, K and V projections, RoPE, and the
     * store of k and v into the KV cache {@code [slots, ctx, kvDim]} at (slot, pos). Work-group p computes the
     * adjacent output rows (2p, 2p+1) of the stacked [Wq; Wk; Wv] (a RoPE pair) for every row b of the step, 4
     * rows per reduction, using dot(w, rmsW * x) / rms(x) = dot(w, rmsnorm(x)), so the norm costs no extra pass or
     * launch. Grid (dim + 2*kvDim)/2 work-groups of wg. Weights F32.
     */
    public static void qkvRopeF32(KernelContext c, FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray in,
                                  FloatArray rmsW, FloatArray wq, FloatArray wk, FloatArray wv, FloatArray cos, FloatArray sin, IntArray meta,
                                  int dim, int kvDim, int headSize, int ctx, float eps, int wg) {
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(12 * wg);
        int row = 2 * c.groupIdx;
        int part = 2;
        int wr = row - dim - kvDim;
        if (row < dim) {
            part = 0;
            wr = row;
        } else if (row < dim + kvDim) {
            part = 1;
            wr = row - dim;
        }
        int base = wr * dim;
        int rowBytes = wr * (dim / 32) * 34;
        int n = meta.get(0);
        int dim4 = dim / 4 * 4;
        if (n == 1 && part == 0) {
            qkvRow1(c, red, wq, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        if (n == 1 && part == 1) {
            qkvRow1(c, red, wk, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        if (n == 1 && part == 2) {
            qkvRow1(c, red, wv, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            // 4 activation rows x 4 adjacent elements: 48 independent sums per weight quad
            float p00 = 0.0f;
            float p01 = 0.0f;
            float p02 = 0.0f;
            float p03 = 0.0f;
            float u00 = 0.0f;
            float u01 = 0.0f;
            float u02 = 0.0f;
            float u03 = 0.0f;
            float s00 = 0.0f;
            float s01 = 0.0f;
            float s02 = 0.0f;
            float s03 = 0.0f;
            float p10 = 0.0f;
            float p11 = 0.0f;
            float p12 = 0.0f;
            float p13 = 0.0f;
            float u10 = 0.0f;
            float u11 = 0.0f;
            float u12 = 0.0f;
            float u13 = 0.0f;
            float s10 = 0.0f;
            float s11 = 0.0f;
            float s12 = 0.0f;
            float s13 = 0.0f;
            float p20 = 0.0f;
            float p21 = 0.0f;
            float p22 = 0.0f;
            float p23 = 0.0f;
            float u20 = 0.0f;
            float u21 = 0.0f;
            float u22 = 0.0f;
            float u23 = 0.0f;
            float s20 = 0.0f;
            float s21 = 0.0f;
            float s22 = 0.0f;
            float s23 = 0.0f;
            float p30 = 0.0f;
            float p31 = 0.0f;
            float p32 = 0.0f;
            float p33 = 0.0f;
            float u30 = 0.0f;
            float u31 = 0.0f;
            float u32 = 0.0f;
            float u33 = 0.0f;
            float s30 = 0.0f;
            float s31 = 0.0f;
            float s32 = 0.0f;
            float s33 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                float g0 = rmsW.get(k);
                float g1 = rmsW.get(k + 1);
                float g2 = rmsW.get(k + 2);
                float g3 = rmsW.get(k + 3);
                float wa0 = 0.0f;
                float wb0 = 0.0f;
                float wa1 = 0.0f;
                float wb1 = 0.0f;
                float wa2 = 0.0f;
                float wb2 = 0.0f;
                float wa3 = 0.0f;
                float wb3 = 0.0f;
                if (part == 0) {
                    wa0 = wq.get(base + k) * g0;
                    wb0 = wq.get(base + dim + k) * g0;
                    wa1 = wq.get(base + k + 1) * g1;
                    wb1 = wq.get(base + dim + k + 1) * g1;
                    wa2 = wq.get(base + k + 2) * g2;
                    wb2 = wq.get(base + dim + k + 2) * g2;
                    wa3 = wq.get(base + k + 3) * g3;
                    wb3 = wq.get(base + dim + k + 3) * g3;
                } else if (part == 1) {
                    wa0 = wk.get(base + k) * g0;
                    wb0 = wk.get(base + dim + k) * g0;
                    wa1 = wk.get(base + k + 1) * g1;
                    wb1 = wk.get(base + dim + k + 1) * g1;
                    wa2 = wk.get(base + k + 2) * g2;
                    wb2 = wk.get(base + dim + k + 2) * g2;
                    wa3 = wk.get(base + k + 3) * g3;
                    wb3 = wk.get(base + dim + k + 3) * g3;
                } else {
                    wa0 = wv.get(base + k) * g0;
                    wb0 = wv.get(base + dim + k) * g0;
                    wa1 = wv.get(base + k + 1) * g1;
                    wb1 = wv.get(base + dim + k + 1) * g1;
                    wa2 = wv.get(base + k + 2) * g2;
                    wb2 = wv.get(base + dim + k + 2) * g2;
                    wa3 = wv.get(base + k + 3) * g3;
                    wb3 = wv.get(base + dim + k + 3) * g3;
                }
                float v00 = in.get(x0 + k);
                p00 += wa0 * v00;
                u00 += wb0 * v00;
                s00 += v00 * v00;
                float v01 = in.get(x0 + k + 1);
                p01 += wa1 * v01;
                u01 += wb1 * v01;
                s01 += v01 * v01;
                float v02 = in.get(x0 + k + 2);
                p02 += wa2 * v02;
                u02 += wb2 * v02;
                s02 += v02 * v02;
                float v03 = in.get(x0 + k + 3);
                p03 += wa3 * v03;
                u03 += wb3 * v03;
                s03 += v03 * v03;
                float v10 = in.get(x1 + k);
                p10 += wa0 * v10;
                u10 += wb0 * v10;
                s10 += v10 * v10;
                float v11 = in.get(x1 + k + 1);
                p11 += wa1 * v11;
                u11 += wb1 * v11;
                s11 += v11 * v11;
                float v12 = in.get(x1 + k + 2);
                p12 += wa2 * v12;
                u12 += wb2 * v12;
                s12 += v12 * v12;
                float v13 = in.get(x1 + k + 3);
                p13 += wa3 * v13;
                u13 += wb3 * v13;
                s13 += v13 * v13;
                float v20 = in.get(x2 + k);
                p20 += wa0 * v20;
                u20 += wb0 * v20;
                s20 += v20 * v20;
                float v21 = in.get(x2 + k + 1);
                p21 += wa1 * v21;
                u21 += wb1 * v21;
                s21 += v21 * v21;
                float v22 = in.get(x2 + k + 2);
                p22 += wa2 * v22;
                u22 += wb2 * v22;
                s22 += v22 * v22;
                float v23 = in.get(x2 + k + 3);
                p23 += wa3 * v23;
                u23 += wb3 * v23;
                s23 += v23 * v23;
                float v30 = in.get(x3 + k);
                p30 += wa0 * v30;
                u30 += wb0 * v30;
                s30 += v30 * v30;
                float v31 = in.get(x3 + k + 1);
                p31 += wa1 * v31;
                u31 += wb1 * v31;
                s31 += v31 * v31;
                float v32 = in.get(x3 + k + 2);
                p32 += wa2 * v32;
                u32 += wb2 * v32;
                s32 += v32 * v32;
                float v33 = in.get(x3 + k + 3);
                p33 += wa3 * v33;
                u33 += wb3 * v33;
                s33 += v33 * v33;
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                float g = rmsW.get(k);
                float wa = 0.0f;
                float wb = 0.0f;
                if (part == 0) {
                    wa = wq.get(base + k) * g;
                    wb = wq.get(base + dim + k) * g;
                } else if (part == 1) {
                    wa = wk.get(base + k) * g;
                    wb = wk.get(base + dim + k) * g;
                } else {
                    wa = wv.get(base + k) * g;
                    wb = wv.get(base + dim + k) * g;
                }
                float v0 = in.get(x0 + k);
                p00 += wa * v0;
                u00 += wb * v0;
                s00 += v0 * v0;
                float v1 = in.get(x1 + k);
                p10 += wa * v1;
                u10 += wb * v1;
                s10 += v1 * v1;
                float v2 = in.get(x2 + k);
                p20 += wa * v2;
                u20 += wb * v2;
                s20 += v2 * v2;
                float v3 = in.get(x3 + k);
                p30 += wa * v3;
                u30 += wb * v3;
                s30 += v3 * v3;
            }
            red[0 * wg + lid] = (p00 + p01) + (p02 + p03);
            red[1 * wg + lid] = (u00 + u01) + (u02 + u03);
            red[2 * wg + lid] = (s00 + s01) + (s02 + s03);
            red[3 * wg + lid] = (p10 + p11) + (p12 + p13);
            red[4 * wg + lid] = (u10 + u11) + (u12 + u13);
            red[5 * wg + lid] = (s10 + s11) + (s12 + s13);
            red[6 * wg + lid] = (p20 + p21) + (p22 + p23);
            red[7 * wg + lid] = (u20 + u21) + (u22 + u23);
            red[8 * wg + lid] = (s20 + s21) + (s22 + s23);
            red[9 * wg + lid] = (p30 + p31) + (p32 + p33);
            red[10 * wg + lid] = (u30 + u31) + (u32 + u33);
            red[11 * wg + lid] = (s30 + s31) + (s32 + s33);
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                    red[4 * wg + lid] += red[4 * wg + lid + stride];
                    red[5 * wg + lid] += red[5 * wg + lid + stride];
                    red[6 * wg + lid] += red[6 * wg + lid + stride];
                    red[7 * wg + lid] += red[7 * wg + lid + stride];
                    red[8 * wg + lid] += red[8 * wg + lid + stride];
                    red[9 * wg + lid] += red[9 * wg + lid + stride];
                    red[10 * wg + lid] += red[10 * wg + lid + stride];
                    red[11 * wg + lid] += red[11 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                storeQkv(q, keyCache, valueCache, cos, sin, meta, b0 + j, part, wr, red[(3 * j) * wg], red[(3 * j + 1) * wg],
                        1.0f / TornadoMath.sqrt(red[(3 * j + 2) * wg] / dim + eps), dim, kvDim, headSize, ctx);
            }
            c.localBarrier();
        }
    }

    /**
     * Attention input block, fused: RMSNorm of x[b] (weight rmsW), the Q, K and V projections, RoPE, and the
     * store of k and v into the KV cache {@code [slots, ctx, kvDim]} at (slot, pos). Work-group p computes the
     * adjacent output rows (2p, 2p+1) of the stacked [Wq; Wk; Wv] (a RoPE pair) for every row b of the step, 4
     * rows per reduction, using dot(w, rmsW * x) / rms(x) = dot(w, rmsnorm(x)), so the norm costs no extra pass or
     * launch. Grid (dim + 2*kvDim)/2 work-groups of wg. Weights F16.
     */
    public static void qkvRopeF16(KernelContext c, FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray in,
                                  FloatArray rmsW, ShortArray wq, ShortArray wk, ShortArray wv, FloatArray cos, FloatArray sin, IntArray meta,
                                  int dim, int kvDim, int headSize, int ctx, float eps, int wg) {
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(12 * wg);
        int row = 2 * c.groupIdx;
        int part = 2;
        int wr = row - dim - kvDim;
        if (row < dim) {
            part = 0;
            wr = row;
        } else if (row < dim + kvDim) {
            part = 1;
            wr = row - dim;
        }
        int base = wr * dim;
        int rowBytes = wr * (dim / 32) * 34;
        int n = meta.get(0);
        int dim4 = dim / 4 * 4;
        if (n == 1 && part == 0) {
            qkvRow1(c, red, wq, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        if (n == 1 && part == 1) {
            qkvRow1(c, red, wk, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        if (n == 1 && part == 2) {
            qkvRow1(c, red, wv, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            float p0 = 0.0f;
            float u0 = 0.0f;
            float s0 = 0.0f;
            float p1 = 0.0f;
            float u1 = 0.0f;
            float s1 = 0.0f;
            float p2 = 0.0f;
            float u2 = 0.0f;
            float s2 = 0.0f;
            float p3 = 0.0f;
            float u3 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid; k < dim; k += wg) {
                float g = rmsW.get(k);
                float w0 = 0.0f;
                float w1 = 0.0f;
                if (part == 0) {
                    w0 = halfToFloat(wq.get(base + k) & 0xFFFF) * g;
                    w1 = halfToFloat(wq.get(base + dim + k) & 0xFFFF) * g;
                } else if (part == 1) {
                    w0 = halfToFloat(wk.get(base + k) & 0xFFFF) * g;
                    w1 = halfToFloat(wk.get(base + dim + k) & 0xFFFF) * g;
                } else {
                    w0 = halfToFloat(wv.get(base + k) & 0xFFFF) * g;
                    w1 = halfToFloat(wv.get(base + dim + k) & 0xFFFF) * g;
                }
                float v0 = in.get(x0 + k);
                p0 += w0 * v0;
                u0 += w1 * v0;
                s0 += v0 * v0;
                float v1 = in.get(x1 + k);
                p1 += w0 * v1;
                u1 += w1 * v1;
                s1 += v1 * v1;
                float v2 = in.get(x2 + k);
                p2 += w0 * v2;
                u2 += w1 * v2;
                s2 += v2 * v2;
                float v3 = in.get(x3 + k);
                p3 += w0 * v3;
                u3 += w1 * v3;
                s3 += v3 * v3;
            }
            red[0 * wg + lid] = p0;
            red[1 * wg + lid] = u0;
            red[2 * wg + lid] = s0;
            red[3 * wg + lid] = p1;
            red[4 * wg + lid] = u1;
            red[5 * wg + lid] = s1;
            red[6 * wg + lid] = p2;
            red[7 * wg + lid] = u2;
            red[8 * wg + lid] = s2;
            red[9 * wg + lid] = p3;
            red[10 * wg + lid] = u3;
            red[11 * wg + lid] = s3;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                    red[4 * wg + lid] += red[4 * wg + lid + stride];
                    red[5 * wg + lid] += red[5 * wg + lid + stride];
                    red[6 * wg + lid] += red[6 * wg + lid + stride];
                    red[7 * wg + lid] += red[7 * wg + lid + stride];
                    red[8 * wg + lid] += red[8 * wg + lid + stride];
                    red[9 * wg + lid] += red[9 * wg + lid + stride];
                    red[10 * wg + lid] += red[10 * wg + lid + stride];
                    red[11 * wg + lid] += red[11 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                storeQkv(q, keyCache, valueCache, cos, sin, meta, b0 + j, part, wr, red[(3 * j) * wg], red[(3 * j + 1) * wg],
                        1.0f / TornadoMath.sqrt(red[(3 * j + 2) * wg] / dim + eps), dim, kvDim, headSize, ctx);
            }
            c.localBarrier();
        }
    }

    /**
     * Attention input block, fused: RMSNorm of x[b] (weight rmsW), the Q, K and V projections, RoPE, and the
     * store of k and v into the KV cache {@code [slots, ctx, kvDim]} at (slot, pos). Work-group p computes the
     * adjacent output rows (2p, 2p+1) of the stacked [Wq; Wk; Wv] (a RoPE pair) for every row b of the step, 4
     * rows per reduction, using dot(w, rmsW * x) / rms(x) = dot(w, rmsnorm(x)), so the norm costs no extra pass or
     * launch. Grid (dim + 2*kvDim)/2 work-groups of wg. Weights Q8.
     */
    public static void qkvRopeQ8(KernelContext c, FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray in,
                                  FloatArray rmsW, ByteArray wq, ByteArray wk, ByteArray wv, FloatArray cos, FloatArray sin, IntArray meta,
                                  int dim, int kvDim, int headSize, int ctx, float eps, int wg) {
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(12 * wg);
        int row = 2 * c.groupIdx;
        int part = 2;
        int wr = row - dim - kvDim;
        if (row < dim) {
            part = 0;
            wr = row;
        } else if (row < dim + kvDim) {
            part = 1;
            wr = row - dim;
        }
        int base = wr * dim;
        int rowBytes = wr * (dim / 32) * 34;
        int n = meta.get(0);
        int dim4 = dim / 4 * 4;
        if (n == 1 && part == 0) {
            qkvRow1Q8(c, red, wq, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        if (n == 1 && part == 1) {
            qkvRow1Q8(c, red, wk, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        if (n == 1 && part == 2) {
            qkvRow1Q8(c, red, wv, q, keyCache, valueCache, in, rmsW, cos, sin, meta, lid, part, wr, base, rowBytes, dim4, dim,
                    kvDim, headSize, ctx, eps, wg);
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            float p0 = 0.0f;
            float u0 = 0.0f;
            float s0 = 0.0f;
            float p1 = 0.0f;
            float u1 = 0.0f;
            float s1 = 0.0f;
            float p2 = 0.0f;
            float u2 = 0.0f;
            float s2 = 0.0f;
            float p3 = 0.0f;
            float u3 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid; k < dim; k += wg) {
                float g = rmsW.get(k);
                float w0 = 0.0f;
                float w1 = 0.0f;
                if (part == 0) {
                    w0 = q8(wq, base + k) * g;
                    w1 = q8(wq, base + dim + k) * g;
                } else if (part == 1) {
                    w0 = q8(wk, base + k) * g;
                    w1 = q8(wk, base + dim + k) * g;
                } else {
                    w0 = q8(wv, base + k) * g;
                    w1 = q8(wv, base + dim + k) * g;
                }
                float v0 = in.get(x0 + k);
                p0 += w0 * v0;
                u0 += w1 * v0;
                s0 += v0 * v0;
                float v1 = in.get(x1 + k);
                p1 += w0 * v1;
                u1 += w1 * v1;
                s1 += v1 * v1;
                float v2 = in.get(x2 + k);
                p2 += w0 * v2;
                u2 += w1 * v2;
                s2 += v2 * v2;
                float v3 = in.get(x3 + k);
                p3 += w0 * v3;
                u3 += w1 * v3;
                s3 += v3 * v3;
            }
            red[0 * wg + lid] = p0;
            red[1 * wg + lid] = u0;
            red[2 * wg + lid] = s0;
            red[3 * wg + lid] = p1;
            red[4 * wg + lid] = u1;
            red[5 * wg + lid] = s1;
            red[6 * wg + lid] = p2;
            red[7 * wg + lid] = u2;
            red[8 * wg + lid] = s2;
            red[9 * wg + lid] = p3;
            red[10 * wg + lid] = u3;
            red[11 * wg + lid] = s3;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                    red[4 * wg + lid] += red[4 * wg + lid + stride];
                    red[5 * wg + lid] += red[5 * wg + lid + stride];
                    red[6 * wg + lid] += red[6 * wg + lid + stride];
                    red[7 * wg + lid] += red[7 * wg + lid + stride];
                    red[8 * wg + lid] += red[8 * wg + lid + stride];
                    red[9 * wg + lid] += red[9 * wg + lid + stride];
                    red[10 * wg + lid] += red[10 * wg + lid + stride];
                    red[11 * wg + lid] += red[11 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                storeQkv(q, keyCache, valueCache, cos, sin, meta, b0 + j, part, wr, red[(3 * j) * wg], red[(3 * j + 1) * wg],
                        1.0f / TornadoMath.sqrt(red[(3 * j + 2) * wg] / dim + eps), dim, kvDim, headSize, ctx);
            }
            c.localBarrier();
        }
    }

    /**
     * Lane j of {@link #qkvRopeF32} (and its F16/Q8 twins) for row b: scales the two dot products by the RMS factor, rotates Q/K pairs by RoPE
     * (tables cos/sin {@code [ctx, headSize/2]}, pair index (wr mod headSize)/2) and stores q, or k / v into the cache.
     */
    static void storeQkv(FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray cos, FloatArray sin, IntArray meta,
                         int b, int part, int wr, float d0, float d1, float inv, int dim, int kvDim, int headSize, int ctx) {
        float a = d0 * inv;
        float bb = d1 * inv;
        int slot = meta.get(2 + 3 * b);
        int pos = meta.get(3 + 3 * b);
        int co = (slot * ctx + pos) * kvDim + wr;
        if (part == 2) {
            valueCache.set(co, a);
            valueCache.set(co + 1, bb);
        } else {
            int t = pos * (headSize / 2) + (wr % headSize) / 2;
            float fc = cos.get(t);
            float fs = sin.get(t);
            float ra = a * fc - bb * fs;
            float rb = a * fs + bb * fc;
            if (part == 0) {
                q.set(b * dim + wr, ra);
                q.set(b * dim + wr + 1, rb);
            } else {
                keyCache.set(co, ra);
                keyCache.set(co + 1, rb);
            }
        }
    }


    /**
     * FFN input block, fused: RMSNorm of x[b] (weight rmsW), then SwiGLU hb[b, r] = silu(W1[r]·xn) * (W3[r]·xn),
     * silu(a) = a / (1 + e^-a) (run.c), xn = rmsnorm(x[b]). One work-group per hidden unit r (grid hidden*wg),
     * 4 activation rows per reduction. Weights F32.
     */
    public static void ffnF32(KernelContext c, FloatArray hb, FloatArray in, FloatArray rmsW, FloatArray w1, FloatArray w3, IntArray meta,
                              int dim, int hidden, float eps, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(12 * wg);
        int n = meta.get(0);
        int base = r * dim;
        int rowBytes = r * (dim / 32) * 34;
        int dim4 = dim / 4 * 4;
        if (n == 1) {
            // single activation row (batch-1 decode): 4 adjacent elements per iteration, 12 independent sums
            float p0 = 0.0f;
            float p1 = 0.0f;
            float p2 = 0.0f;
            float p3 = 0.0f;
            float u0 = 0.0f;
            float u1 = 0.0f;
            float u2 = 0.0f;
            float u3 = 0.0f;
            float s0 = 0.0f;
            float s1 = 0.0f;
            float s2 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                float g0 = rmsW.get(k);
                float v0 = in.get(k);
                float gv0 = g0 * v0;
                p0 += w1.get(base + k) * gv0;
                u0 += w3.get(base + k) * gv0;
                s0 += v0 * v0;
                float g1 = rmsW.get(k + 1);
                float v1 = in.get(k + 1);
                float gv1 = g1 * v1;
                p1 += w1.get(base + k + 1) * gv1;
                u1 += w3.get(base + k + 1) * gv1;
                s1 += v1 * v1;
                float g2 = rmsW.get(k + 2);
                float v2 = in.get(k + 2);
                float gv2 = g2 * v2;
                p2 += w1.get(base + k + 2) * gv2;
                u2 += w3.get(base + k + 2) * gv2;
                s2 += v2 * v2;
                float g3 = rmsW.get(k + 3);
                float v3 = in.get(k + 3);
                float gv3 = g3 * v3;
                p3 += w1.get(base + k + 3) * gv3;
                u3 += w3.get(base + k + 3) * gv3;
                s3 += v3 * v3;
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                float v = in.get(k);
                float gv = rmsW.get(k) * v;
                p0 += w1.get(base + k) * gv;
                u0 += w3.get(base + k) * gv;
                s0 += v * v;
            }
            red[lid] = (p0 + p1) + (p2 + p3);
            red[wg + lid] = (u0 + u1) + (u2 + u3);
            red[2 * wg + lid] = (s0 + s1) + (s2 + s3);
            reduceSums3(c, red, lid, wg);
            if (lid == 0) {
                float inv = 1.0f / TornadoMath.sqrt(red[2 * wg] / dim + eps);
                float a = red[0] * inv;
                hb.set(r, a / (1.0f + TornadoMath.exp(-a)) * (red[wg] * inv));
            }
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            // 4 activation rows x 4 adjacent elements: 48 independent sums per weight quad
            float p00 = 0.0f;
            float p01 = 0.0f;
            float p02 = 0.0f;
            float p03 = 0.0f;
            float u00 = 0.0f;
            float u01 = 0.0f;
            float u02 = 0.0f;
            float u03 = 0.0f;
            float s00 = 0.0f;
            float s01 = 0.0f;
            float s02 = 0.0f;
            float s03 = 0.0f;
            float p10 = 0.0f;
            float p11 = 0.0f;
            float p12 = 0.0f;
            float p13 = 0.0f;
            float u10 = 0.0f;
            float u11 = 0.0f;
            float u12 = 0.0f;
            float u13 = 0.0f;
            float s10 = 0.0f;
            float s11 = 0.0f;
            float s12 = 0.0f;
            float s13 = 0.0f;
            float p20 = 0.0f;
            float p21 = 0.0f;
            float p22 = 0.0f;
            float p23 = 0.0f;
            float u20 = 0.0f;
            float u21 = 0.0f;
            float u22 = 0.0f;
            float u23 = 0.0f;
            float s20 = 0.0f;
            float s21 = 0.0f;
            float s22 = 0.0f;
            float s23 = 0.0f;
            float p30 = 0.0f;
            float p31 = 0.0f;
            float p32 = 0.0f;
            float p33 = 0.0f;
            float u30 = 0.0f;
            float u31 = 0.0f;
            float u32 = 0.0f;
            float u33 = 0.0f;
            float s30 = 0.0f;
            float s31 = 0.0f;
            float s32 = 0.0f;
            float s33 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                float g0 = rmsW.get(k);
                float g1 = rmsW.get(k + 1);
                float g2 = rmsW.get(k + 2);
                float g3 = rmsW.get(k + 3);
                float wa0 = 0.0f;
                float wb0 = 0.0f;
                float wa1 = 0.0f;
                float wb1 = 0.0f;
                float wa2 = 0.0f;
                float wb2 = 0.0f;
                float wa3 = 0.0f;
                float wb3 = 0.0f;
                wa0 = w1.get(base + k) * g0;
                wb0 = w3.get(base + k) * g0;
                wa1 = w1.get(base + k + 1) * g1;
                wb1 = w3.get(base + k + 1) * g1;
                wa2 = w1.get(base + k + 2) * g2;
                wb2 = w3.get(base + k + 2) * g2;
                wa3 = w1.get(base + k + 3) * g3;
                wb3 = w3.get(base + k + 3) * g3;
                float v00 = in.get(x0 + k);
                p00 += wa0 * v00;
                u00 += wb0 * v00;
                s00 += v00 * v00;
                float v01 = in.get(x0 + k + 1);
                p01 += wa1 * v01;
                u01 += wb1 * v01;
                s01 += v01 * v01;
                float v02 = in.get(x0 + k + 2);
                p02 += wa2 * v02;
                u02 += wb2 * v02;
                s02 += v02 * v02;
                float v03 = in.get(x0 + k + 3);
                p03 += wa3 * v03;
                u03 += wb3 * v03;
                s03 += v03 * v03;
                float v10 = in.get(x1 + k);
                p10 += wa0 * v10;
                u10 += wb0 * v10;
                s10 += v10 * v10;
                float v11 = in.get(x1 + k + 1);
                p11 += wa1 * v11;
                u11 += wb1 * v11;
                s11 += v11 * v11;
                float v12 = in.get(x1 + k + 2);
                p12 += wa2 * v12;
                u12 += wb2 * v12;
                s12 += v12 * v12;
                float v13 = in.get(x1 + k + 3);
                p13 += wa3 * v13;
                u13 += wb3 * v13;
                s13 += v13 * v13;
                float v20 = in.get(x2 + k);
                p20 += wa0 * v20;
                u20 += wb0 * v20;
                s20 += v20 * v20;
                float v21 = in.get(x2 + k + 1);
                p21 += wa1 * v21;
                u21 += wb1 * v21;
                s21 += v21 * v21;
                float v22 = in.get(x2 + k + 2);
                p22 += wa2 * v22;
                u22 += wb2 * v22;
                s22 += v22 * v22;
                float v23 = in.get(x2 + k + 3);
                p23 += wa3 * v23;
                u23 += wb3 * v23;
                s23 += v23 * v23;
                float v30 = in.get(x3 + k);
                p30 += wa0 * v30;
                u30 += wb0 * v30;
                s30 += v30 * v30;
                float v31 = in.get(x3 + k + 1);
                p31 += wa1 * v31;
                u31 += wb1 * v31;
                s31 += v31 * v31;
                float v32 = in.get(x3 + k + 2);
                p32 += wa2 * v32;
                u32 += wb2 * v32;
                s32 += v32 * v32;
                float v33 = in.get(x3 + k + 3);
                p33 += wa3 * v33;
                u33 += wb3 * v33;
                s33 += v33 * v33;
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                float g = rmsW.get(k);
                float wa = 0.0f;
                float wb = 0.0f;
                wa = w1.get(base + k) * g;
                wb = w3.get(base + k) * g;
                float v0 = in.get(x0 + k);
                p00 += wa * v0;
                u00 += wb * v0;
                s00 += v0 * v0;
                float v1 = in.get(x1 + k);
                p10 += wa * v1;
                u10 += wb * v1;
                s10 += v1 * v1;
                float v2 = in.get(x2 + k);
                p20 += wa * v2;
                u20 += wb * v2;
                s20 += v2 * v2;
                float v3 = in.get(x3 + k);
                p30 += wa * v3;
                u30 += wb * v3;
                s30 += v3 * v3;
            }
            red[0 * wg + lid] = (p00 + p01) + (p02 + p03);
            red[1 * wg + lid] = (u00 + u01) + (u02 + u03);
            red[2 * wg + lid] = (s00 + s01) + (s02 + s03);
            red[3 * wg + lid] = (p10 + p11) + (p12 + p13);
            red[4 * wg + lid] = (u10 + u11) + (u12 + u13);
            red[5 * wg + lid] = (s10 + s11) + (s12 + s13);
            red[6 * wg + lid] = (p20 + p21) + (p22 + p23);
            red[7 * wg + lid] = (u20 + u21) + (u22 + u23);
            red[8 * wg + lid] = (s20 + s21) + (s22 + s23);
            red[9 * wg + lid] = (p30 + p31) + (p32 + p33);
            red[10 * wg + lid] = (u30 + u31) + (u32 + u33);
            red[11 * wg + lid] = (s30 + s31) + (s32 + s33);
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                    red[4 * wg + lid] += red[4 * wg + lid + stride];
                    red[5 * wg + lid] += red[5 * wg + lid + stride];
                    red[6 * wg + lid] += red[6 * wg + lid + stride];
                    red[7 * wg + lid] += red[7 * wg + lid + stride];
                    red[8 * wg + lid] += red[8 * wg + lid + stride];
                    red[9 * wg + lid] += red[9 * wg + lid + stride];
                    red[10 * wg + lid] += red[10 * wg + lid + stride];
                    red[11 * wg + lid] += red[11 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                float inv = 1.0f / TornadoMath.sqrt(red[(3 * j + 2) * wg] / dim + eps);
                float a = red[(3 * j) * wg] * inv;
                hb.set((b0 + j) * hidden + r, a / (1.0f + TornadoMath.exp(-a)) * (red[(3 * j + 1) * wg] * inv));
            }
            c.localBarrier();
        }
    }

    /**
     * FFN input block, fused: RMSNorm of x[b] (weight rmsW), then SwiGLU hb[b, r] = silu(W1[r]·xn) * (W3[r]·xn),
     * silu(a) = a / (1 + e^-a) (run.c), xn = rmsnorm(x[b]). One work-group per hidden unit r (grid hidden*wg),
     * 4 activation rows per reduction. Weights F16.
     */
    public static void ffnF16(KernelContext c, FloatArray hb, FloatArray in, FloatArray rmsW, ShortArray w1, ShortArray w3, IntArray meta,
                              int dim, int hidden, float eps, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(12 * wg);
        int n = meta.get(0);
        int base = r * dim;
        int rowBytes = r * (dim / 32) * 34;
        int dim4 = dim / 4 * 4;
        if (n == 1) {
            // single activation row (batch-1 decode): 4 adjacent elements per iteration, 12 independent sums
            float p0 = 0.0f;
            float p1 = 0.0f;
            float p2 = 0.0f;
            float p3 = 0.0f;
            float u0 = 0.0f;
            float u1 = 0.0f;
            float u2 = 0.0f;
            float u3 = 0.0f;
            float s0 = 0.0f;
            float s1 = 0.0f;
            float s2 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid * 4; k < dim4; k += wg * 4) {
                float v0 = in.get(k);
                float gv0 = rmsW.get(k) * v0;
                p0 += halfToFloat(w1.get(base + k) & 0xFFFF) * gv0;
                u0 += halfToFloat(w3.get(base + k) & 0xFFFF) * gv0;
                s0 += v0 * v0;
                float v1 = in.get(k + 1);
                float gv1 = rmsW.get(k + 1) * v1;
                p1 += halfToFloat(w1.get(base + k + 1) & 0xFFFF) * gv1;
                u1 += halfToFloat(w3.get(base + k + 1) & 0xFFFF) * gv1;
                s1 += v1 * v1;
                float v2 = in.get(k + 2);
                float gv2 = rmsW.get(k + 2) * v2;
                p2 += halfToFloat(w1.get(base + k + 2) & 0xFFFF) * gv2;
                u2 += halfToFloat(w3.get(base + k + 2) & 0xFFFF) * gv2;
                s2 += v2 * v2;
                float v3 = in.get(k + 3);
                float gv3 = rmsW.get(k + 3) * v3;
                p3 += halfToFloat(w1.get(base + k + 3) & 0xFFFF) * gv3;
                u3 += halfToFloat(w3.get(base + k + 3) & 0xFFFF) * gv3;
                s3 += v3 * v3;
            }
            for (int k = dim4 + lid; k < dim; k += wg) {
                float v = in.get(k);
                float gv = rmsW.get(k) * v;
                p0 += halfToFloat(w1.get(base + k) & 0xFFFF) * gv;
                u0 += halfToFloat(w3.get(base + k) & 0xFFFF) * gv;
                s0 += v * v;
            }
            red[lid] = (p0 + p1) + (p2 + p3);
            red[wg + lid] = (u0 + u1) + (u2 + u3);
            red[2 * wg + lid] = (s0 + s1) + (s2 + s3);
            reduceSums3(c, red, lid, wg);
            if (lid == 0) {
                float inv = 1.0f / TornadoMath.sqrt(red[2 * wg] / dim + eps);
                float a = red[0] * inv;
                hb.set(r, a / (1.0f + TornadoMath.exp(-a)) * (red[wg] * inv));
            }
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            float p0 = 0.0f;
            float u0 = 0.0f;
            float s0 = 0.0f;
            float p1 = 0.0f;
            float u1 = 0.0f;
            float s1 = 0.0f;
            float p2 = 0.0f;
            float u2 = 0.0f;
            float s2 = 0.0f;
            float p3 = 0.0f;
            float u3 = 0.0f;
            float s3 = 0.0f;
            for (int k = lid; k < dim; k += wg) {
                float g = rmsW.get(k);
                float w0 = halfToFloat(w1.get(base + k) & 0xFFFF) * g;
                float w1v = halfToFloat(w3.get(base + k) & 0xFFFF) * g;
                float v0 = in.get(x0 + k);
                p0 += w0 * v0;
                u0 += w1v * v0;
                s0 += v0 * v0;
                float v1 = in.get(x1 + k);
                p1 += w0 * v1;
                u1 += w1v * v1;
                s1 += v1 * v1;
                float v2 = in.get(x2 + k);
                p2 += w0 * v2;
                u2 += w1v * v2;
                s2 += v2 * v2;
                float v3 = in.get(x3 + k);
                p3 += w0 * v3;
                u3 += w1v * v3;
                s3 += v3 * v3;
            }
            red[0 * wg + lid] = p0;
            red[1 * wg + lid] = u0;
            red[2 * wg + lid] = s0;
            red[3 * wg + lid] = p1;
            red[4 * wg + lid] = u1;
            red[5 * wg + lid] = s1;
            red[6 * wg + lid] = p2;
            red[7 * wg + lid] = u2;
            red[8 * wg + lid] = s2;
            red[9 * wg + lid] = p3;
            red[10 * wg + lid] = u3;
            red[11 * wg + lid] = s3;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                    red[4 * wg + lid] += red[4 * wg + lid + stride];
                    red[5 * wg + lid] += red[5 * wg + lid + stride];
                    red[6 * wg + lid] += red[6 * wg + lid + stride];
                    red[7 * wg + lid] += red[7 * wg + lid + stride];
                    red[8 * wg + lid] += red[8 * wg + lid + stride];
                    red[9 * wg + lid] += red[9 * wg + lid + stride];
                    red[10 * wg + lid] += red[10 * wg + lid + stride];
                    red[11 * wg + lid] += red[11 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                float inv = 1.0f / TornadoMath.sqrt(red[(3 * j + 2) * wg] / dim + eps);
                float a = red[(3 * j) * wg] * inv;
                hb.set((b0 + j) * hidden + r, a / (1.0f + TornadoMath.exp(-a)) * (red[(3 * j + 1) * wg] * inv));
            }
            c.localBarrier();
        }
    }

    /**
     * FFN input block, fused: RMSNorm of x[b] (weight rmsW), then SwiGLU hb[b, r] = silu(W1[r]·xn) * (W3[r]·xn),
     * silu(a) = a / (1 + e^-a) (run.c), xn = rmsnorm(x[b]). One work-group per hidden unit r (grid hidden*wg),
     * 4 activation rows per reduction. Weights Q8.
     */
    public static void ffnQ8(KernelContext c, FloatArray hb, FloatArray in, FloatArray rmsW, ByteArray w1, ByteArray w3, IntArray meta,
                              int dim, int hidden, float eps, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(12 * wg);
        int n = meta.get(0);
        int base = r * dim;
        int rowBytes = r * (dim / 32) * 34;
        int dim4 = dim / 4 * 4;
        if (n == 1) {
            // single activation row (batch-1 decode): whole Q8_0 blocks, one scale decode per 32 weights, 12 sums
            float p = 0.0f;
            float u = 0.0f;
            float s0 = 0.0f;
            float s1 = 0.0f;
            float s2 = 0.0f;
            float s3 = 0.0f;
            for (int blk = lid; blk < dim / 32; blk += wg) {
                int o = rowBytes + blk * 34;
                float d0 = halfToFloat((w1.get(o) & 0xFF) | ((w1.get(o + 1) & 0xFF) << 8));
                float d1 = halfToFloat((w3.get(o) & 0xFF) | ((w3.get(o + 1) & 0xFF) << 8));
                float tp0 = 0.0f;
                float tp1 = 0.0f;
                float tp2 = 0.0f;
                float tp3 = 0.0f;
                float tu0 = 0.0f;
                float tu1 = 0.0f;
                float tu2 = 0.0f;
                float tu3 = 0.0f;
                for (int e = 0; e < 32; e += 4) {
                    float v0 = in.get(blk * 32 + e);
                    float gv0 = rmsW.get(blk * 32 + e) * v0;
                    tp0 += w1.get(o + 2 + e) * gv0;
                    tu0 += w3.get(o + 2 + e) * gv0;
                    s0 += v0 * v0;
                    float v1 = in.get(blk * 32 + e + 1);
                    float gv1 = rmsW.get(blk * 32 + e + 1) * v1;
                    tp1 += w1.get(o + 2 + e + 1) * gv1;
                    tu1 += w3.get(o + 2 + e + 1) * gv1;
                    s1 += v1 * v1;
                    float v2 = in.get(blk * 32 + e + 2);
                    float gv2 = rmsW.get(blk * 32 + e + 2) * v2;
                    tp2 += w1.get(o + 2 + e + 2) * gv2;
                    tu2 += w3.get(o + 2 + e + 2) * gv2;
                    s2 += v2 * v2;
                    float v3 = in.get(blk * 32 + e + 3);
                    float gv3 = rmsW.get(blk * 32 + e + 3) * v3;
                    tp3 += w1.get(o + 2 + e + 3) * gv3;
                    tu3 += w3.get(o + 2 + e + 3) * gv3;
                    s3 += v3 * v3;
                }
                p += d0 * ((tp0 + tp1) + (tp2 + tp3));
                u += d1 * ((tu0 + tu1) + (tu2 + tu3));
            }
            red[lid] = p;
            red[wg + lid] = u;
            red[2 * wg + lid] = (s0 + s1) + (s2 + s3);
            reduceSums3(c, red, lid, wg);
            if (lid == 0) {
                float inv = 1.0f / TornadoMath.sqrt(red[2 * wg] / dim + eps);
                float a = red[0] * inv;
                hb.set(r, a / (1.0f + TornadoMath.exp(-a)) * (red[wg] * inv));
            }
        }
        for (int b0 = 0; n > 1 && b0 < n; b0 += 4) {
            int x0 = b0 * dim;
            int x1 = (b0 + 1 < n ? b0 + 1 : n - 1) * dim;
            int x2 = (b0 + 2 < n ? b0 + 2 : n - 1) * dim;
            int x3 = (b0 + 3 < n ? b0 + 3 : n - 1) * dim;
            float p0 = 0.0f;
            float u0 = 0.0f;
            float s0 = 0.0f;
            float p1 = 0.0f;
            float u1 = 0.0f;
            float s1 = 0.0f;
            float p2 = 0.0f;
            float u2 = 0.0f;
            float s2 = 0.0f;
            float p3 = 0.0f;
            float u3 = 0.0f;
            float s3 = 0.0f;
            for (int blk = lid; blk < dim / 32; blk += wg) {
                int o0 = rowBytes + blk * 34;
                float d0 = halfToFloat((w1.get(o0) & 0xFF) | ((w1.get(o0 + 1) & 0xFF) << 8));
                int o1 = rowBytes + blk * 34;
                float d1 = halfToFloat((w3.get(o1) & 0xFF) | ((w3.get(o1 + 1) & 0xFF) << 8));
                float tp0 = 0.0f;
                float tu0 = 0.0f;
                float tp1 = 0.0f;
                float tu1 = 0.0f;
                float tp2 = 0.0f;
                float tu2 = 0.0f;
                float tp3 = 0.0f;
                float tu3 = 0.0f;
                for (int e = 0; e < 32; e++) {
                    int k = blk * 32 + e;
                    float g = rmsW.get(k);
                    float w0 = w1.get(o0 + 2 + e) * g;
                    float w1v = w3.get(o1 + 2 + e) * g;
                    float v0 = in.get(x0 + k);
                    tp0 += w0 * v0;
                    tu0 += w1v * v0;
                    s0 += v0 * v0;
                    float v1 = in.get(x1 + k);
                    tp1 += w0 * v1;
                    tu1 += w1v * v1;
                    s1 += v1 * v1;
                    float v2 = in.get(x2 + k);
                    tp2 += w0 * v2;
                    tu2 += w1v * v2;
                    s2 += v2 * v2;
                    float v3 = in.get(x3 + k);
                    tp3 += w0 * v3;
                    tu3 += w1v * v3;
                    s3 += v3 * v3;
                }
                p0 += d0 * tp0;
                u0 += d1 * tu0;
                p1 += d0 * tp1;
                u1 += d1 * tu1;
                p2 += d0 * tp2;
                u2 += d1 * tu2;
                p3 += d0 * tp3;
                u3 += d1 * tu3;
            }
            red[0 * wg + lid] = p0;
            red[1 * wg + lid] = u0;
            red[2 * wg + lid] = s0;
            red[3 * wg + lid] = p1;
            red[4 * wg + lid] = u1;
            red[5 * wg + lid] = s1;
            red[6 * wg + lid] = p2;
            red[7 * wg + lid] = u2;
            red[8 * wg + lid] = s2;
            red[9 * wg + lid] = p3;
            red[10 * wg + lid] = u3;
            red[11 * wg + lid] = s3;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[0 * wg + lid] += red[0 * wg + lid + stride];
                    red[1 * wg + lid] += red[1 * wg + lid + stride];
                    red[2 * wg + lid] += red[2 * wg + lid + stride];
                    red[3 * wg + lid] += red[3 * wg + lid + stride];
                    red[4 * wg + lid] += red[4 * wg + lid + stride];
                    red[5 * wg + lid] += red[5 * wg + lid + stride];
                    red[6 * wg + lid] += red[6 * wg + lid + stride];
                    red[7 * wg + lid] += red[7 * wg + lid + stride];
                    red[8 * wg + lid] += red[8 * wg + lid + stride];
                    red[9 * wg + lid] += red[9 * wg + lid + stride];
                    red[10 * wg + lid] += red[10 * wg + lid + stride];
                    red[11 * wg + lid] += red[11 * wg + lid + stride];
                }
            }
            c.localBarrier();
            for (int j = lid; j < 4 && b0 + j < n; j += wg) {
                float inv = 1.0f / TornadoMath.sqrt(red[(3 * j + 2) * wg] / dim + eps);
                float a = red[(3 * j) * wg] * inv;
                hb.set((b0 + j) * hidden + r, a / (1.0f + TornadoMath.exp(-a)) * (red[(3 * j + 1) * wg] * inv));
            }
            c.localBarrier();
        }
    }

    // ---------------------------------------------------------------- attention (flash-decoding split)

    /**
     * Grouped-query attention, first pass, split along the context as in flash-decoding: work-group g =
     * (s*n + b)*nHeads + h handles query head h of row b over cache positions [s*chunk, min((s+1)*chunk,
     * pos+1)): scores q·k/sqrt(headSize) kept in local memory, their max m and sum l of exp(score - m), and the
     * unnormalised output sum_p exp(score_p - m) v_p. Writes pout[g, 0..headSize) and pml[2g] = m, pml[2g+1] = l.
     * Grid S*n*nHeads work-groups of wg, S = the splits the longest row of the step needs (at most nSplit);
     * {@code chunk} is fixed per session. When the session has one split (context up to {@code chunk}), the
     * output is final: it goes normalised to {@code out} [n, nHeads*headSize] and no combine pass is launched.
     */
    public static void attention(KernelContext c, FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray out, FloatArray pout,
                                 FloatArray pml, IntArray meta, int nHeads, int headSize, int kvDim, int kvMul, int ctx,
                                 int chunk, int nSplit, int wg) {
        int g = c.groupIdx;
        int lid = c.localIdx;
        float[] sc = c.allocateFloatLocalArray(chunk);
        float[] red = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int sp = g / (n * nHeads);
        int h = g % nHeads;
        int b = (g / nHeads) % n;
        if (sp < nSplit) {
            int slot = meta.get(2 + 3 * b);
            int pos = meta.get(3 + 3 * b);
            int start = sp * chunk;
            int end = pos + 1;
            if (start + chunk < end) {
                end = start + chunk;
            }
            if (start < end) {
                int qo = b * nHeads * headSize + h * headSize;
                int kvo = (h / kvMul) * headSize;
                float scale = 1.0f / TornadoMath.sqrt((float) headSize);
                float m = NEG;
                for (int p = start + lid; p < end; p += wg) {
                    int ko = (slot * ctx + p) * kvDim + kvo;
                    float s = 0.0f;
                    for (int d = 0; d < headSize; d++) {
                        s += q.get(qo + d) * keyCache.get(ko + d);
                    }
                    s = s * scale;
                    sc[p - start] = s;
                    if (s > m) {
                        m = s;
                    }
                }
                red[lid] = m;
                for (int stride = wg / 2; stride > 0; stride /= 2) {
                    c.localBarrier();
                    if (lid < stride) {
                        if (red[lid + stride] > red[lid]) {
                            red[lid] = red[lid + stride];
                        }
                    }
                }
                c.localBarrier();
                float mx = red[0];
                c.localBarrier();
                float l = 0.0f;
                for (int p = start + lid; p < end; p += wg) {
                    float e = TornadoMath.exp(sc[p - start] - mx);
                    sc[p - start] = e;
                    l += e;
                }
                red[lid] = l;
                reduceSums1(c, red, lid, wg);
                float sum = red[0];
                c.localBarrier();
                if (wg >= headSize) {
                    int parts = wg / headSize;
                    int d = lid % headSize;
                    int part = lid / headSize;
                    float acc = 0.0f;
                    if (part < parts) {
                        for (int p = start + part; p < end; p += parts) {
                            acc += sc[p - start] * valueCache.get((slot * ctx + p) * kvDim + kvo + d);
                        }
                    }
                    red[lid] = acc;
                    c.localBarrier();
                    if (lid < headSize) {
                        float t = 0.0f;
                        for (int j = 0; j < parts; j++) {
                            t += red[j * headSize + lid];
                        }
                        if (nSplit == 1) {
                            out.set(g * headSize + lid, t / sum);
                        } else {
                            pout.set(g * headSize + lid, t);
                        }
                    }
                } else {
                    for (int d = lid; d < headSize; d += wg) {
                        float acc = 0.0f;
                        for (int p = start; p < end; p++) {
                            acc += sc[p - start] * valueCache.get((slot * ctx + p) * kvDim + kvo + d);
                        }
                        if (nSplit == 1) {
                            out.set(g * headSize + d, acc / sum);
                        } else {
                            pout.set(g * headSize + d, acc);
                        }
                    }
                }
                if (lid == 0) {
                    pml.set(2 * g, mx);
                    pml.set(2 * g + 1, sum);
                }
            } else {
                if (lid == 0) {
                    pml.set(2 * g, NEG);
                    pml.set(2 * g + 1, 0.0f);
                }
                for (int d = lid; d < headSize; d += wg) {
                    pout.set(g * headSize + d, 0.0f);
                }
            }
        }
    }

    /**
     * Attention, second pass: merges the splits of each (row, head) with the log-sum-exp rule
     * out = sum_s e^(m_s - M) o_s / sum_s e^(m_s - M) l_s, M = max_s m_s, over the splits s of the row's own
     * positions (work-group (s*n + b)*nHeads + h of {@link #attention}). Grid n*dim (rounded up).
     */
    public static void attentionCombine(KernelContext c, FloatArray out, FloatArray pout, FloatArray pml, IntArray meta,
                                        int dim, int headSize, int chunk, int nSplit) {
        int i = c.globalIdx;
        int b = i / dim;
        if (b < meta.get(0)) {
            int n = meta.get(0);
            int used = meta.get(3 + 3 * b) / chunk + 1;
            int nHeads = dim / headSize;
            int h = (i % dim) / headSize;
            int d = i % headSize;
            int base = b * nHeads + h;
            int stride = n * nHeads;
            float mx = NEG;
            for (int s = 0; s < used; s++) {
                float ms = pml.get(2 * (base + s * stride));
                if (ms > mx) {
                    mx = ms;
                }
            }
            float num = 0.0f;
            float den = 0.0f;
            for (int s = 0; s < used; s++) {
                int gs = base + s * stride;
                float f = TornadoMath.exp(pml.get(2 * gs) - mx);
                num += f * pout.get(gs * headSize + d);
                den += f * pml.get(2 * gs + 1);
            }
            out.set(i, num / den);
        }
    }

    // ---------------------------------------------------------------- greedy sampling on the device

    /**
     * next[b] = argmax_v logits[b, v] (first index on ties, as run.c's sample_argmax). One work-group per row:
     * grid rows*wg, local wg.
     */
    public static void argmax(KernelContext c, IntArray next, FloatArray logits, IntArray meta, int vocab, int wg) {
        int b = c.groupIdx;
        int lid = c.localIdx;
        float[] bv = c.allocateFloatLocalArray(wg);
        int[] bi = c.allocateIntLocalArray(wg);
        if (b < meta.get(0)) {
            int base = b * vocab;
            float best = -3.0e38f;
            int idx = vocab;
            for (int v = lid; v < vocab; v += wg) {
                float x = logits.get(base + v);
                if (x > best) {
                    best = x;
                    idx = v;
                }
            }
            bv[lid] = best;
            bi[lid] = idx;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    float o = bv[lid + stride];
                    int oi = bi[lid + stride];
                    if (o > bv[lid] || (o == bv[lid] && oi < bi[lid])) {
                        bv[lid] = o;
                        bi[lid] = oi;
                    }
                }
            }
            c.localBarrier();
            if (lid == 0) {
                next.set(b, bi[0]);
            }
        }
    }
}
