package dev.infercost.engine.jvm;

import dev.infercost.model.Quants;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused batch-1 Q4_K, Q6_K and BF16 products against Quants' scalar dequantisation (dequantize_row_q4_K, dequantize_row_q6_K) and a double dot product. */
class KQuantKernelsTest {

    @Test
    void fusedQ6KMatchesDequantisedReference() {
        Assumptions.assumeTrue(KQuantKernels.SUPPORTED, "needs 8 or 16 float lanes");
        Random rnd = new Random(4);
        int rows = 6;
        for (int cols : new int[]{256, 768, 2048}) {
            long rowBytes = cols / 256 * 210L;
            MemorySegment seg = Arena.ofAuto().allocate(rowBytes * rows, 8);
            for (long b = 0; b < (long) rows * cols / 256; b++) {
                long p = 210 * b;
                for (int i = 0; i < 208; i++) seg.set(ValueLayout.JAVA_BYTE, p + i, (byte) rnd.nextInt(256)); // quants, signed scales
                seg.set(Kernels.I16, p + 208, Float.floatToFloat16((float) (0.0005 + 0.002 * rnd.nextDouble())));
            }
            float[] x = new float[cols + 2];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] out = new float[rows], scratch = new float[cols / 16 + 16];
            KQuantKernels.matvecQ6K(seg, rowBytes, cols, 0, 4, x, 2, out, 0, scratch);
            KQuantKernels.matvecQ6K(seg, rowBytes, cols, 4, rows, x, 2, out, 0, scratch);
            check(TensorType.Q6_K, seg, rowBytes, cols, rows, x, 2, out, 0);
        }
    }

    /** out[o + r] against Quants' dequantised row r dotted with x in double, within 2e-5 of the sum of |terms|. */
    private static void check(TensorType t, MemorySegment seg, long rowBytes, int cols, int rows, float[] x, int xo, float[] out, int o) {
        float[] w = new float[cols];
        for (int r = 0; r < rows; r++) {
            Quants.dequantize(t, seg, r * rowBytes, cols, w, 0);
            double ref = 0, mag = 0;
            for (int c = 0; c < cols; c++) {
                ref += (double) w[c] * x[xo + c];
                mag += Math.abs((double) w[c] * x[xo + c]);
            }
            double got = out[o + r];
            assertTrue(Math.abs(got - ref) <= 2e-5 * mag, t + " cols=" + cols + " r=" + r + ": " + got + " vs " + ref + " (magnitude " + mag + ")");
        }
    }

    @Test
    void fusedQ4KMatchesDequantisedReference() {
        Assumptions.assumeTrue(KQuantKernels.SUPPORTED, "needs 8 or 16 float lanes");
        Random rnd = new Random(3);
        int rows = 7;
        for (int cols : new int[]{256, 512, 768, 2048}) {
            long rowBytes = cols / 256 * 144L;
            MemorySegment seg = Arena.ofAuto().allocate(rowBytes * rows, 8);
            for (long b = 0; b < (long) rows * cols / 256; b++) {
                long p = 144 * b;
                for (int i = 0; i < 144; i++) seg.set(ValueLayout.JAVA_BYTE, p + i, (byte) rnd.nextInt(256)); // scales, mins, nibbles
                seg.set(Kernels.I16, p, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
                seg.set(Kernels.I16, p + 2, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
            }
            float[] x = new float[cols + 5];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            int xo = 5;
            float[] out = new float[rows + 1], scratch = new float[cols / 16 + 16];
            Arrays.fill(out, Float.NaN);
            KQuantKernels.matvecQ4K(seg, rowBytes, cols, 0, 3, x, xo, out, 1, scratch);
            KQuantKernels.matvecQ4K(seg, rowBytes, cols, 3, rows, x, xo, out, 1, scratch);
            check(TensorType.Q4_K, seg, rowBytes, cols, rows, x, xo, out, 1);
        }
    }

    @Test
    void bf16MatchesDequantisedReference() {
        Assumptions.assumeTrue(Bf16Kernels.SUPPORTED, "needs 8 or 16 float lanes");
        Random rnd = new Random(5);
        int rows = 9;
        // 40 and 776 leave a tail past the last whole chunk of 2L elements (L = 8 or 16)
        for (int cols : new int[]{8, 40, 768, 776, 2048}) {
            long rowBytes = 2L * cols;
            MemorySegment seg = Arena.ofAuto().allocate(rowBytes * rows, 8);
            for (long i = 0; i < (long) rows * cols; i++)
                seg.set(Kernels.I16, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
            float[] x = new float[cols + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] out = new float[rows + 2], scratch = new float[cols];
            Arrays.fill(out, Float.NaN);
            Bf16Kernels.matvecRows(seg, rowBytes, cols, 0, 5, x, 3, out, 2, scratch);
            Bf16Kernels.matvecRows(seg, rowBytes, cols, 5, rows, x, 3, out, 2, scratch);
            check(TensorType.BF16, seg, rowBytes, cols, rows, x, 3, out, 2);
        }
    }
}
