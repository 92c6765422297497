package dev.infercost.bench.onnx;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.TimeUnit;

/**
 * Decode throughput of backend "onnx" beside "jvm" (parameter {@code backend}) at batch 1/8/32: one operation
 * = one generated token, so JMH's ops/s is aggregate decode tok/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OnnxDecodeBenchmark {
    @Benchmark
    @OperationsPerInvocation(1)
    public int decodeBatch1(OnnxBenchState.Batch1 s) { return s.step(); }

    @Benchmark
    @OperationsPerInvocation(8)
    public int decodeBatch8(OnnxBenchState.Batch8 s) { return s.step(); }

    @Benchmark
    @OperationsPerInvocation(32)
    public int decodeBatch32(OnnxBenchState.Batch32 s) { return s.step(); }
}
