package dev.infercost.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.TimeUnit;

/**
 * Decode throughput: one operation = one generated token, so JMH's ops/s is aggregate tok/s over the
 * batch (each invocation is one decode step producing {@code batch} tokens). Context length and model
 * come from {@link DecoderState}'s parameters.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeBenchmark {

    @Benchmark
    @OperationsPerInvocation(1)
    public int decodeBatch1(DecoderState.Batch1 s) { return s.step(); }

    @Benchmark
    @OperationsPerInvocation(8)
    public int decodeBatch8(DecoderState.Batch8 s) { return s.step(); }

    @Benchmark
    @OperationsPerInvocation(32)
    public int decodeBatch32(DecoderState.Batch32 s) { return s.step(); }

    /**
     * Any batch size ({@link DecoderState.BatchN#batchSize}): one invocation is one step of {@code batchSize}
     * tokens, so the runner must pass JMH's operations-per-invocation ({@code -opi batchSize}) for ops/s to be
     * tok/s, as {@code dev.infercost.measure.MeasureStage} does; without it the score is steps/s.
     */
    @Benchmark
    public int decodeBatchN(DecoderState.BatchN s) { return s.step(); }
}
