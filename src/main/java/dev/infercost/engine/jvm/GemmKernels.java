package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.infercost.engine.jvm.Kernels.F32;

/**
 * Matrix-matrix products for prefill chunks (n >= {@link #MIN_N} inputs) in the outer-product form of a BLAS GEMM
 * micro-kernel: the inputs are transposed once per product into panels of {@link #TB} inputs (column k of the panel's
 * inputs contiguous), each group of {@link #MR} weight rows is dequantised (or, for F32, copied) once into a small
 * float buffer, and a register tile of MR = 6 rows x NV = 4 vectors of inputs keeps 24 accumulators in flight: per
 * column k, 4 vector loads of the panel, 6 broadcasts of single weights and 24 fused multiply-adds, with no
 * horizontal reductions (each accumulator lane is one output). The dot-product form ({@link Kernels#matmulRows}' 4x4
 * tiles) needs 8 vector loads per 16 multiply-adds and 16 lane reductions per tile. Sums run in column order, as the
 * dot-product kernels' do per lane, so results differ from them by fp32 rounding only (GemmKernelsTest). Measured on
 * the stories110M shape, pp128, one thread: F32 343 (4x4 tiles) -> 469 tok/s; 8 x 2 tiles (16 accumulators) ran
 * F32 at 420 and Q8_0 at 406-416 against 6 x 4's 439 and 487-528.
 *
 * <p>Any weight type {@link Kernels#dequantRow} reads works; rows past the last whole group of MR are left to the
 * caller. Needs 8 or 16 float lanes ({@link #SUPPORTED}).
 */
final class GemmKernels {
    private GemmKernels() {}

    static final VectorSpecies<Float> S = Kernels.S;
    static final int L = S.length();
    /** Weight rows per register tile. */
    static final int MR = 6;
    /** Input vectors per register tile (NV * L inputs). */
    static final int NV = 4;
    /** Inputs per product from which the engine takes this path (below it the 4x4 tiles, which waste no lanes). */
    static final int MIN_N = 32;
    static final boolean SUPPORTED = (L == 8 || L == 16) && !"false".equals(System.getProperty("infercost.jvm.gemm"));

    /** Inputs per register tile. */
    static final int TB = NV * L;
    /** Floats of the tile's store buffer (one register tile). */
    static final int TMP = MR * NV * L;

    /** Inputs padded to whole tiles: the transposed buffer holds cols * ldt(n) floats. */
    static int ldt(int n) { return (n + TB - 1) / TB * TB; }

    /**
     * Transposes the n inputs {@code x[xOff + b * cols + k]} into panels of {@link #TB} inputs: input b, column k at
     * {@code xt[(b / TB) * cols * TB + k * TB + b % TB]}, zero for the padding inputs b in [n, ldt(n)). Within a panel
     * the index of column k is {@code k * TB} plus a constant, a form C2 removes the range checks of (with a variable
     * stride, ldt, 12% of the prefill samples were bounds checks).
     *
     * @param xt at least cols * ldt(n) floats
     */
    static void transpose(float[] x, int xOff, int n, int cols, float[] xt) {
        transpose(x, xOff, n, cols, xt, 0, groups(n));
    }

    /** Groups of 8 inputs (padding included) that {@link #transpose} writes for n inputs: ldt(n) / 8. */
    static int groups(int n) { return ldt(n) / 8; }

    /** {@link #transpose} of the 8-input groups [g0, g1) only (disjoint ranges can run on different threads). */
    static void transpose(float[] x, int xOff, int n, int cols, float[] xt, int g0, int g1) {
        for (int g = g0; g < g1; g++) {
            int b0 = 8 * g, nb = Math.max(0, Math.min(8, n - b0)), p = (b0 / TB) * cols * TB + b0 % TB;
            // 8 inputs at a time: 8 sequential read streams, each 8-float run of a panel row written once
            for (int k = 0; k < cols; k++) {
                int t = p + k * TB, xi = xOff + b0 * cols + k;
                for (int j = 0; j < nb; j++) xt[t + j] = x[xi + j * cols];
                for (int j = nb; j < 8; j++) xt[t + j] = 0f;
            }
        }
    }

    /**
     * {@code out[outOff + b * outStride + r] = sum_k w[r][k] * x_b[k]} for the whole groups of {@link #MR} rows in
     * [r0, r1) and b in [0, n), with the inputs as {@link #transpose} wrote them.
     *
     * @param wbuf at least MR * cols floats (the dequantised rows of a group)
     * @param tmp  at least {@link #TMP} floats
     * @return the first row not computed (r0 + a multiple of MR; the caller does [return, r1))
     */
    static int matmulRows(MappedTensor w, int r0, int r1, float[] xt, int n, float[] out, int outOff, int outStride,
                          float[] wbuf, float[] tmp) {
        int cols = w.cols();
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        TensorType t = w.type();
        int r = r0;
        for (; r + MR <= r1; r += MR) {
            for (int i = 0; i < MR; i++) {
                long base = (r + i) * rowBytes;
                if (t == TensorType.F32) MemorySegment.copy(seg, F32, base, wbuf, i * cols, cols);
                else Kernels.dequantRow(t, seg, base, cols, wbuf, i * cols);
            }
            for (int b0 = 0; b0 < n; b0 += TB) tile(wbuf, cols, xt, (b0 / TB) * cols * TB, b0, n, out, outOff + r, outStride, tmp);
        }
        return r;
    }

    /** One MR x (NV * L) tile: rows of wbuf against inputs b0 .. b0 + NV*L of xt; outputs for b < n only. */
    private static void tile(float[] wb, int cols, float[] xt, int p, int b0, int n, float[] out, int o, int os, float[] tmp) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z, c20 = z, c21 = z, c22 = z, c23 = z,
                c30 = z, c31 = z, c32 = z, c33 = z, c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
        for (int k = 0; k < cols; k++) {
            int xi = p + k * TB;
            FloatVector x0 = FloatVector.fromArray(S, xt, xi), x1 = FloatVector.fromArray(S, xt, xi + L),
                    x2 = FloatVector.fromArray(S, xt, xi + 2 * L), x3 = FloatVector.fromArray(S, xt, xi + 3 * L);
            FloatVector a = FloatVector.broadcast(S, wb[0 * cols + k]);
            c00 = x0.fma(a, c00); c01 = x1.fma(a, c01); c02 = x2.fma(a, c02); c03 = x3.fma(a, c03);
            a = FloatVector.broadcast(S, wb[1 * cols + k]);
            c10 = x0.fma(a, c10); c11 = x1.fma(a, c11); c12 = x2.fma(a, c12); c13 = x3.fma(a, c13);
            a = FloatVector.broadcast(S, wb[2 * cols + k]);
            c20 = x0.fma(a, c20); c21 = x1.fma(a, c21); c22 = x2.fma(a, c22); c23 = x3.fma(a, c23);
            a = FloatVector.broadcast(S, wb[3 * cols + k]);
            c30 = x0.fma(a, c30); c31 = x1.fma(a, c31); c32 = x2.fma(a, c32); c33 = x3.fma(a, c33);
            a = FloatVector.broadcast(S, wb[4 * cols + k]);
            c40 = x0.fma(a, c40); c41 = x1.fma(a, c41); c42 = x2.fma(a, c42); c43 = x3.fma(a, c43);
            a = FloatVector.broadcast(S, wb[5 * cols + k]);
            c50 = x0.fma(a, c50); c51 = x1.fma(a, c51); c52 = x2.fma(a, c52); c53 = x3.fma(a, c53);
        }
        // lane j of c<i><v> is row i of the group for input b0 + v*L + j: the accumulators go to tmp as written here (a
        // helper taking vectors is not always inlined by C2, which then boxes them), then one loop scatters them
        c00.intoArray(tmp, 0); c01.intoArray(tmp, L); c02.intoArray(tmp, 2 * L); c03.intoArray(tmp, 3 * L);
        c10.intoArray(tmp, 4 * L); c11.intoArray(tmp, 5 * L); c12.intoArray(tmp, 6 * L); c13.intoArray(tmp, 7 * L);
        c20.intoArray(tmp, 8 * L); c21.intoArray(tmp, 9 * L); c22.intoArray(tmp, 10 * L); c23.intoArray(tmp, 11 * L);
        c30.intoArray(tmp, 12 * L); c31.intoArray(tmp, 13 * L); c32.intoArray(tmp, 14 * L); c33.intoArray(tmp, 15 * L);
        c40.intoArray(tmp, 16 * L); c41.intoArray(tmp, 17 * L); c42.intoArray(tmp, 18 * L); c43.intoArray(tmp, 19 * L);
        c50.intoArray(tmp, 20 * L); c51.intoArray(tmp, 21 * L); c52.intoArray(tmp, 22 * L); c53.intoArray(tmp, 23 * L);
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < NV; v++) {
                int m = Math.min(L, n - b0 - v * L), t = (i * NV + v) * L, ob = o + i + (b0 + v * L) * os;
                for (int j = 0; j < m; j++) out[ob + j * os] = tmp[t + j];
            }
    }
}
