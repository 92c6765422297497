package dev.infercost.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The BERT encoder's device kernels (TornadoVM {@link KernelContext} kernels), for a padded batch of
 * {@code batch} sequences of {@code seq} tokens: activations are row-major {@code [rows, width]} with
 * rows = batch*seq (row r = sequence r / seq, position r % seq). Reductions are work-group tree reductions in
 * local memory (work-group size {@code wg}, a power of two), never {@code @Reduce}, and written out in each
 * kernel: TornadoVM 5.2 mis-indexes a local array passed to a helper method (it scales the index as for a heap
 * array: byte offset plus array header), so no local array leaves its kernel. Weights are in the ONNX
 * file's layout, {@code [in, out]} row-major (see {@link dev.infercost.engine.onnx.BertWeights}).
 */
public final class BertKernels {
    private BertKernels() {}

    /** Rows of activations each thread of {@link #linear} computes (one weight read feeds this many rows). */
    public static final int ROWS_PER_THREAD = 8;
    /** Rows and columns per thread of {@link #linearTiled}. */
    public static final int TILE_ROWS = 4, TILE_COLS = 8;

    /**
     * x[r, :] = LayerNorm(word[ids[r]] + position[r % seq] + tokenType[types[r]]) with gain g, bias b:
     * (v - mean) / sqrt(var + eps) * g + b, var the biased variance (BERT, as the ONNX graph computes it).
     * One work-group per row: grid rows*wg, local wg.
     */
    public static void embed(KernelContext c, FloatArray x, IntArray ids, IntArray types, FloatArray word, FloatArray position,
                             FloatArray tokenType, FloatArray g, FloatArray b, int seq, int dim, float eps, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        int wBase = ids.get(r) * dim;
        int pBase = (r % seq) * dim;
        int tBase = types.get(r) * dim;
        int base = r * dim;
        float s = 0.0f;
        for (int k = lid; k < dim; k += wg) {
            float v = word.get(wBase + k) + position.get(pBase + k) + tokenType.get(tBase + k);
            x.set(base + k, v);
            s += v;
        }
        red[lid] = s;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
        float mean = red[0] / dim;
        c.localBarrier();
        float q = 0.0f;
        for (int k = lid; k < dim; k += wg) {
            float d = x.get(base + k) - mean;
            q += d * d;
        }
        red[lid] = q;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(red[0] / dim + eps);
        for (int k = lid; k < dim; k += wg) {
            x.set(base + k, (x.get(base + k) - mean) * inv * g.get(k) + b.get(k));
        }
    }

    /**
     * In-place LayerNorm of each row of x {@code [rows, dim]} (see {@link #embed}). One work-group per row:
     * grid rows*wg, local wg.
     */
    public static void layerNorm(KernelContext c, FloatArray x, FloatArray g, FloatArray b, int dim, float eps, int wg) {
        int r = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        int base = r * dim;
        float s = 0.0f;
        for (int k = lid; k < dim; k += wg) {
            s += x.get(base + k);
        }
        red[lid] = s;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
        float mean = red[0] / dim;
        c.localBarrier();
        float q = 0.0f;
        for (int k = lid; k < dim; k += wg) {
            float d = x.get(base + k) - mean;
            q += d * d;
        }
        red[lid] = q;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(red[0] / dim + eps);
        for (int k = lid; k < dim; k += wg) {
            x.set(base + k, (x.get(base + k) - mean) * inv * g.get(k) + b.get(k));
        }
    }

    /**
     * erf(x), Abramowitz &amp; Stegun, Handbook of Mathematical Functions (1964), eq. 7.1.26: absolute error
     * below 1.5e-7 (float rounding level; TornadoMath has no erf).
     */
    public static float erf(float x) {
        float ax = TornadoMath.abs(x);
        float t = 1.0f / (1.0f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float y = 1.0f - poly * TornadoMath.exp(-ax * ax);
        return x < 0.0f ? -y : y;
    }

    /**
     * Dense layer out[r, j] = act(sum_k in[r, k] * w[k, j] + bias[j]) (+ out[r, j] when {@code residual} = 1),
     * act = GELU(v) = 0.5 v (1 + erf(v / sqrt 2)) when {@code gelu} = 1 (BERT's exact GELU, Hendrycks &amp;
     * Gimpel 2016), identity otherwise. w is {@code [inDim, outDim]}. Each thread computes column j for
     * {@link #ROWS_PER_THREAD} (8) consecutive rows (each weight element read once per 8 rows; neighbouring
     * threads read neighbouring columns, which PoCL vectorises). Grid outDim * rows / 8 items (rows = batch *
     * padded length, a multiple of 16), local a divisor of outDim.
     */
    public static void linear(KernelContext c, FloatArray out, FloatArray in, FloatArray w, FloatArray bias,
                              int inDim, int outDim, int gelu, int residual) {
        int gid = c.globalIdx;
        int j = gid % outDim;
        int r0 = (gid / outDim) * 8;
        int x0 = r0 * inDim;
        float bj = bias.get(j);
        float a0 = bj;
        float a1 = bj;
        float a2 = bj;
        float a3 = bj;
        float a4 = bj;
        float a5 = bj;
        float a6 = bj;
        float a7 = bj;
        for (int k = 0; k < inDim; k++) {
            float wv = w.get(k * outDim + j);
            a0 += in.get(x0 + k) * wv;
            a1 += in.get(x0 + inDim + k) * wv;
            a2 += in.get(x0 + 2 * inDim + k) * wv;
            a3 += in.get(x0 + 3 * inDim + k) * wv;
            a4 += in.get(x0 + 4 * inDim + k) * wv;
            a5 += in.get(x0 + 5 * inDim + k) * wv;
            a6 += in.get(x0 + 6 * inDim + k) * wv;
            a7 += in.get(x0 + 7 * inDim + k) * wv;
        }
        if (gelu == 1) {
            a0 = 0.5f * a0 * (1.0f + erf(a0 * 0.70710678118654752f));
            a1 = 0.5f * a1 * (1.0f + erf(a1 * 0.70710678118654752f));
            a2 = 0.5f * a2 * (1.0f + erf(a2 * 0.70710678118654752f));
            a3 = 0.5f * a3 * (1.0f + erf(a3 * 0.70710678118654752f));
            a4 = 0.5f * a4 * (1.0f + erf(a4 * 0.70710678118654752f));
            a5 = 0.5f * a5 * (1.0f + erf(a5 * 0.70710678118654752f));
            a6 = 0.5f * a6 * (1.0f + erf(a6 * 0.70710678118654752f));
            a7 = 0.5f * a7 * (1.0f + erf(a7 * 0.70710678118654752f));
        }
        int o = r0 * outDim + j;
        if (residual == 1) {
            a0 += out.get(o);
            a1 += out.get(o + outDim);
            a2 += out.get(o + 2 * outDim);
            a3 += out.get(o + 3 * outDim);
            a4 += out.get(o + 4 * outDim);
            a5 += out.get(o + 5 * outDim);
            a6 += out.get(o + 6 * outDim);
            a7 += out.get(o + 7 * outDim);
        }
        out.set(o, a0);
        out.set(o + outDim, a1);
        out.set(o + 2 * outDim, a2);
        out.set(o + 3 * outDim, a3);
        out.set(o + 4 * outDim, a4);
        out.set(o + 5 * outDim, a5);
        out.set(o + 6 * outDim, a6);
        out.set(o + 7 * outDim, a7);
    }

    /**
     * Dense layer as {@link #linear} (same math and arguments), register-tiled for CPU OpenCL drivers: each
     * thread computes {@value #TILE_ROWS} rows x {@value #TILE_COLS} consecutive columns, so its inner loop
     * holds contiguous weight loads that the driver's compiler (LLVM SLP vectoriser on PoCL) turns into SIMD
     * operations. Grid (outDim / 8) * (rows / 4) items, local a divisor of outDim / 8.
     */
    public static void linearTiled(KernelContext c, FloatArray out, FloatArray in, FloatArray w, FloatArray bias,
                                   int inDim, int outDim, int gelu, int residual) {
        int gid = c.globalIdx;
        int colBlocks = outDim / 8;
        int j = (gid % colBlocks) * 8;
        int r0 = (gid / colBlocks) * 4;
        int xb = r0 * inDim;
        float b0 = bias.get(j + 0);
        float b1 = bias.get(j + 1);
        float b2 = bias.get(j + 2);
        float b3 = bias.get(j + 3);
        float b4 = bias.get(j + 4);
        float b5 = bias.get(j + 5);
        float b6 = bias.get(j + 6);
        float b7 = bias.get(j + 7);
        float a0_0 = b0;
        float a0_1 = b1;
        float a0_2 = b2;
        float a0_3 = b3;
        float a0_4 = b4;
        float a0_5 = b5;
        float a0_6 = b6;
        float a0_7 = b7;
        float a1_0 = b0;
        float a1_1 = b1;
        float a1_2 = b2;
        float a1_3 = b3;
        float a1_4 = b4;
        float a1_5 = b5;
        float a1_6 = b6;
        float a1_7 = b7;
        float a2_0 = b0;
        float a2_1 = b1;
        float a2_2 = b2;
        float a2_3 = b3;
        float a2_4 = b4;
        float a2_5 = b5;
        float a2_6 = b6;
        float a2_7 = b7;
        float a3_0 = b0;
        float a3_1 = b1;
        float a3_2 = b2;
        float a3_3 = b3;
        float a3_4 = b4;
        float a3_5 = b5;
        float a3_6 = b6;
        float a3_7 = b7;
        for (int k = 0; k < inDim; k++) {
            int wk = k * outDim + j;
            float w0 = w.get(wk + 0);
            float w1 = w.get(wk + 1);
            float w2 = w.get(wk + 2);
            float w3 = w.get(wk + 3);
            float w4 = w.get(wk + 4);
            float w5 = w.get(wk + 5);
            float w6 = w.get(wk + 6);
            float w7 = w.get(wk + 7);
            float x0 = in.get(xb + 0 * inDim + k);
            a0_0 += x0 * w0;
            a0_1 += x0 * w1;
            a0_2 += x0 * w2;
            a0_3 += x0 * w3;
            a0_4 += x0 * w4;
            a0_5 += x0 * w5;
            a0_6 += x0 * w6;
            a0_7 += x0 * w7;
            float x1 = in.get(xb + 1 * inDim + k);
            a1_0 += x1 * w0;
            a1_1 += x1 * w1;
            a1_2 += x1 * w2;
            a1_3 += x1 * w3;
            a1_4 += x1 * w4;
            a1_5 += x1 * w5;
            a1_6 += x1 * w6;
            a1_7 += x1 * w7;
            float x2 = in.get(xb + 2 * inDim + k);
            a2_0 += x2 * w0;
            a2_1 += x2 * w1;
            a2_2 += x2 * w2;
            a2_3 += x2 * w3;
            a2_4 += x2 * w4;
            a2_5 += x2 * w5;
            a2_6 += x2 * w6;
            a2_7 += x2 * w7;
            float x3 = in.get(xb + 3 * inDim + k);
            a3_0 += x3 * w0;
            a3_1 += x3 * w1;
            a3_2 += x3 * w2;
            a3_3 += x3 * w3;
            a3_4 += x3 * w4;
            a3_5 += x3 * w5;
            a3_6 += x3 * w6;
            a3_7 += x3 * w7;
        }
        if (gelu == 1) {
            a0_0 = 0.5f * a0_0 * (1.0f + erf(a0_0 * 0.70710678118654752f));
            a0_1 = 0.5f * a0_1 * (1.0f + erf(a0_1 * 0.70710678118654752f));
            a0_2 = 0.5f * a0_2 * (1.0f + erf(a0_2 * 0.70710678118654752f));
            a0_3 = 0.5f * a0_3 * (1.0f + erf(a0_3 * 0.70710678118654752f));
            a0_4 = 0.5f * a0_4 * (1.0f + erf(a0_4 * 0.70710678118654752f));
            a0_5 = 0.5f * a0_5 * (1.0f + erf(a0_5 * 0.70710678118654752f));
            a0_6 = 0.5f * a0_6 * (1.0f + erf(a0_6 * 0.70710678118654752f));
            a0_7 = 0.5f * a0_7 * (1.0f + erf(a0_7 * 0.70710678118654752f));
            a1_0 = 0.5f * a1_0 * (1.0f + erf(a1_0 * 0.70710678118654752f));
            a1_1 = 0.5f * a1_1 * (1.0f + erf(a1_1 * 0.70710678118654752f));
            a1_2 = 0.5f * a1_2 * (1.0f + erf(a1_2 * 0.70710678118654752f));
            a1_3 = 0.5f * a1_3 * (1.0f + erf(a1_3 * 0.70710678118654752f));
            a1_4 = 0.5f * a1_4 * (1.0f + erf(a1_4 * 0.70710678118654752f));
            a1_5 = 0.5f * a1_5 * (1.0f + erf(a1_5 * 0.70710678118654752f));
            a1_6 = 0.5f * a1_6 * (1.0f + erf(a1_6 * 0.70710678118654752f));
            a1_7 = 0.5f * a1_7 * (1.0f + erf(a1_7 * 0.70710678118654752f));
            a2_0 = 0.5f * a2_0 * (1.0f + erf(a2_0 * 0.70710678118654752f));
            a2_1 = 0.5f * a2_1 * (1.0f + erf(a2_1 * 0.70710678118654752f));
            a2_2 = 0.5f * a2_2 * (1.0f + erf(a2_2 * 0.70710678118654752f));
            a2_3 = 0.5f * a2_3 * (1.0f + erf(a2_3 * 0.70710678118654752f));
            a2_4 = 0.5f * a2_4 * (1.0f + erf(a2_4 * 0.70710678118654752f));
            a2_5 = 0.5f * a2_5 * (1.0f + erf(a2_5 * 0.70710678118654752f));
            a2_6 = 0.5f * a2_6 * (1.0f + erf(a2_6 * 0.70710678118654752f));
            a2_7 = 0.5f * a2_7 * (1.0f + erf(a2_7 * 0.70710678118654752f));
            a3_0 = 0.5f * a3_0 * (1.0f + erf(a3_0 * 0.70710678118654752f));
            a3_1 = 0.5f * a3_1 * (1.0f + erf(a3_1 * 0.70710678118654752f));
            a3_2 = 0.5f * a3_2 * (1.0f + erf(a3_2 * 0.70710678118654752f));
            a3_3 = 0.5f * a3_3 * (1.0f + erf(a3_3 * 0.70710678118654752f));
            a3_4 = 0.5f * a3_4 * (1.0f + erf(a3_4 * 0.70710678118654752f));
            a3_5 = 0.5f * a3_5 * (1.0f + erf(a3_5 * 0.70710678118654752f));
            a3_6 = 0.5f * a3_6 * (1.0f + erf(a3_6 * 0.70710678118654752f));
            a3_7 = 0.5f * a3_7 * (1.0f + erf(a3_7 * 0.70710678118654752f));
        }
        int o0 = (r0 + 0) * outDim + j;
        int o1 = (r0 + 1) * outDim + j;
        int o2 = (r0 + 2) * outDim + j;
        int o3 = (r0 + 3) * outDim + j;
        if (residual == 1) {
            a0_0 += out.get(o0 + 0);
            a0_1 += out.get(o0 + 1);
            a0_2 += out.get(o0 + 2);
            a0_3 += out.get(o0 + 3);
            a0_4 += out.get(o0 + 4);
            a0_5 += out.get(o0 + 5);
            a0_6 += out.get(o0 + 6);
            a0_7 += out.get(o0 + 7);
            a1_0 += out.get(o1 + 0);
            a1_1 += out.get(o1 + 1);
            a1_2 += out.get(o1 + 2);
            a1_3 += out.get(o1 + 3);
            a1_4 += out.get(o1 + 4);
            a1_5 += out.get(o1 + 5);
            a1_6 += out.get(o1 + 6);
            a1_7 += out.get(o1 + 7);
            a2_0 += out.get(o2 + 0);
            a2_1 += out.get(o2 + 1);
            a2_2 += out.get(o2 + 2);
            a2_3 += out.get(o2 + 3);
            a2_4 += out.get(o2 + 4);
            a2_5 += out.get(o2 + 5);
            a2_6 += out.get(o2 + 6);
            a2_7 += out.get(o2 + 7);
            a3_0 += out.get(o3 + 0);
            a3_1 += out.get(o3 + 1);
            a3_2 += out.get(o3 + 2);
            a3_3 += out.get(o3 + 3);
            a3_4 += out.get(o3 + 4);
            a3_5 += out.get(o3 + 5);
            a3_6 += out.get(o3 + 6);
            a3_7 += out.get(o3 + 7);
        }
        out.set(o0 + 0, a0_0);
        out.set(o0 + 1, a0_1);
        out.set(o0 + 2, a0_2);
        out.set(o0 + 3, a0_3);
        out.set(o0 + 4, a0_4);
        out.set(o0 + 5, a0_5);
        out.set(o0 + 6, a0_6);
        out.set(o0 + 7, a0_7);
        out.set(o1 + 0, a1_0);
        out.set(o1 + 1, a1_1);
        out.set(o1 + 2, a1_2);
        out.set(o1 + 3, a1_3);
        out.set(o1 + 4, a1_4);
        out.set(o1 + 5, a1_5);
        out.set(o1 + 6, a1_6);
        out.set(o1 + 7, a1_7);
        out.set(o2 + 0, a2_0);
        out.set(o2 + 1, a2_1);
        out.set(o2 + 2, a2_2);
        out.set(o2 + 3, a2_3);
        out.set(o2 + 4, a2_4);
        out.set(o2 + 5, a2_5);
        out.set(o2 + 6, a2_6);
        out.set(o2 + 7, a2_7);
        out.set(o3 + 0, a3_0);
        out.set(o3 + 1, a3_1);
        out.set(o3 + 2, a3_2);
        out.set(o3 + 3, a3_3);
        out.set(o3 + 4, a3_4);
        out.set(o3 + 5, a3_5);
        out.set(o3 + 6, a3_6);
        out.set(o3 + 7, a3_7);
    }

    /**
     * Self-attention of one query row and head: ctx[r, h*hs .. +hs) = sum_t p_t V[t], p = softmax over the keys
     * t of the row's sequence whose mask is 1 of Q[r]·K[t] / sqrt(hs) (padding keys get probability 0, as the
     * graph's additive mask of float-lowest gives after exp). qkv is {@code [rows, 3*dim]} (Q | K | V, heads
     * contiguous inside each). One work-group per (row, head): group id = r * heads + h, grid rows*heads*wg,
     * local wg; {@code seq} scores in local memory.
     */
    public static void attention(KernelContext c, FloatArray ctx, FloatArray qkv, IntArray mask, int seq, int dim, int heads,
                                 int hs, float scale, int wg) {
        int gidx = c.groupIdx;
        int lid = c.localIdx;
        float[] score = c.allocateFloatLocalArray(seq);
        float[] red = c.allocateFloatLocalArray(wg);
        int r = gidx / heads;
        int h = gidx % heads;
        int b0 = (r / seq) * seq;
        int stride3 = 3 * dim;
        int qBase = r * stride3 + h * hs;
        float mx = -3.4e38f;
        for (int t = lid; t < seq; t += wg) {
            float s = -3.4e38f;
            if (mask.get(b0 + t) != 0) {
                int kBase = (b0 + t) * stride3 + dim + h * hs;
                float dot = 0.0f;
                for (int i = 0; i < hs; i++) {
                    dot += qkv.get(qBase + i) * qkv.get(kBase + i);
                }
                s = dot * scale;
            }
            score[t] = s;
            mx = TornadoMath.max(mx, s);
        }
        red[lid] = mx;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] = TornadoMath.max(red[lid], red[lid + stride]);
            }
        }
        c.localBarrier();
        float m = red[0];
        c.localBarrier();
        float sum = 0.0f;
        for (int t = lid; t < seq; t += wg) {
            float p = 0.0f;
            if (mask.get(b0 + t) != 0) {
                p = TornadoMath.exp(score[t] - m);
            }
            score[t] = p;
            sum += p;
        }
        red[lid] = sum;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
        float inv = 1.0f / red[0];
        int vBase = b0 * stride3 + 2 * dim + h * hs;
        for (int i = lid; i < hs; i += wg) {
            float acc = 0.0f;
            for (int t = 0; t < seq; t++) {
                acc += score[t] * qkv.get(vBase + t * stride3 + i);
            }
            ctx.set(r * dim + h * hs + i, acc * inv);
        }
    }

    /**
     * Sentence embedding: out[b, :] = m / |m|_2 with m the mean of x[b*seq + t, :] over the positions t whose
     * mask is 1 (sentence-transformers mean pooling + Normalize). One work-group per sequence: grid batch*wg,
     * local wg.
     */
    public static void poolNormalize(KernelContext c, FloatArray out, FloatArray x, IntArray mask, int seq, int dim, int wg) {
        int b = c.groupIdx;
        int lid = c.localIdx;
        float[] red = c.allocateFloatLocalArray(wg);
        float count = 0.0f;
        for (int t = 0; t < seq; t++) {
            count += mask.get(b * seq + t);
        }
        float invCount = 1.0f / TornadoMath.max(count, 1e-9f);
        float q = 0.0f;
        for (int k = lid; k < dim; k += wg) {
            float acc = 0.0f;
            for (int t = 0; t < seq; t++) {
                if (mask.get(b * seq + t) != 0) {
                    acc += x.get((b * seq + t) * dim + k);
                }
            }
            float v = acc * invCount;
            out.set(b * dim + k, v);
            q += v * v;
        }
        red[lid] = q;
        for (int stride = wg / 2; stride > 0; stride /= 2) {
            c.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        c.localBarrier();
        float inv = 1.0f / TornadoMath.max(TornadoMath.sqrt(red[0]), 1e-12f);
        for (int k = lid; k < dim; k += wg) {
            out.set(b * dim + k, out.get(b * dim + k) * inv);
        }
    }
}
