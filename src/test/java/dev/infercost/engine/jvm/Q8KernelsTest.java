package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The repacked Q8_0 small-batch kernels against a double-precision scalar reference over the original GGML blocks. */
class Q8KernelsTest {

    @Test
    void repackKeepsEveryValue() {
        Random rnd = new Random(7);
        MappedTensor w = KernelsTest.random(TensorType.Q8_0, 5, 96, rnd);
        try (Arena a = Arena.ofConfined()) {
            RepackedQ8 p = RepackedQ8.of(w);
            for (int r = 0; r < 5; r++)
                for (int c = 0; c < 96; c++)
                    assertEquals(w.get((long) r * 96 + c), p.d[r * 3 + c / 32] * p.q[r * 96 + c], 0f,
                            "r=" + r + " c=" + c);
        }
    }

    @Test
    void matmulRowsMatchesScalarReference() {
        Random rnd = new Random(11);
        int rows = 11; // 2 passes of 4 rows + 3 single rows
        for (int cols : new int[] {32, 64, 96, 160, 288, 4128}) {
            MappedTensor w = KernelsTest.random(TensorType.Q8_0, rows, cols, rnd);
            try (Arena a = Arena.ofConfined()) {
                RepackedQ8 p = RepackedQ8.of(w);
                for (int n = 1; n <= 3; n++) {
                    float[] x = new float[n * cols + 5];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    int xOff = 3, outOff = 2, outStride = rows + 1;
                    float[] out = new float[outOff + n * outStride];
                    java.util.Arrays.fill(out, Float.NaN);
                    // two ranges, so 4-row passes start at an odd row too
                    Q8Kernels.matmulRows(p, 0, 5, x, xOff, n, out, outOff, outStride);
                    Q8Kernels.matmulRows(p, 5, rows, x, xOff, n, out, outOff, outStride);
                    for (int b = 0; b < n; b++)
                        for (int r = 0; r < rows; r++) {
                            double ref = 0, mag = 0;
                            for (int c = 0; c < cols; c++) {
                                double v = (double) w.get((long) r * cols + c) * x[xOff + b * cols + c];
                                ref += v;
                                mag += Math.abs(v);
                            }
                            double got = out[outOff + b * outStride + r];
                            assertTrue(Math.abs(got - ref) <= 1e-5 * mag + 1e-30, "cols=" + cols + " n=" + n + " b=" + b + " r=" + r + ": " + got + " vs " + ref);
                            double scalar = Q8Kernels.dotScalar(p, r, x, xOff + b * cols);
                            assertTrue(Math.abs(scalar - ref) <= 1e-5 * mag + 1e-30, "scalar cols=" + cols + ": " + scalar + " vs " + ref);
                        }
                }
            }
        }
    }
}
