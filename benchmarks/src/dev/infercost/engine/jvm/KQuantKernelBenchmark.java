package dev.infercost.engine.jvm;

import dev.infercost.model.TensorType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Batch-1 matrix-vector products of the packed types the engine reads in place (Q4_K, Q6_K, BF16) on one thread, one
 * op = one product of a [rows, cols] matrix with a vector (score in ops/s; weights per second = score x rows x cols).
 * {@code kernel} is what the engine's batch-1 path runs for that type ({@link KQuantKernels} for the K-quants,
 * {@link Bf16Kernels} for BF16); {@code dequant} is the generic path (dequantise a row into a float
 * buffer with {@link QuantKernels}, then an fp32 dot product), for scale. Blocks hold random quants with small sane
 * fp16 scales. The default 32000 x 768 is the stories110M shape's classifier, the largest matrix of the model.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp "target/infercost.jar:target/lib/*" org.openjdk.jmh.Main \
 *     KQuantKernelBenchmark -p type=Q4_K,Q6_K,BF16</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KQuantKernelBenchmark {
    @Param({"Q4_K", "Q6_K", "BF16"})
    public String type;
    @Param({"32000"})
    public int rows;
    @Param({"768"})
    public int cols;

    private TensorType t;
    private MemorySegment seg;
    private long rowBytes;
    private float[] x, out, scratch;

    @Setup(Level.Trial)
    public void setup() {
        t = TensorType.valueOf(type);
        rowBytes = t.bytesFor(cols);
        seg = Arena.ofAuto().allocate(rowBytes * rows, 64);
        SplittableRandom rnd = new SplittableRandom(1);
        for (long i = 0; i < rowBytes * rows; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        long blocks = (long) rows * cols / t.blockSize;
        for (long b = 0; b < blocks; b++) {
            long p = b * t.blockBytes;
            switch (t) {
                case Q4_K -> {
                    seg.set(Kernels.I16, p, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
                    seg.set(Kernels.I16, p + 2, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
                }
                case Q6_K -> seg.set(Kernels.I16, p + 208, Float.floatToFloat16((float) (0.001 + 0.01 * rnd.nextDouble())));
                case BF16 -> seg.set(Kernels.I16, p, (short) (Float.floatToRawIntBits((float) (rnd.nextDouble() * 0.1 - 0.05)) >>> 16));
                default -> throw new IllegalArgumentException(type);
            }
        }
        x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        out = new float[rows];
        scratch = new float[4 * cols];
    }

    @Benchmark
    public float kernel() {
        switch (t) {
            case Q4_K -> KQuantKernels.matvecQ4K(seg, rowBytes, cols, 0, rows, x, 0, out, 0, scratch);
            case Q6_K -> KQuantKernels.matvecQ6K(seg, rowBytes, cols, 0, rows, x, 0, out, 0, scratch);
            default -> Bf16Kernels.matvecRows(seg, rowBytes, cols, 0, rows, x, 0, out, 0, scratch);
        }
        return out[rows - 1];
    }

    @Benchmark
    public float dequant() {
        for (int r = 0; r < rows; r++) {
            QuantKernels.dequant(t, seg, r * rowBytes, cols, scratch, 0);
            out[r] = Kernels.dotArr(scratch, 0, x, 0, cols);
        }
        return out[rows - 1];
    }
}
