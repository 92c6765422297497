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
 * maximum), and must equal the local size the {@code GridScheduler} gives the task.
 */
public final class LlamaKernels {
    private LlamaKernels() {}

    /** Sentinel below every real logit / score (finite, so exp(NEG - m) is 0 without NaN). */
    static final float NEG = -1e30f;

    /**
     * IEEE-754 binary16 bits (low 16 bits of {@code h}) to float, exactly, with integer arithmetic and one
     * exact power-of-two scaling: normal = (1024 + mantissa) * 2^(exponent - 25), subnormal = mantissa * 2^-24.
     * Infinity/NaN (exponent 31) are not expected in weights and decode as 65504-range finite values.
     */
    public static float halfToFloat(int h) {
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        float v;
        if (exp == 0) {
            v = mant * (1.0f / 16777216.0f);
        } else if (exp >= 25) {
            v = (1024 + mant) * (float) (1 << (exp - 25));
        } else {
            v = (1024 + mant) / (float) (1 << (25 - exp));
        }
        return (h & 0x8000) != 0 ? -v : v;
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

    // ---------------------------------------------------------------- batched matrix products

    /**
     * Batched product out[b, r] (+)= sum_k W[r, k] * in[b, k] for all n rows b, W F32 {@code [outDim, inDim]}.
     * One work-group per weight row r (grid outDim*wg, local wg): the row is read from memory once per step and
     * reused from cache for every activation row, which is what makes batched decode cheaper per token than n
     * matrix-vector products. {@code accumulate} = 1 adds to out (fused residual connection).
     */
    public static void matmulF32(KernelContext c, FloatArray out, FloatArray in, FloatArray w, IntArray meta,
                                 int inDim, int outDim, int accumulate, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int base = r * inDim;
        for (int b = 0; b < n; b++) {
            int xo = b * inDim;
            float s = 0.0f;
            for (int k = lid; k < inDim; k += wg) {
                s += w.get(base + k) * in.get(xo + k);
            }
            red[lid] = s;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[lid] += red[lid + stride];
                }
            }
            c.localBarrier();
            if (lid == 0) {
                int o = b * outDim + r;
                float v = red[0];
                if (accumulate == 1) {
                    v += out.get(o);
                }
                out.set(o, v);
            }
            c.localBarrier();
        }
    }

    /** As {@link #matmulF32} with W in F16 (raw half bits), decoded in the kernel. */
    public static void matmulF16(KernelContext c, FloatArray out, FloatArray in, ShortArray w, IntArray meta,
                                 int inDim, int outDim, int accumulate, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int base = r * inDim;
        for (int b = 0; b < n; b++) {
            int xo = b * inDim;
            float s = 0.0f;
            for (int k = lid; k < inDim; k += wg) {
                s += halfToFloat(w.get(base + k) & 0xFFFF) * in.get(xo + k);
            }
            red[lid] = s;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[lid] += red[lid + stride];
                }
            }
            c.localBarrier();
            if (lid == 0) {
                int o = b * outDim + r;
                float v = red[0];
                if (accumulate == 1) {
                    v += out.get(o);
                }
                out.set(o, v);
            }
            c.localBarrier();
        }
    }

    /**
     * As {@link #matmulF32} with W in Q8_0 (raw 34-byte blocks along each row; inDim a multiple of 32). Each
     * thread takes whole blocks: one scale decode per 32 products.
     */
    public static void matmulQ8(KernelContext c, FloatArray out, FloatArray in, ByteArray w, IntArray meta,
                                int inDim, int outDim, int accumulate, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int nb = inDim / 32;
        int rowBlock = r * nb;
        for (int b = 0; b < n; b++) {
            int xo = b * inDim;
            float s = 0.0f;
            for (int j = lid; j < nb; j += wg) {
                int off = (rowBlock + j) * 34;
                float d = halfToFloat((w.get(off) & 0xFF) | ((w.get(off + 1) & 0xFF) << 8));
                int xb = xo + j * 32;
                float t = 0.0f;
                for (int q = 0; q < 32; q++) {
                    t += w.get(off + 2 + q) * in.get(xb + q);
                }
                s += d * t;
            }
            red[lid] = s;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    red[lid] += red[lid + stride];
                }
            }
            c.localBarrier();
            if (lid == 0) {
                int o = b * outDim + r;
                float v = red[0];
                if (accumulate == 1) {
                    v += out.get(o);
                }
                out.set(o, v);
            }
            c.localBarrier();
        }
    }

    /**
     * SwiGLU FFN up-projection, fused: out[b, r] = silu(W1[r]·in[b]) * (W3[r]·in[b]), silu(a) = a / (1 + e^-a)
     * (run.c). W1 (gate) and W3 (up) F32 {@code [hidden, dim]}. Grid hidden*wg, local wg.
     */
    public static void swigluF32(KernelContext c, FloatArray out, FloatArray in, FloatArray w1, FloatArray w3, IntArray meta,
                                 int inDim, int outDim, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] ra = c.allocateFloatLocalArray(wg);
        float[] rb = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int base = r * inDim;
        for (int b = 0; b < n; b++) {
            int xo = b * inDim;
            float sa = 0.0f;
            float sb = 0.0f;
            for (int k = lid; k < inDim; k += wg) {
                float xv = in.get(xo + k);
                sa += w1.get(base + k) * xv;
                sb += w3.get(base + k) * xv;
            }
            ra[lid] = sa;
            rb[lid] = sb;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    ra[lid] += ra[lid + stride];
                    rb[lid] += rb[lid + stride];
                }
            }
            c.localBarrier();
            if (lid == 0) {
                float a = ra[0];
                out.set(b * outDim + r, a / (1.0f + TornadoMath.exp(-a)) * rb[0]);
            }
            c.localBarrier();
        }
    }

    /** As {@link #swigluF32} with F16 weights. */
    public static void swigluF16(KernelContext c, FloatArray out, FloatArray in, ShortArray w1, ShortArray w3, IntArray meta,
                                 int inDim, int outDim, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] ra = c.allocateFloatLocalArray(wg);
        float[] rb = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int base = r * inDim;
        for (int b = 0; b < n; b++) {
            int xo = b * inDim;
            float sa = 0.0f;
            float sb = 0.0f;
            for (int k = lid; k < inDim; k += wg) {
                float xv = in.get(xo + k);
                sa += halfToFloat(w1.get(base + k) & 0xFFFF) * xv;
                sb += halfToFloat(w3.get(base + k) & 0xFFFF) * xv;
            }
            ra[lid] = sa;
            rb[lid] = sb;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    ra[lid] += ra[lid + stride];
                    rb[lid] += rb[lid + stride];
                }
            }
            c.localBarrier();
            if (lid == 0) {
                float a = ra[0];
                out.set(b * outDim + r, a / (1.0f + TornadoMath.exp(-a)) * rb[0]);
            }
            c.localBarrier();
        }
    }

    /** As {@link #swigluF32} with Q8_0 weights. */
    public static void swigluQ8(KernelContext c, FloatArray out, FloatArray in, ByteArray w1, ByteArray w3, IntArray meta,
                                int inDim, int outDim, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] ra = c.allocateFloatLocalArray(wg);
        float[] rb = c.allocateFloatLocalArray(wg);
        int n = meta.get(0);
        int nb = inDim / 32;
        int rowBlock = r * nb;
        for (int b = 0; b < n; b++) {
            int xo = b * inDim;
            float sa = 0.0f;
            float sb = 0.0f;
            for (int j = lid; j < nb; j += wg) {
                int off = (rowBlock + j) * 34;
                float d1 = halfToFloat((w1.get(off) & 0xFF) | ((w1.get(off + 1) & 0xFF) << 8));
                float d3 = halfToFloat((w3.get(off) & 0xFF) | ((w3.get(off + 1) & 0xFF) << 8));
                int xb = xo + j * 32;
                float ta = 0.0f;
                float tb = 0.0f;
                for (int q = 0; q < 32; q++) {
                    float xv = in.get(xb + q);
                    ta += w1.get(off + 2 + q) * xv;
                    tb += w3.get(off + 2 + q) * xv;
                }
                sa += d1 * ta;
                sb += d3 * tb;
            }
            ra[lid] = sa;
            rb[lid] = sb;
            for (int stride = wg / 2; stride > 0; stride /= 2) {
                c.localBarrier();
                if (lid < stride) {
                    ra[lid] += ra[lid + stride];
                    rb[lid] += rb[lid + stride];
                }
            }
            c.localBarrier();
            if (lid == 0) {
                float a = ra[0];
                out.set(b * outDim + r, a / (1.0f + TornadoMath.exp(-a)) * rb[0]);
            }
            c.localBarrier();
        }
    }

    // ---------------------------------------------------------------- RoPE + KV-cache store

    /**
     * Rotates q[b] and k[b] by RoPE at the row's position (adjacent pairs (2i, 2i+1), frequency
     * theta^(-(2i mod headSize)/headSize), from host-computed tables cos/sin {@code [ctx, headSize/2]}), then
     * stores k[b] and v[b] into the device-resident KV cache {@code [slots, ctx, kvDim]} at (slot, pos).
     * Grid rows*dim/2 (rounded up), any local size.
     */
    public static void ropeStore(KernelContext c, FloatArray q, FloatArray k, FloatArray v, FloatArray keyCache, FloatArray valueCache,
                                 FloatArray cos, FloatArray sin, IntArray meta, int dim, int kvDim, int headSize, int ctx) {
        int i = c.globalIdx;
        int half = dim / 2;
        int b = i / half;
        if (b < meta.get(0)) {
            int e = 2 * (i % half);
            int slot = meta.get(2 + 3 * b);
            int pos = meta.get(3 + 3 * b);
            int t = pos * (headSize / 2) + (e % headSize) / 2;
            float fc = cos.get(t);
            float fs = sin.get(t);
            int qo = b * dim + e;
            float q0 = q.get(qo);
            float q1 = q.get(qo + 1);
            q.set(qo, q0 * fc - q1 * fs);
            q.set(qo + 1, q0 * fs + q1 * fc);
            if (e < kvDim) {
                int ko = b * kvDim + e;
                float k0 = k.get(ko);
                float k1 = k.get(ko + 1);
                int co = (slot * ctx + pos) * kvDim + e;
                keyCache.set(co, k0 * fc - k1 * fs);
                keyCache.set(co + 1, k0 * fs + k1 * fc);
                valueCache.set(co, v.get(ko));
                valueCache.set(co + 1, v.get(ko + 1));
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
     * {@code chunk} is fixed per session.
     */
    public static void attention(KernelContext c, FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray pout,
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
                        pout.set(g * headSize + lid, t);
                    }
                } else {
                    for (int d = lid; d < headSize; d += wg) {
                        float acc = 0.0f;
                        for (int p = start; p < end; p++) {
                            acc += sc[p - start] * valueCache.get((slot * ctx + p) * kvDim + kvo + d);
                        }
                        pout.set(g * headSize + d, acc);
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
