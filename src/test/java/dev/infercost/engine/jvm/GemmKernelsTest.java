package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.Quants;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prefill GEMM (transposed inputs, MR-row groups, outer-product tiles) against a double-precision reference of the
 * tensor's scalar dequantisation: every output of the whole row groups within 1e-5 of the sum of |terms|, the rows
 * past the last whole group left untouched for the caller, and padding inputs (n not a multiple of the tile) never
 * written.
 */
class GemmKernelsTest {

    @Test
    void matchesDequantisedReferenceForTypesShapesAndPartialTiles() {
        Assumptions.assumeTrue(GemmKernels.SUPPORTED, "needs 8 or 16 float lanes");
        Random rnd = new Random(7);
        for (TensorType t : new TensorType[]{TensorType.F32, TensorType.F16, TensorType.Q8_0, TensorType.Q4_K, TensorType.Q6_K, TensorType.BF16}) {
            for (int cols : new int[]{256, 768}) {
                int rows = 37;
                MemorySegment seg = Arena.ofAuto().allocate(t.bytesFor((long) rows * cols), 8);
                for (long i = 0; i < seg.byteSize(); i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                fixScales(t, seg, (long) rows * cols, rnd);
                MappedTensor w = new MappedTensor(t, rows, cols, seg);
                float[] deq = new float[rows * cols];
                for (int r = 0; r < rows; r++) Quants.dequantize(t, seg, r * w.rowBytes(), cols, deq, r * cols);
                for (int n : new int[]{32, 45, 70}) {
                    float[] x = new float[3 + n * cols];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    int ldt = GemmKernels.ldt(n);
                    float[] xt = new float[cols * ldt];
                    Arrays.fill(xt, Float.NaN); // padding must be zeroed by transpose
                    GemmKernels.transpose(x, 3, n, cols, xt);
                    int outStride = rows + 2;
                    float[] out = new float[1 + n * outStride];
                    Arrays.fill(out, Float.NaN);
                    float[] wbuf = new float[GemmKernels.MR * cols], tmp = new float[GemmKernels.TMP];
                    int done = GemmKernels.matmulRows(w, 3, rows, xt, n, out, 1, outStride, wbuf, tmp);
                    assertEquals(3 + (rows - 3) / GemmKernels.MR * GemmKernels.MR, done, "first row left to the caller");
                    for (int b = 0; b < n; b++)
                        for (int r = 0; r < rows + 2; r++) {
                            float got = out[1 + b * outStride + r];
                            if (r < 3 || r >= done) {
                                assertTrue(Float.isNaN(got), t + " row " + r + " outside the groups was written");
                                continue;
                            }
                            double ref = 0, mag = 0;
                            for (int c = 0; c < cols; c++) {
                                double term = (double) deq[r * cols + c] * x[3 + b * cols + c];
                                ref += term;
                                mag += Math.abs(term);
                            }
                            assertTrue(Math.abs(got - ref) <= 1e-5 * mag + 1e-30,
                                    t + " cols=" + cols + " n=" + n + " b=" + b + " r=" + r + ": " + got + " vs " + ref);
                        }
                    assertTrue(Float.isNaN(out[0]), "nothing before outOff");
                }
            }
        }
    }

    /** Sane finite fp16/bf16 values where random bytes would give NaN or huge scales. */
    private static void fixScales(TensorType t, MemorySegment s, long n, Random rnd) {
        switch (t) {
            case F32 -> { for (long i = 0; i < n; i++) s.set(KernelsTest.F32, 4 * i, (float) rnd.nextGaussian()); }
            case F16 -> { for (long i = 0; i < n; i++) s.set(Kernels.I16, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian())); }
            case BF16 -> { for (long i = 0; i < n; i++) s.set(Kernels.I16, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16)); }
            case Q8_0 -> { for (long b = 0; b < n / 32; b++) s.set(Kernels.I16, 34 * b, Float.floatToFloat16((float) (0.001 + 0.05 * rnd.nextDouble()))); }
            case Q4_K -> {
                for (long b = 0; b < n / 256; b++) {
                    s.set(Kernels.I16, 144 * b, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
                    s.set(Kernels.I16, 144 * b + 2, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
                }
            }
            case Q6_K -> { for (long b = 0; b < n / 256; b++) s.set(Kernels.I16, 210 * b + 208, Float.floatToFloat16((float) (0.0005 + 0.002 * rnd.nextDouble()))); }
            default -> throw new IllegalArgumentException(t.toString());
        }
    }
}
