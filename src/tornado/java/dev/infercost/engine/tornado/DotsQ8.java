package dev.infercost.engine.tornado;

import static dev.infercost.engine.tornado.LlamaKernels.halfToFloat;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.vectors.Float4;

/**
 * Per-work-item products over Q8_0 weights for the generated {@code LlamaKernelsQ8} (the same helpers, by name and
 * contract, as the generated {@code DotsF32} / {@code DotsF16}): each work-item takes whole 34-byte blocks
 * (ggml-common.h block_q8_0: fp16 scale d, 32 int8 q) of a weight row, blocks lid, lid + wg, ..., decodes the scale
 * once per 32 weights and returns its partial sums; the calling kernel reduces them over the work-group. Weight rows
 * are given by element offset {@code off} (row * dim, dim a multiple of 32); activation rows by their offsets x0..x3.
 * Hand-written: the block loop is the Q8_0 format's own, not the element loop of the F32/F16 template.
 */
final class DotsQ8 {
    private DotsQ8() {}

    /** Batch-1 product share: sum over this work-item's blocks of d * sum_e q[e] * in[k0 + e]. */
    static float dot1(ByteArray w, int off, FloatArray in, int lid, int dim, int wg) {
        float a = 0.0f;
        for (int blk = lid; blk < dim / 32; blk += wg) {
            int o = (off / 32 + blk) * 34;
            float d = halfToFloat((w.get(o) & 0xFF) | ((w.get(o + 1) & 0xFF) << 8));
            int k0 = blk * 32;
            float t0 = 0.0f;
            float t1 = 0.0f;
            float t2 = 0.0f;
            float t3 = 0.0f;
            for (int e = 0; e < 32; e += 4) {
                t0 += w.get(o + 2 + e) * in.get(k0 + e);
                t1 += w.get(o + 3 + e) * in.get(k0 + e + 1);
                t2 += w.get(o + 4 + e) * in.get(k0 + e + 2);
                t3 += w.get(o + 5 + e) * in.get(k0 + e + 3);
            }
            a += d * ((t0 + t1) + (t2 + t3));
        }
        return a;
    }

    /** {@link #dot1} for the 4 activation rows at x0..x3 at once (each block decoded once for the 4). */
    static Float4 dot4(ByteArray w, int off, FloatArray in, int x0, int x1, int x2, int x3, int lid, int dim, int wg) {
        float a0 = 0.0f;
        float a1 = 0.0f;
        float a2 = 0.0f;
        float a3 = 0.0f;
        for (int blk = lid; blk < dim / 32; blk += wg) {
            int o = (off / 32 + blk) * 34;
            float d = halfToFloat((w.get(o) & 0xFF) | ((w.get(o + 1) & 0xFF) << 8));
            int k0 = blk * 32;
            float t0 = 0.0f;
            float t1 = 0.0f;
            float t2 = 0.0f;
            float t3 = 0.0f;
            for (int e = 0; e < 32; e++) {
                float wv = w.get(o + 2 + e);
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
        return new Float4(a0, a1, a2, a3);
    }

    /**
     * Batch-1 fused-norm pair: (dot(wa row at offA, g * x), dot(wb row at offB, g * x), sum x^2, 0) for the one
     * activation row x = in[0..dim), g = rmsW, over this work-item's blocks (the two rows' scales decoded once each).
     */
    static Float4 pair1(ByteArray wa, int offA, ByteArray wb, int offB, FloatArray in, FloatArray rmsW, int lid, int dim, int wg) {
        float p = 0.0f;
        float u = 0.0f;
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        for (int blk = lid; blk < dim / 32; blk += wg) {
            int o0 = (offA / 32 + blk) * 34;
            int o1 = (offB / 32 + blk) * 34;
            float d0 = halfToFloat((wa.get(o0) & 0xFF) | ((wa.get(o0 + 1) & 0xFF) << 8));
            float d1 = halfToFloat((wb.get(o1) & 0xFF) | ((wb.get(o1 + 1) & 0xFF) << 8));
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
                tp0 += wa.get(o0 + 2 + e) * gv0;
                tu0 += wb.get(o1 + 2 + e) * gv0;
                s0 += v0 * v0;
                float v1 = in.get(blk * 32 + e + 1);
                float gv1 = rmsW.get(blk * 32 + e + 1) * v1;
                tp1 += wa.get(o0 + 2 + e + 1) * gv1;
                tu1 += wb.get(o1 + 2 + e + 1) * gv1;
                s1 += v1 * v1;
                float v2 = in.get(blk * 32 + e + 2);
                float gv2 = rmsW.get(blk * 32 + e + 2) * v2;
                tp2 += wa.get(o0 + 2 + e + 2) * gv2;
                tu2 += wb.get(o1 + 2 + e + 2) * gv2;
                s2 += v2 * v2;
                float v3 = in.get(blk * 32 + e + 3);
                float gv3 = rmsW.get(blk * 32 + e + 3) * v3;
                tp3 += wa.get(o0 + 2 + e + 3) * gv3;
                tu3 += wb.get(o1 + 2 + e + 3) * gv3;
                s3 += v3 * v3;
            }
            p += d0 * ((tp0 + tp1) + (tp2 + tp3));
            u += d1 * ((tu0 + tu1) + (tu2 + tu3));
        }
        return new Float4(p, u, (s0 + s1) + (s2 + s3), 0.0f);
    }

    /** Batched fused-norm product: dot(w row at off, g * x_j) for the 4 activation rows x_j at x0..x3, g = rmsW. */
    static Float4 dotNorm4(ByteArray w, int off, FloatArray in, FloatArray rmsW, int x0, int x1, int x2, int x3, int lid, int dim, int wg) {
        float a0 = 0.0f;
        float a1 = 0.0f;
        float a2 = 0.0f;
        float a3 = 0.0f;
        for (int blk = lid; blk < dim / 32; blk += wg) {
            int o = (off / 32 + blk) * 34;
            float d = halfToFloat((w.get(o) & 0xFF) | ((w.get(o + 1) & 0xFF) << 8));
            float t0 = 0.0f;
            float t1 = 0.0f;
            float t2 = 0.0f;
            float t3 = 0.0f;
            for (int e = 0; e < 32; e++) {
                int k = blk * 32 + e;
                float wg0 = w.get(o + 2 + e) * rmsW.get(k);
                t0 += wg0 * in.get(x0 + k);
                t1 += wg0 * in.get(x1 + k);
                t2 += wg0 * in.get(x2 + k);
                t3 += wg0 * in.get(x3 + k);
            }
            a0 += d * t0;
            a1 += d * t1;
            a2 += d * t2;
            a3 += d * t3;
        }
        return new Float4(a0, a1, a2, a3);
    }

    /** Sums of squares of the 4 activation rows at x0..x3 over this work-item's blocks (the norm of dotNorm4). */
    static Float4 sumSq4(FloatArray in, int x0, int x1, int x2, int x3, int lid, int dim, int wg) {
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        for (int blk = lid; blk < dim / 32; blk += wg) {
            for (int e = 0; e < 32; e++) {
                int k = blk * 32 + e;
                float v0 = in.get(x0 + k);
                s0 += v0 * v0;
                float v1 = in.get(x1 + k);
                s1 += v1 * v1;
                float v2 = in.get(x2 + k);
                s2 += v2 * v2;
                float v3 = in.get(x3 + k);
                s3 += v3 * v3;
            }
        }
        return new Float4(s0, s1, s2, s3);
    }
}
