package dev.infercost.measure;

import dev.infercost.engine.onnx.MiniLmEncoder;

import java.util.ArrayList;
import java.util.List;

/**
 * The encoder benchmark's workload: {@value #SIZE} deterministic English sentences padded to one length. Shared by
 * the JMH benchmark ({@code benchmarks/}, which runs it) and the measure stage (which needs its padded length for the
 * tok/s of the encode rows) so the stage never imports benchmark classes.
 */
public final class EncoderBatch {
    private EncoderBatch() {}

    /** Sentences per benchmark invocation (one JMH operation = one sequence). */
    public static final int SIZE = 8;

    /** Deterministic English sentences of {@code words} words each, different per index. */
    public static List<String> sentences(int n, int words) {
        String[] vocab = ("the a small large red blue dog cat bird runs jumps sleeps in on under over house garden "
                + "tree river city quickly slowly happy sad old new child teacher book story reads writes sees").split(" ");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) sb.append(w == 0 ? "" : " ").append(vocab[(i * 7 + w * 13 + w * w) % vocab.length]);
            out.add(sb.append('.').toString());
        }
        return out;
    }

    /** Padded tokens per sequence of the benchmark batch [tok] (ISL of the encode rows). */
    public static int paddedLength(int words, int threads) {
        try (MiniLmEncoder e = MiniLmEncoder.open(threads)) {
            return e.tokenize(sentences(SIZE, words)).seq();
        }
    }
}
