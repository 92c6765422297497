package dev.infercost.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * Prefill throughput of one prompt of {@code isl} tokens at batch 1. JMH reports prompts/s; the run
 * converts it to tok/s by multiplying by ISL (annotation constants cannot follow a parameter).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PrefillBenchmark {

    @Benchmark
    public float prefill(DecoderState.Batch1 s) {
        s.session.prefill(0, s.prompt, 0, s.logits);
        return s.logits[0];
    }
}
