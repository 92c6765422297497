package dev.infercost.bench;

import dev.infercost.engine.onnx.MiniLmEncoder;
import dev.infercost.measure.EncoderBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Encoder throughput: all-MiniLM-L6-v2 on ONNX Runtime (CPU), a pre-tokenised batch of
 * {@value #BATCH} sentences padded to one length. One operation = one sequence, so JMH's ops/s is
 * sequences/s; the run multiplies by the padded sequence length for tok/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class EncoderBenchmark {
    public static final int BATCH = EncoderBatch.SIZE;

    /** Sentence length in words (the tokenizer adds [CLS]/[SEP]; about one token per word here). */
    @Param({"30"})
    public int words;
    /** ONNX Runtime intra-op threads (0 = all processors). */
    @Param({"0"})
    public int threads;

    MiniLmEncoder encoder;
    MiniLmEncoder.Batch batch;

    /** Deterministic English sentences of {@code words} words each (see {@link EncoderBatch#sentences}). */
    public static List<String> sentences(int n, int words) { return EncoderBatch.sentences(n, words); }

    @Setup(Level.Trial)
    public void setup() {
        encoder = MiniLmEncoder.open(threads);
        batch = encoder.tokenize(sentences(BATCH, words));
    }

    @TearDown(Level.Trial)
    public void close() { if (encoder != null) encoder.close(); }

    /** Padded tokens per sequence of the benchmark batch (see {@link EncoderBatch#paddedLength}). */
    public static int paddedLength(int words, int threads) { return EncoderBatch.paddedLength(words, threads); }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float encode() {
        return encoder.run(batch)[0][0];
    }
}
