package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Vector API matmul kernels (4x4 tiles: F32, fused Q8_0, chunk-dequantised F16/Q8_0; single-row dots) against a plain scalar
 * reference: out[b][r] = sum_c w.get(r, c) * x[b][c] in double, with w.get the tensor's scalar dequantisation.
 */
class KernelsTest {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A random [rows, cols] tensor of the given type (Q8_0: random fp16 scale and int8 quants per block). */
    static MappedTensor random(TensorType t, int rows, int cols, Random rnd) {
        MemorySegment seg = Arena.ofAuto().allocate(t.bytesFor((long) rows * cols), 8);
        long n = (long) rows * cols;
        switch (t) {
            case F32 -> { for (long i = 0; i < n; i++) seg.set(F32, 4 * i, (float) rnd.nextGaussian()); }
            case F16 -> { for (long i = 0; i < n; i++) seg.set(I16, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian())); }
            case Q8_0 -> {
                for (long b = 0; b < n / 32; b++) {
                    seg.set(I16, 34 * b, Float.floatToFloat16((float) (0.001 + 0.05 * rnd.nextDouble())));
                    for (int i = 0; i < 32; i++) seg.set(ValueLayout.JAVA_BYTE, 34 * b + 2 + i, (byte) (rnd.nextInt(255) - 127));
                }
            }
        }
        return new MappedTensor(t, rows, cols, seg);
    }

    @Test
    void matmulRowsMatchesScalarReferenceForAllTypesBatchesAndLengths() {
        Random rnd = new Random(42);
        int L = Kernels.L;
        int[] f32Cols = {1, 7, L - 1, L, L + 3, 2 * L + 5, 64, 100, 4 * L + 1, 288, 1100, 4100}; // 4100: chunks of 4096 and 4
        int[] q8Cols = {32, 64, 96, 160, 288, 4128}; // 4128: chunks of 4096 and 32
        // the other block types are unpacked by QuantKernels (QuantKernelsTest) and run through these tiles in GgufGoldenTest
        for (TensorType t : new TensorType[]{TensorType.F32, TensorType.F16, TensorType.Q8_0}) {
            for (int cols : t == TensorType.Q8_0 ? q8Cols : f32Cols) {
                int rows = 11; // 2 tiles of 4 rows + 3 single rows
                MappedTensor w = random(t, rows, cols, rnd);
                for (int n = 1; n <= 9; n++) {
                    float[] x = new float[n * cols + 5];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    int xOff = 3, outOff = 2, outStride = rows + 1;
                    float[] out = new float[outOff + n * outStride];
                    float[] scratch = new float[4 * cols];
                  for (boolean fused : new boolean[]{true, false}) {
                    java.util.Arrays.fill(out, Float.NaN);
                    // two ranges, so tiles start at an odd row too
                    Kernels.matmulRows(w, 0, 5, x, xOff, n, out, outOff, outStride, scratch, fused);
                    Kernels.matmulRows(w, 5, rows, x, xOff, n, out, outOff, outStride, scratch, fused);
                    for (int b = 0; b < n; b++)
                        for (int r = 0; r < rows; r++) {
                            double ref = 0, mag = 0;
                            for (int c = 0; c < cols; c++) {
                                double p = (double) w.get((long) r * cols + c) * x[xOff + b * cols + c];
                                ref += p;
                                mag += Math.abs(p);
                            }
                            double got = out[outOff + b * outStride + r];
                            assertTrue(Math.abs(got - ref) <= 1e-5 * mag + 1e-30,
                                    t + (fused ? " fused" : " chunked") + " cols=" + cols + " n=" + n + " b=" + b + " r=" + r + ": " + got + " vs " + ref);
                        }
                  }
                }
            }
        }
    }

}
