package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 4-rows-per-pass F32 matrix-vector kernel against a double-precision scalar reference. */
class F32KernelsTest {

    @Test
    void matvecRowsMatchesScalarReference() {
        Random rnd = new Random(5);
        int L = Kernels.L, rows = 11; // 2 passes of 4 rows + 3 single rows
        for (int cols : new int[] {1, 7, L, 2 * L + 5, 4 * L, 4 * L + 1, 6 * L + 3, 288, 768, 1100}) {
            MappedTensor w = KernelsTest.random(TensorType.F32, rows, cols, rnd);
            float[] x = new float[cols + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] out = new float[rows + 2];
            java.util.Arrays.fill(out, Float.NaN);
            F32Kernels.matvecRows(w.data(), w.rowBytes(), cols, 0, 5, x, 3, out, 2);
            F32Kernels.matvecRows(w.data(), w.rowBytes(), cols, 5, rows, x, 3, out, 2);
            for (int r = 0; r < rows; r++) {
                double ref = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    double v = (double) w.get((long) r * cols + c) * x[3 + c];
                    ref += v;
                    mag += Math.abs(v);
                }
                assertTrue(Math.abs(out[2 + r] - ref) <= 1e-5 * mag + 1e-30, "cols=" + cols + " r=" + r + ": " + out[2 + r] + " vs " + ref);
            }
        }
    }
}
