package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Vector API kernels of the JVM engine (fp32 arithmetic, weights dequantised inside the dot product; the block
 * formats other than Q8_0 are unpacked by {@link QuantKernels} a row chunk at a time).
 * Formulas follow llama2.c run.c: RMSNorm {@code o = w * x / sqrt(mean(x^2) + eps)}, SwiGLU
 * {@code silu(w1 x) * (w3 x)} with {@code silu(v) = v / (1 + e^-v)}, softmax with max subtraction.
 */
final class Kernels {
    private Kernels() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final VectorSpecies<Byte> SB = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    /**
     * Matrix-matrix product for rows [r0, r1) of {@code w} ([rows, cols]) with n input rows:
     * {@code out[outOff + b*outStride + r] = sum_c w[r][c] * x[xOff + b*cols + c]} for b in [0, n).
     * Each weight row is read from memory once for the whole batch (it stays in L1 while the n inputs pass).
     *
     * @param scratch at least 4 x cols floats, used to dequantise F16/Q8_0 rows
     */
    static void matmulRows(MappedTensor w, int r0, int r1, float[] x, int xOff, int n, float[] out, int outOff, int outStride, float[] scratch) {
        matmulRows(w, r0, r1, x, xOff, n, out, outOff, outStride, scratch, true);
    }

    /**
     * As above; {@code fused} selects, for Q8_0 tiles, widening the quants in registers per batch tile (faster here
     * at batch 8 and 16 on llama-3.2-1b Q8_0) over dequantising 4 rows chunk-wise into scratch once for all tiles
     * (Q8_0 where vectors are wider than a 32-element block). F16 rows are converted whole with the scalar
     * Float.float16ToFloat loop, which measured fastest inside the engine (see the F16 branch).
     */
    static void matmulRows(MappedTensor w, int r0, int r1, float[] x, int xOff, int n, float[] out, int outOff, int outStride, float[] scratch,
                           boolean fused) {
        int cols = w.cols();
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        TensorType t = w.type();
        int r = r0;
        if (n >= 4) {
            // register tiles of 4 weight rows x 4 inputs: each loaded vector feeds 4 FMAs
            int nb = n & ~3;
            for (; r + 4 <= r1; r += 4) {
                if (t == TensorType.F32) {
                    for (int b = 0; b < nb; b += 4)
                        tile4x4Seg(seg, r * rowBytes, rowBytes, x, xOff + b * cols, cols, out, outOff + b * outStride + r, outStride);
                    for (int b = nb; b < n; b++)
                        for (int k = 0; k < 4; k++) out[outOff + b * outStride + r + k] = dotSeg(seg, (r + k) * rowBytes, x, xOff + b * cols, cols);
                } else if (fused && t == TensorType.Q8_0 && L <= 32) {
                    // fused: each block's quants widened and scaled in registers, each vector feeds the 4 inputs of the tile
                    for (int b = 0; b < nb; b += 4)
                        tile4x4Q8(seg, r * rowBytes, rowBytes, cols, x, xOff + b * cols, out, outOff + b * outStride + r, outStride);
                    for (int b = nb; b < n; b++)
                        for (int k = 0; k < 4; k++) out[outOff + b * outStride + r + k] = dotQ8(seg, (r + k) * rowBytes, x, xOff + b * cols, cols);
                } else if (t == TensorType.F16) {
                    // F16: whole rows through the scalar Float.float16ToFloat loop (which C2 vectorises) into scratch, then
                    // the tiles. Measured in the engine on llama-3.2-1b:f16 (1 thread): the Vector API conversion and the
                    // chunked path ran slower at batch 1 (3.2 vs 4.2 tok/s) and batch 8 (12.5 vs 14.5 tok/s), although
                    // faster in a kernel microbenchmark.
                    for (int k = 0; k < 4; k++) {
                        long base = (r + k) * rowBytes;
                        int off = k * cols;
                        for (int c = 0; c < cols; c++) scratch[off + c] = Float.float16ToFloat(seg.get(I16, base + 2L * c));
                    }
                    for (int b = 0; b < nb; b += 4)
                        tile4x4Arr(scratch, cols, x, xOff + b * cols, cols, out, outOff + b * outStride + r, outStride, false);
                    for (int b = nb; b < n; b++)
                        for (int k = 0; k < 4; k++) out[outOff + b * outStride + r + k] = dotArr(scratch, k * cols, x, xOff + b * cols, cols);
                } else {
                    // dequantise the 4 rows chunk by chunk into scratch once, and run every batch tile over the chunk
                    // (conversion cost amortised over all n inputs, partial sums accumulated)
                    for (int c0 = 0; c0 < cols; c0 += CHUNK) {
                        int len = Math.min(CHUNK, cols - c0);
                        for (int k = 0; k < 4; k++) dequantRange(t, seg, (r + k) * rowBytes, c0, len, scratch, k * len);
                        boolean acc = c0 > 0;
                        for (int b = 0; b < nb; b += 4)
                            tile4x4Arr(scratch, len, x, xOff + b * cols + c0, cols, out, outOff + b * outStride + r, outStride, acc);
                        for (int b = nb; b < n; b++)
                            for (int k = 0; k < 4; k++) {
                                int o = outOff + b * outStride + r + k;
                                float d = dotArr(scratch, k * len, x, xOff + b * cols + c0, len);
                                out[o] = acc ? out[o] + d : d;
                            }
                    }
                }
            }
        }
        for (; r < r1; r++) {
            long base = r * rowBytes;
            if (t == TensorType.F32) {
                int b = 0;
                for (; b + 4 <= n; b += 4)
                    dot4Seg(seg, base, x, xOff + b * cols, cols, out, outOff + b * outStride + r, outStride);
                for (; b < n; b++) out[outOff + b * outStride + r] = dotSeg(seg, base, x, xOff + b * cols, cols);
            } else if (t == TensorType.Q8_0 && n == 1) {
                out[outOff + r] = dotQ8(seg, base, x, xOff, cols);
            } else {
                dequantRow(t, seg, base, cols, scratch, 0);
                int b = 0;
                for (; b + 4 <= n; b += 4)
                    dot4Arr(scratch, x, xOff + b * cols, cols, out, outOff + b * outStride + r, outStride);
                for (; b < n; b++) out[outOff + b * outStride + r] = dotArr(scratch, 0, x, xOff + b * cols, cols);
            }
        }
    }

    /**
     * Columns per dequantised chunk (a multiple of 32). Each chunk costs 16 lane reductions per 4x4 tile, so chunks are
     * long: with 512 (L1-sized) F16 at batch 8 on llama-3.2-1b ran ~25% slower than whole rows; 4096 keeps rows of
     * dim 2048 whole and splits hidden 8192 in two (4 x 4096 floats = 64 KiB, L2-resident).
     */
    static final int CHUNK = 4096;

    /** Dequantises columns [c0, c0+len) of the row at byte offset base into dst[off..off+len); Q8_0 needs c0 % 32 == 0. */
    private static void dequantRange(TensorType t, MemorySegment seg, long base, int c0, int len, float[] dst, int off) {
        if (QuantKernels.handles(t)) QuantKernels.dequant(t, seg, base + t.bytesFor(c0), len, dst, off);
        else if (t == TensorType.Q8_0) dequantQ8(seg, base + 34L * (c0 / 32), len, dst, off);
        else for (int c = 0; c < len; c++) dst[off + c] = Float.float16ToFloat(seg.get(I16, base + 2L * (c0 + c)));
    }

    static void dequantRow(TensorType t, MemorySegment seg, long base, int cols, float[] dst, int off) {
        if (QuantKernels.handles(t)) QuantKernels.dequant(t, seg, base, cols, dst, off);
        else if (t == TensorType.Q8_0) dequantQ8(seg, base, cols, dst, off);
        else for (int c = 0; c < cols; c++) dst[off + c] = Float.float16ToFloat(seg.get(I16, base + 2L * c));
    }

    /**
     * As {@link #tile4x4Seg} for Q8_0 weight rows (cols a multiple of 32, L <= 32): per 32-element block each row's
     * quants are widened to float and scaled by the block's d in registers, and each such vector feeds 4 inputs, so
     * no dequantised row goes through memory.
     */
    private static void tile4x4Q8(MemorySegment w, long base, long rowBytes, int n, float[] x, int xo, float[] out, int o, int os) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        long b1 = base + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int blocks = n / 32;
        for (int blk = 0; blk < blocks; blk++) {
            long p0 = base + 34L * blk, p1 = b1 + 34L * blk, p2 = b2 + 34L * blk, p3 = b3 + 34L * blk;
            float d0 = Float.float16ToFloat(w.get(I16, p0)), d1 = Float.float16ToFloat(w.get(I16, p1)),
                    d2 = Float.float16ToFloat(w.get(I16, p2)), d3 = Float.float16ToFloat(w.get(I16, p3));
            for (int i = 0; i < 32; i += L) {
                FloatVector w0 = q8(w, p0 + 2 + i).mul(d0), w1 = q8(w, p1 + 2 + i).mul(d1),
                        w2 = q8(w, p2 + 2 + i).mul(d2), w3 = q8(w, p3 + 2 + i).mul(d3);
                int xi = xo + blk * 32 + i;
                FloatVector x0 = FloatVector.fromArray(S, x, xi);
                c00 = w0.fma(x0, c00); c10 = w1.fma(x0, c10); c20 = w2.fma(x0, c20); c30 = w3.fma(x0, c30);
                FloatVector x1 = FloatVector.fromArray(S, x, xi + n);
                c01 = w0.fma(x1, c01); c11 = w1.fma(x1, c11); c21 = w2.fma(x1, c21); c31 = w3.fma(x1, c31);
                FloatVector x2 = FloatVector.fromArray(S, x, xi + 2 * n);
                c02 = w0.fma(x2, c02); c12 = w1.fma(x2, c12); c22 = w2.fma(x2, c22); c32 = w3.fma(x2, c32);
                FloatVector x3 = FloatVector.fromArray(S, x, xi + 3 * n);
                c03 = w0.fma(x3, c03); c13 = w1.fma(x3, c13); c23 = w2.fma(x3, c23); c33 = w3.fma(x3, c33);
            }
        }
        // stores written out: a call passing 16 vectors is not inlined and boxes them (F16 batch 8 ran ~35% slower)
        put(out, o, false, c00); put(out, o + 1 * os, false, c01); put(out, o + 2 * os, false, c02); put(out, o + 3 * os, false, c03);
        put(out, o + 1, false, c10); put(out, o + 1 * os + 1, false, c11); put(out, o + 2 * os + 1, false, c12); put(out, o + 3 * os + 1, false, c13);
        put(out, o + 2, false, c20); put(out, o + 1 * os + 2, false, c21); put(out, o + 2 * os + 2, false, c22); put(out, o + 3 * os + 2, false, c23);
        put(out, o + 3, false, c30); put(out, o + 1 * os + 3, false, c31); put(out, o + 2 * os + 3, false, c32); put(out, o + 3 * os + 3, false, c33);
    }

    /** L int8 quants at byte offset off, widened to float. */
    private static FloatVector q8(MemorySegment w, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(SB, w, off, LE).convertShape(VectorOperators.B2F, S, 0);
    }

    private static void put(float[] out, int i, boolean acc, FloatVector c) {
        float s = c.reduceLanes(VectorOperators.ADD);
        out[i] = acc ? out[i] + s : s;
    }

    /** out[o + j*os + k] = w_row(k) . x_row(j) for k, j in 0..3; weight rows at base + k*rowBytes, inputs at xo + j*n. */
    private static void tile4x4Seg(MemorySegment w, long base, long rowBytes, float[] x, int xo, int n, float[] out, int o, int os) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        long b1 = base + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, base + 4L * i, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, b1 + 4L * i, LE);
            FloatVector w2 = FloatVector.fromMemorySegment(S, w, b2 + 4L * i, LE);
            FloatVector w3 = FloatVector.fromMemorySegment(S, w, b3 + 4L * i, LE);
            FloatVector x0 = FloatVector.fromArray(S, x, xo + i);
            c00 = w0.fma(x0, c00); c10 = w1.fma(x0, c10); c20 = w2.fma(x0, c20); c30 = w3.fma(x0, c30);
            FloatVector x1 = FloatVector.fromArray(S, x, xo + n + i);
            c01 = w0.fma(x1, c01); c11 = w1.fma(x1, c11); c21 = w2.fma(x1, c21); c31 = w3.fma(x1, c31);
            FloatVector x2 = FloatVector.fromArray(S, x, xo + 2 * n + i);
            c02 = w0.fma(x2, c02); c12 = w1.fma(x2, c12); c22 = w2.fma(x2, c22); c32 = w3.fma(x2, c32);
            FloatVector x3 = FloatVector.fromArray(S, x, xo + 3 * n + i);
            c03 = w0.fma(x3, c03); c13 = w1.fma(x3, c13); c23 = w2.fma(x3, c23); c33 = w3.fma(x3, c33);
        }
        out[o + 0 * os + 0] = c00.reduceLanes(VectorOperators.ADD);
        out[o + 1 * os + 0] = c01.reduceLanes(VectorOperators.ADD);
        out[o + 2 * os + 0] = c02.reduceLanes(VectorOperators.ADD);
        out[o + 3 * os + 0] = c03.reduceLanes(VectorOperators.ADD);
        out[o + 0 * os + 1] = c10.reduceLanes(VectorOperators.ADD);
        out[o + 1 * os + 1] = c11.reduceLanes(VectorOperators.ADD);
        out[o + 2 * os + 1] = c12.reduceLanes(VectorOperators.ADD);
        out[o + 3 * os + 1] = c13.reduceLanes(VectorOperators.ADD);
        out[o + 0 * os + 2] = c20.reduceLanes(VectorOperators.ADD);
        out[o + 1 * os + 2] = c21.reduceLanes(VectorOperators.ADD);
        out[o + 2 * os + 2] = c22.reduceLanes(VectorOperators.ADD);
        out[o + 3 * os + 2] = c23.reduceLanes(VectorOperators.ADD);
        out[o + 0 * os + 3] = c30.reduceLanes(VectorOperators.ADD);
        out[o + 1 * os + 3] = c31.reduceLanes(VectorOperators.ADD);
        out[o + 2 * os + 3] = c32.reduceLanes(VectorOperators.ADD);
        out[o + 3 * os + 3] = c33.reduceLanes(VectorOperators.ADD);
        if (i < n)
            for (int k = 0; k < 4; k++) {
                long bk = base + k * rowBytes;
                for (int j = 0; j < 4; j++) {
                    float s = out[o + j * os + k];
                    for (int c = i; c < n; c++) s += w.get(F32, bk + 4L * c) * x[xo + j * n + c];
                    out[o + j * os + k] = s;
                }
            }
    }

    /**
     * As {@link #tile4x4Seg} over n columns with the 4 weight rows dequantised in w[k*n ..] and input j at
     * x[xo + j*xs ..]; adds to out when {@code acc}, else overwrites it.
     */
    private static void tile4x4Arr(float[] w, int n, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromArray(S, w, i);
            FloatVector w1 = FloatVector.fromArray(S, w, n + i);
            FloatVector w2 = FloatVector.fromArray(S, w, 2 * n + i);
            FloatVector w3 = FloatVector.fromArray(S, w, 3 * n + i);
            FloatVector x0 = FloatVector.fromArray(S, x, xo + i);
            c00 = w0.fma(x0, c00); c10 = w1.fma(x0, c10); c20 = w2.fma(x0, c20); c30 = w3.fma(x0, c30);
            FloatVector x1 = FloatVector.fromArray(S, x, xo + xs + i);
            c01 = w0.fma(x1, c01); c11 = w1.fma(x1, c11); c21 = w2.fma(x1, c21); c31 = w3.fma(x1, c31);
            FloatVector x2 = FloatVector.fromArray(S, x, xo + 2 * xs + i);
            c02 = w0.fma(x2, c02); c12 = w1.fma(x2, c12); c22 = w2.fma(x2, c22); c32 = w3.fma(x2, c32);
            FloatVector x3 = FloatVector.fromArray(S, x, xo + 3 * xs + i);
            c03 = w0.fma(x3, c03); c13 = w1.fma(x3, c13); c23 = w2.fma(x3, c23); c33 = w3.fma(x3, c33);
        }
        // stores written out: a call passing 16 vectors is not inlined and boxes them (F16 batch 8 ran ~35% slower)
        put(out, o, acc, c00); put(out, o + 1 * os, acc, c01); put(out, o + 2 * os, acc, c02); put(out, o + 3 * os, acc, c03);
        put(out, o + 1, acc, c10); put(out, o + 1 * os + 1, acc, c11); put(out, o + 2 * os + 1, acc, c12); put(out, o + 3 * os + 1, acc, c13);
        put(out, o + 2, acc, c20); put(out, o + 1 * os + 2, acc, c21); put(out, o + 2 * os + 2, acc, c22); put(out, o + 3 * os + 2, acc, c23);
        put(out, o + 3, acc, c30); put(out, o + 1 * os + 3, acc, c31); put(out, o + 2 * os + 3, acc, c32); put(out, o + 3 * os + 3, acc, c33);
        if (i < n)
            for (int k = 0; k < 4; k++)
                for (int j = 0; j < 4; j++) {
                    float s = out[o + j * os + k];
                    for (int c = i; c < n; c++) s += w[k * n + c] * x[xo + j * xs + c];
                    out[o + j * os + k] = s;
                }
    }

    static float dotSeg(MemorySegment w, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            a0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE).fma(FloatVector.fromArray(S, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(S, w, off + 4L * (i + L), LE).fma(FloatVector.fromArray(S, x, xo + i + L), a1);
            a2 = FloatVector.fromMemorySegment(S, w, off + 4L * (i + 2 * L), LE).fma(FloatVector.fromArray(S, x, xo + i + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(S, w, off + 4L * (i + 3 * L), LE).fma(FloatVector.fromArray(S, x, xo + i + 3 * L), a3);
        }
        a0 = a0.add(a2);
        a1 = a1.add(a3);
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE).fma(FloatVector.fromArray(S, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(S, w, off + 4L * (i + L), LE).fma(FloatVector.fromArray(S, x, xo + i + L), a1);
        }
        for (; i + L <= n; i += L)
            a0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE).fma(FloatVector.fromArray(S, x, xo + i), a0);
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += w.get(F32, off + 4L * i) * x[xo + i];
        return s;
    }

    /** Four rows of x against one weight row; same summation order per row as {@link #dotSeg} (bitwise equal). */
    private static void dot4Seg(MemorySegment w, long off, float[] x, int xo, int n, float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S),
                c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, off + 4L * (i + L), LE);
            a0 = w0.fma(FloatVector.fromArray(S, x, xo + i), a0);
            a1 = w1.fma(FloatVector.fromArray(S, x, xo + i + L), a1);
            b0 = w0.fma(FloatVector.fromArray(S, x, xo + n + i), b0);
            b1 = w1.fma(FloatVector.fromArray(S, x, xo + n + i + L), b1);
            c0 = w0.fma(FloatVector.fromArray(S, x, xo + 2 * n + i), c0);
            c1 = w1.fma(FloatVector.fromArray(S, x, xo + 2 * n + i + L), c1);
            d0 = w0.fma(FloatVector.fromArray(S, x, xo + 3 * n + i), d0);
            d1 = w1.fma(FloatVector.fromArray(S, x, xo + 3 * n + i + L), d1);
        }
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE);
            a0 = w0.fma(FloatVector.fromArray(S, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(S, x, xo + n + i), b0);
            c0 = w0.fma(FloatVector.fromArray(S, x, xo + 2 * n + i), c0);
            d0 = w0.fma(FloatVector.fromArray(S, x, xo + 3 * n + i), d0);
        }
        float s0 = a0.add(a1).reduceLanes(VectorOperators.ADD), s1 = b0.add(b1).reduceLanes(VectorOperators.ADD),
                s2 = c0.add(c1).reduceLanes(VectorOperators.ADD), s3 = d0.add(d1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float wi = w.get(F32, off + 4L * i);
            s0 += wi * x[xo + i];
            s1 += wi * x[xo + n + i];
            s2 += wi * x[xo + 2 * n + i];
            s3 += wi * x[xo + 3 * n + i];
        }
        out[o] = s0;
        out[o + os] = s1;
        out[o + 2 * os] = s2;
        out[o + 3 * os] = s3;
    }

    static float dotArr(float[] w, int wo, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = FloatVector.fromArray(S, w, wo + i).fma(FloatVector.fromArray(S, x, xo + i), a0);
            a1 = FloatVector.fromArray(S, w, wo + i + L).fma(FloatVector.fromArray(S, x, xo + i + L), a1);
        }
        for (; i + L <= n; i += L)
            a0 = FloatVector.fromArray(S, w, wo + i).fma(FloatVector.fromArray(S, x, xo + i), a0);
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += w[wo + i] * x[xo + i];
        return s;
    }

    /** Four rows of x against one weight row; same summation order per row as {@link #dotArr} (bitwise equal). */
    private static void dot4Arr(float[] w, float[] x, int xo, int n, float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S),
                c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(S, w, i);
            FloatVector w1 = FloatVector.fromArray(S, w, i + L);
            a0 = w0.fma(FloatVector.fromArray(S, x, xo + i), a0);
            a1 = w1.fma(FloatVector.fromArray(S, x, xo + i + L), a1);
            b0 = w0.fma(FloatVector.fromArray(S, x, xo + n + i), b0);
            b1 = w1.fma(FloatVector.fromArray(S, x, xo + n + i + L), b1);
            c0 = w0.fma(FloatVector.fromArray(S, x, xo + 2 * n + i), c0);
            c1 = w1.fma(FloatVector.fromArray(S, x, xo + 2 * n + i + L), c1);
            d0 = w0.fma(FloatVector.fromArray(S, x, xo + 3 * n + i), d0);
            d1 = w1.fma(FloatVector.fromArray(S, x, xo + 3 * n + i + L), d1);
        }
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromArray(S, w, i);
            a0 = w0.fma(FloatVector.fromArray(S, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(S, x, xo + n + i), b0);
            c0 = w0.fma(FloatVector.fromArray(S, x, xo + 2 * n + i), c0);
            d0 = w0.fma(FloatVector.fromArray(S, x, xo + 3 * n + i), d0);
        }
        float s0 = a0.add(a1).reduceLanes(VectorOperators.ADD), s1 = b0.add(b1).reduceLanes(VectorOperators.ADD),
                s2 = c0.add(c1).reduceLanes(VectorOperators.ADD), s3 = d0.add(d1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float wi = w[i];
            s0 += wi * x[xo + i];
            s1 += wi * x[xo + n + i];
            s2 += wi * x[xo + 2 * n + i];
            s3 += wi * x[xo + 3 * n + i];
        }
        out[o] = s0;
        out[o + os] = s1;
        out[o + 2 * os] = s2;
        out[o + 3 * os] = s3;
    }

    /** Dequantises one Q8_0 row (cols/32 blocks of fp16 d + 32 int8) into dst[0..cols). */
    static void dequantQ8(MemorySegment seg, long base, int cols, float[] dst, int off) {
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = base + 34L * blk;
            float d = Float.float16ToFloat(seg.get(I16, bo));
            if (L <= 32) {
                for (int i = 0; i < 32; i += L) {
                    FloatVector q = (FloatVector) ByteVector.fromMemorySegment(SB, seg, bo + 2 + i, LE).convertShape(VectorOperators.B2F, S, 0);
                    q.mul(d).intoArray(dst, off + blk * 32 + i);
                }
            } else {
                for (int i = 0; i < 32; i++) dst[off + blk * 32 + i] = d * seg.get(ValueLayout.JAVA_BYTE, bo + 2 + i);
            }
        }
    }

    /** Fused Q8_0 row · x: per block d * sum(q_i * x_i). */
    static float dotQ8(MemorySegment seg, long base, float[] x, int xo, int cols) {
        if (L > 32) {
            float s = 0;
            for (int blk = 0; blk < cols / 32; blk++) {
                long bo = base + 34L * blk;
                float d = Float.float16ToFloat(seg.get(I16, bo)), bs = 0;
                for (int i = 0; i < 32; i++) bs += seg.get(ValueLayout.JAVA_BYTE, bo + 2 + i) * x[xo + blk * 32 + i];
                s += d * bs;
            }
            return s;
        }
        FloatVector acc = FloatVector.zero(S);
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = base + 34L * blk;
            float d = Float.float16ToFloat(seg.get(I16, bo));
            FloatVector bsum = FloatVector.zero(S);
            for (int i = 0; i < 32; i += L) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(SB, seg, bo + 2 + i, LE).convertShape(VectorOperators.B2F, S, 0);
                bsum = q.fma(FloatVector.fromArray(S, x, xo + blk * 32 + i), bsum);
            }
            acc = bsum.fma(FloatVector.broadcast(S, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** RMSNorm (run.c rmsnorm): o[oo+j] = w[j] * (x[xo+j] / sqrt(mean(x^2) + eps)). */
    static void rmsnorm(float[] o, int oo, float[] x, int xo, float[] w, int n, float eps) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            acc = v.fma(v, acc);
        }
        float ss = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) ss += x[xo + i] * x[xo + i];
        ss /= n;
        ss += eps;
        ss = 1.0f / (float) Math.sqrt(ss);
        i = 0;
        for (; i + L <= n; i += L)
            FloatVector.fromArray(S, w, i).mul(FloatVector.fromArray(S, x, xo + i).mul(ss)).intoArray(o, oo + i);
        for (; i < n; i++) o[oo + i] = w[i] * (ss * x[xo + i]);
    }

    /**
     * Per-head RMSNorm in place (Qwen3's attn_q_norm / attn_k_norm, llama.cpp src/models/qwen3.cpp: build_norm of
     * Q and K reshaped to [head_dim, heads]): each of the {@code heads} consecutive slices of width {@code headSize}
     * starting at {@code off} is normalised by its own RMS and scaled by {@code w[0..headSize)}.
     */
    static void rmsnormHeads(float[] x, int off, int heads, int headSize, float[] w, float eps) {
        for (int h = 0; h < heads; h++) rmsnorm(x, off + h * headSize, x, off + h * headSize, w, headSize, eps);
    }

    /**
     * NEOX-style RoPE in place (ggml's GGML_ROPE_TYPE_NEOX, ggml-cpu ops.cpp rope_f32 with the neox rotation): in each
     * head of width {@code headSize} of {@code vec[off .. off+width)}, element i and element i + headSize/2 form
     * pair i, rotated by the angle whose cosine and sine are {@code cos[cOff + i]}, {@code sin[cOff + i]}.
     */
    static void ropeNeox(float[] vec, int off, int width, int headSize, float[] cos, float[] sin, int cOff) {
        int half = headSize / 2;
        for (int h = off; h < off + width; h += headSize)
            for (int i = 0; i < half; i++) {
                float c = cos[cOff + i], s = sin[cOff + i];
                float x0 = vec[h + i], x1 = vec[h + i + half];
                vec[h + i] = x0 * c - x1 * s;
                vec[h + i + half] = x0 * s + x1 * c;
            }
    }

    /** a[ao..ao+n) += b[bo..bo+n) */
    static void addInPlace(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        for (; i + L <= n; i += L)
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(a, ao + i);
        for (; i < n; i++) a[ao + i] += b[bo + i];
    }

    /** a[i] = silu(a[i]) * b[i] over [off, off+n). */
    static void swiglu(float[] a, float[] b, int off, int n) {
        int i = off;
        // silu(v) = v / (1 + exp(-v)) with the Vector API's lane-wise EXP (as softmax); the scalar Math.exp loop was 6%
        // of a stories110M prefill, all of it on one thread
        for (; i + L <= off + n; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < off + n; i++) {
            float v = a[i];
            v *= (1.0f / (1.0f + (float) Math.exp(-v)));
            a[i] = v * b[i];
        }
    }

    /**
     * In-place softmax of x[off..off+n) (run.c softmax: subtract max, exp, normalise), vectorised; the lane-wise
     * exp is the Vector API's EXP (on x86 an SVML-style intrinsic, within ~1 ulp of Math.exp).
     */
    static void softmax(float[] x, int off, int n) {
        int i = 0;
        float max = x[off];
        if (n >= L) {
            FloatVector m = FloatVector.fromArray(S, x, off);
            for (i = L; i + L <= n; i += L) m = m.max(FloatVector.fromArray(S, x, off + i));
            max = m.reduceLanes(VectorOperators.MAX);
        } else i = 1;
        for (; i < n; i++) if (x[off + i] > max) max = x[off + i];
        FloatVector acc = FloatVector.zero(S);
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, off + i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        i = 0;
        for (; i + L <= n; i += L) FloatVector.fromArray(S, x, off + i).div(sum).intoArray(x, off + i);
        for (; i < n; i++) x[off + i] /= sum;
    }
}
