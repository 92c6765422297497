package dev.infercost.engine.jvm;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;


import static dev.infercost.engine.jvm.Kernels.L;
import static dev.infercost.engine.jvm.Kernels.S;
import static dev.infercost.engine.jvm.Kernels.SB;

/**
 * Small-batch (decode) Q8_0 products over {@link RepackedQ8} weights: per 32-element block
 * {@code d * sum_i q_i * x_i} (fp32 arithmetic, the value GGML's {@code block_q8_0} encodes), four weight rows per
 * pass so each activation vector loaded feeds four rows and four independent accumulator chains are in flight.
 * Quants are read with aligned, contiguous vector loads and widened to float in registers; scales come from a
 * float array (no fp16 conversion in the loop).
 */
final class Q8Kernels {
    private Q8Kernels() {}

    /**
     * {@code out[outOff + b*outStride + r] = sum_c w[r][c] * x[xOff + b*cols + c]} for rows r in [r0, r1) and inputs
     * b in [0, n), w of shape [rows, cols].
     */
    static void matmulRows(RepackedQ8 w, int r0, int r1, float[] x, int xOff, int n, float[] out, int outOff, int outStride) {
        int cols = w.cols;
        for (int b = 0; b < n; b++) {
            int xo = xOff + b * cols, o = outOff + b * outStride;
            int r = r0;
            if (L <= 32) {
                for (; r + 4 <= r1; r += 4) dot4(w, r, x, xo, out, o + r);
                for (; r < r1; r++) out[o + r] = dot1(w, r, x, xo);
            } else {
                for (; r < r1; r++) out[o + r] = dotScalar(w, r, x, xo);
            }
        }
    }

    /** L int8 quants at byte offset off, widened to float. */
    private static FloatVector q8(byte[] q, int off) {
        return (FloatVector) ByteVector.fromArray(SB, q, off).convertShape(VectorOperators.B2F, S, 0);
    }

    /** Rows r..r+3 against x[xo..xo+cols): out[o + k] = row(r+k) . x. Needs L <= 32. */
    private static void dot4(RepackedQ8 w, int r, float[] x, int xo, float[] out, int o) {
        byte[] q = w.q;
        float[] d = w.d;
        int cols = w.cols, bpr = cols / 32;
        int p0 = r * cols, p1 = p0 + cols, p2 = p1 + cols, p3 = p2 + cols;
        int s0 = r * bpr, s1 = s0 + bpr, s2 = s1 + bpr, s3 = s2 + bpr;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int blk = 0; blk < bpr; blk++) {
            int xi = xo + 32 * blk;
            int bo = 32 * blk;
            FloatVector x0 = FloatVector.fromArray(S, x, xi);
            FloatVector b0 = q8(q, p0 + bo).mul(x0), b1 = q8(q, p1 + bo).mul(x0),
                    b2 = q8(q, p2 + bo).mul(x0), b3 = q8(q, p3 + bo).mul(x0);
            for (int i = L; i < 32; i += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xi + i);
                b0 = q8(q, p0 + bo + i).fma(xv, b0);
                b1 = q8(q, p1 + bo + i).fma(xv, b1);
                b2 = q8(q, p2 + bo + i).fma(xv, b2);
                b3 = q8(q, p3 + bo + i).fma(xv, b3);
            }
            a0 = b0.fma(FloatVector.broadcast(S, d[s0 + blk]), a0);
            a1 = b1.fma(FloatVector.broadcast(S, d[s1 + blk]), a1);
            a2 = b2.fma(FloatVector.broadcast(S, d[s2 + blk]), a2);
            a3 = b3.fma(FloatVector.broadcast(S, d[s3 + blk]), a3);
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = a1.reduceLanes(VectorOperators.ADD);
        out[o + 2] = a2.reduceLanes(VectorOperators.ADD);
        out[o + 3] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** Row r against x[xo..xo+cols), the same operations in the same order as one row of {@link #dot4} (bitwise equal). */
    private static float dot1(RepackedQ8 w, int r, float[] x, int xo) {
        byte[] q = w.q;
        float[] d = w.d;
        int cols = w.cols, bpr = cols / 32;
        int p = r * cols, s = r * bpr;
        FloatVector a0 = FloatVector.zero(S);
        for (int blk = 0; blk < bpr; blk++) {
            int xi = xo + 32 * blk, bo = p + 32 * blk;
            FloatVector b0 = q8(q, bo).mul(FloatVector.fromArray(S, x, xi));
            for (int i = L; i < 32; i += L) b0 = q8(q, bo + i).fma(FloatVector.fromArray(S, x, xi + i), b0);
            a0 = b0.fma(FloatVector.broadcast(S, d[s + blk]), a0);
        }
        return a0.reduceLanes(VectorOperators.ADD);
    }

    /** Scalar form (vectors wider than a block); also the reference the tests compare against. */
    static float dotScalar(RepackedQ8 w, int r, float[] x, int xo) {
        int cols = w.cols, bpr = cols / 32;
        int p = r * cols;
        float s = 0;
        for (int blk = 0; blk < bpr; blk++) {
            float bs = 0;
            for (int i = 0; i < 32; i++) bs += w.q[p + 32 * blk + i] * x[xo + 32 * blk + i];
            s += w.d[r * bpr + blk] * bs;
        }
        return s;
    }
}
