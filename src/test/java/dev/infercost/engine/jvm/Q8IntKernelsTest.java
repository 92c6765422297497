package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integer Q8_0 x Q8_0 batch-1 path against (a) the same integer sums in double (exact but for fp32 accumulation)
 * and (b) the fp32-activation product, within the bound derived from the activation quantisation error
 * ({@link Q8IntKernels#errorBound}: |x - d q| <= d/2 per element plus the fp16 rounding of d).
 */
class Q8IntKernelsTest {

    @Test
    void quantizeFollowsGgmlQ8_0() {
        // quantize_row_q8_0_ref: d = amax / 127, q = roundf(x / d) (half away from zero), d stored as fp16
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = i - 16f; // amax 16
        x[31] = 16f * (2.5f / 127f);                        // exactly 2.5 steps: rounds away from zero to 3
        x[30] = -16f * (2.5f / 127f);                       // -2.5 steps: -3
        short[] q = new short[32];
        float[] d = new float[1];
        Q8IntKernels.quantize(x, 0, 32, q, d);
        float s = 16f / 127f;
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(s)), d[0], 0f);
        assertEquals(-127, q[0]);
        assertEquals(3, q[31]);
        assertEquals(-3, q[30]);
        for (int i = 0; i < 30; i++)
            assertEquals(Math.round(Math.abs(x[i]) / s) * (int) Math.signum(x[i]), q[i], "element " + i);
        // all-zero block: d = 0, quants 0
        float[] z = new float[64];
        short[] qz = new short[64];
        float[] dz = new float[2];
        Arrays.fill(qz, (short) 9);
        Q8IntKernels.quantize(z, 0, 64, qz, dz);
        assertEquals(0f, dz[0]);
        for (short v : qz) assertEquals(0, v);
    }

    @Test
    void integerPathMatchesExactSumsAndFp32WithinQuantisationBound() {
        Assumptions.assumeTrue(Q8IntKernels.SUPPORTED, "needs 16 or 32 short lanes");
        Random rnd = new Random(5);
        int rows = 11; // 2 passes of 4 rows + 3 single rows; split in two ranges so a pass starts at an odd row
        double worstRel = 0;
        for (int cols : new int[]{32, 64, 96, 288, 768, 4128}) {
            MappedTensor w = KernelsTest.random(TensorType.Q8_0, rows, cols, rnd);
            float[] x = new float[cols + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * (1 + 4 * rnd.nextDouble()));
            int xo = 3;
            short[] q = new short[cols];
            float[] d = new float[cols / 32];
            Q8IntKernels.quantize(x, xo, cols, q, d);
            float[] out = new float[rows + 2];
            Arrays.fill(out, Float.NaN);
            Q8IntKernels.matvecRows(w.data(), w.rowBytes(), cols, 0, 5, q, d, out, 2);
            Q8IntKernels.matvecRows(w.data(), w.rowBytes(), cols, 5, rows, q, d, out, 2);
            for (int r = 0; r < rows; r++) {
                long base = r * w.rowBytes();
                double exactInt = Q8IntKernels.dotScalar(w.data(), base, cols, q, d), fp32 = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    double v = (double) w.get((long) r * cols + c) * x[xo + c];
                    fp32 += v;
                    mag += Math.abs(v);
                }
                double got = out[2 + r];
                // (a) only fp32 rounding of the block sums and the accumulation differs from the exact integer sums
                assertTrue(Math.abs(got - exactInt) <= 1e-5 * mag, "cols=" + cols + " r=" + r + ": " + got + " vs exact integer path " + exactInt);
                // (b) against fp32 activations: within the quantisation bound, which is itself a small fraction of
                // the row's magnitude (else the check would be vacuous)
                double bound = Q8IntKernels.errorBound(w.data(), base, cols, x, xo, d);
                assertTrue(bound < 0.02 * mag, "bound " + bound + " vs magnitude " + mag);
                assertTrue(Math.abs(got - fp32) <= bound + 1e-5 * mag, "cols=" + cols + " r=" + r + ": " + got + " vs fp32 " + fp32 + " bound " + bound);
                worstRel = Math.max(worstRel, Math.abs(got - fp32) / mag);
            }
        }
        // the activation rounding is real (the integer path is not secretly the fp32 one)
        assertTrue(worstRel > 1e-5, "no visible activation rounding: " + worstRel);
    }

    @Test
    void extremeQuantsDoNotOverflowThePairSums() {
        Assumptions.assumeTrue(Q8IntKernels.SUPPORTED, "needs 16 or 32 short lanes");
        // weights -128 (the widest int8) against activation quants -127: products 16256, pairs 32512, block 520192
        int rows = 5, cols = 64;
        MappedTensor w = KernelsTest.random(TensorType.Q8_0, rows, cols, new Random(1));
        for (long b = 0; b < (long) rows * cols / 32; b++) {
            w.data().set(Kernels.I16, 34 * b, Float.floatToFloat16(1f));
            for (int i = 0; i < 32; i++) w.data().set(ValueLayout.JAVA_BYTE, 34 * b + 2 + i, (byte) -128);
        }
        float[] x = new float[cols];
        Arrays.fill(x, -127f); // d = 1, q = -127
        short[] q = new short[cols];
        float[] d = new float[cols / 32];
        Q8IntKernels.quantize(x, 0, cols, q, d);
        float[] out = new float[rows];
        Q8IntKernels.matvecRows(w.data(), w.rowBytes(), cols, 0, rows, q, d, out, 0);
        for (float v : out) assertEquals(128f * 127f * cols, v, 0f);
    }
}
