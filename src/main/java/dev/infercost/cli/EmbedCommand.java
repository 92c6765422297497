package dev.infercost.cli;

import dev.infercost.engine.onnx.MiniLmEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code infercost embed}: all-MiniLM-L6-v2 sentence embeddings on ONNX Runtime (CPU). */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embeds texts with all-MiniLM-L6-v2 on ONNX Runtime (CPU): prints each embedding's dimension, "
                + "L2 norm and first values, and the pairwise cosine similarities when several texts are given.")
public final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--text", required = true, description = "Text to embed (repeat for several).")
    List<String> texts;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = all processors; default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--values", defaultValue = "8", description = "How many leading values to print (default ${DEFAULT-VALUE}).")
    int values;

    @Override
    public Integer call() {
        try (MiniLmEncoder enc = MiniLmEncoder.open(threads)) {
            long t0 = System.nanoTime();
            float[][] e = enc.embed(texts);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "model: all-MiniLM-L6-v2 (ONNX Runtime CPU, %d threads), %d text(s) in %.1f ms%n", enc.threads(), e.length, ms);
            for (int i = 0; i < e.length; i++) {
                double norm = 0;
                for (float v : e[i]) norm += v * v;
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < Math.min(values, e[i].length); j++) sb.append(String.format(Locale.ROOT, "%s%.5f", j == 0 ? "" : ", ", e[i][j]));
                System.out.printf(Locale.ROOT, "[%d] dims=%d norm=%.6f first=[%s]  \"%s\"%n", i, e[i].length, Math.sqrt(norm), sb, texts.get(i));
            }
            if (e.length > 1) {
                System.out.println("pairwise cosine similarity:");
                for (int i = 0; i < e.length; i++)
                    for (int j = i + 1; j < e.length; j++)
                        System.out.printf(Locale.ROOT, "  cos([%d],[%d]) = %.6f%n", i, j, MiniLmEncoder.cosine(e[i], e[j]));
            }
        }
        return 0;
    }
}
