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
 * <p>This class holds what does not depend on the weight type: the element loaders, RMSNorm, the RoPE/KV-cache
 * store, attention and argmax. The kernels that read weights (embed, matmul, qkvRope, ffn) are written once in
 * {@code src/tornado/template/LlamaKernelsX.java.template} and generated at build time (generate-sources, the pom's
 * tornado profile) as {@code LlamaKernelsF32}, {@code LlamaKernelsF16} and {@code LlamaKernelsQ8}, as the JDK
 * generates its typed vector classes from one template. Their per-work-item products come from {@code DotsF32} and
 * {@code DotsF16} (one template, {@code DotsX.java.template}, reading weights through the {@link #ld} overloads, so
 * the two bodies are the same text) and from the hand-written {@link DotsQ8} (whole Q8_0 blocks, one scale decode
 * per 32 weights).
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
 * The tree loops are written out in each kernel and no local array is passed to a helper: TornadoVM 5.2 indexes a
 * local array inside an inlined helper as a heap array (element index scaled to bytes plus the array header), which
 * reads and writes the wrong elements whenever wg &gt; 1. Helpers return this work-item's partial sums instead
 * (a float, or a {@code Float4} of four).
 *
 * <p>Products have two paths chosen per step by n (uniform, so barriers stay legal): n == 1 (batch-1 decode) sums
 * 4 adjacent elements of one activation row into 4 independent accumulators; n > 1 reads each weight quad once for
 * blocks of 4 activation rows (16 independent sums). Independent sums matter on CPU OpenCL (PoCL), where a
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

    /**
     * Element loaders overloaded by weight array type: weight element i (row-major flat index) as a float. The
     * generated kernels and the F32/F16 products read weights only through these, so their text is the same for
     * every type and javac binds the overload; TornadoVM inlines it.
     */
    static float ld(FloatArray w, int i) {
        return w.get(i);
    }

    /** F16 weight element i (raw half bits, see {@link #halfToFloat}). */
    static float ld(ShortArray w, int i) {
        return halfToFloat(w.get(i) & 0xFFFF);
    }

    /** Q8_0 weight element i of a raw block array: d * q of block i / 32 (ggml-common.h block_q8_0). */
    static float ld(ByteArray w, int i) {
        int off = (i >> 5) * 34;
        int h = (w.get(off) & 0xFF) | ((w.get(off + 1) & 0xFF) << 8);
        return halfToFloat(h) * w.get(off + 2 + (i & 31));
    }

    /** Offset of activation row b in a {@code [rows, dim]} array, rows past the step's n clamped to n - 1. */
    static int xrow(int b, int n, int dim) {
        return (b < n ? b : n - 1) * dim;
    }

    /**
     * SwiGLU of one hidden unit from un-normalised sums: silu(a * inv) * (b * inv), silu(t) = t / (1 + e^-t)
     * (run.c), inv = 1 / sqrt(ss / dim + eps) the RMSNorm factor of the activation row whose sum of squares is ss.
     */
    static float swiglu(float a, float b, float ss, int dim, float eps) {
        float inv = 1.0f / TornadoMath.sqrt(ss / dim + eps);
        float t = a * inv;
        return t / (1.0f + TornadoMath.exp(-t)) * (b * inv);
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
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[lid] += red[lid + stride];
                }
            }
            c.localBarrier();
            float inv = 1.0f / TornadoMath.sqrt(red[0] / dim + eps);
            for (int k = lid; k < dim; k += wg) {
                out.set(base + k, w.get(k) * (inv * x.get(base + k)));
            }
        }
    }

    /**
     * Lane j of the qkvRope kernels for row b: scales the two dot products by the RMS factor, rotates Q/K pairs by RoPE
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
                for (int stride = wg / 2; stride > 0; stride /= 2) {
                    c.localBarrier();
                    if (lid < stride) {
                        red[lid] += red[lid + stride];
                    }
                }
                c.localBarrier();
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
