package dev.infercost.engine.jvm;

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
 * Batch-1 Q8_0 matrix-vector kernels on one thread, one op = one product of a [rows, cols] Q8_0 matrix with a vector
 * (score in ops/s; bytes per second = score x rows x cols / 32 x 34): {@code fp32} is the engine's default
 * {@link Kernels#dotQ8} row by row (activations in fp32), {@code int8} is {@link Q8IntKernels} (activations quantised
 * to Q8_0 once per product, as in the engine with {@code -Dinfercost.jvm.q8int=true}, quantisation included).
 * The default 160000 x 768 (130 MB, about the stories110M shape's Q8_0 weights) is beyond the caches; {@code rows=2000}
 * (1.6 MB) fits a 2 MB+ L2 and shows the arithmetic alone.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp "target/infercost.jar:target/lib/*" org.openjdk.jmh.Main \
 *     Q8KernelBenchmark -p rows=160000,2000 -jvmArgsAppend --add-modules=jdk.incubator.vector</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Q8KernelBenchmark {
    @Param({"160000"})
    public int rows;
    @Param({"768"})
    public int cols;

    private MemorySegment seg;
    private long rowBytes;
    private float[] x, out;
    private short[] q;
    private float[] d;

    @Setup(Level.Trial)
    public void setup() {
        rowBytes = cols / 32 * 34L;
        seg = Arena.ofAuto().allocate(rowBytes * rows, 64);
        SplittableRandom rnd = new SplittableRandom(1);
        for (long b = 0; b < (long) rows * cols / 32; b++) {
            seg.set(Kernels.I16, 34 * b, Float.floatToFloat16((float) (0.001 + 0.05 * rnd.nextDouble())));
            for (int i = 0; i < 32; i++) seg.set(ValueLayout.JAVA_BYTE, 34 * b + 2 + i, (byte) (rnd.nextInt(255) - 127));
        }
        x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        out = new float[rows];
        q = new short[cols];
        d = new float[cols / 32];
    }

    @Benchmark
    public float fp32() {
        for (int r = 0; r < rows; r++) out[r] = Kernels.dotQ8(seg, r * rowBytes, x, 0, cols);
        return out[rows - 1];
    }

    @Benchmark
    public float int8() {
        Q8IntKernels.quantize(x, 0, cols, q, d);
        Q8IntKernels.matvecRows(seg, rowBytes, cols, 0, rows, q, d, out, 0);
        return out[rows - 1];
    }
}
