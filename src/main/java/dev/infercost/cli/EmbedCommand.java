package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.engine.onnx.MiniLmEncoder;
import dev.infercost.engine.tornado.TornadoEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code infercost embed}: all-MiniLM-L6-v2 sentence embeddings on ONNX Runtime (CPU) or TornadoVM (the same
 * ONNX file's weights run by infercost's kernels), optionally timed over repeated runs of the tokenised batch.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embeds texts with all-MiniLM-L6-v2 on ONNX Runtime (CPU) or TornadoVM: prints each embedding's dimension, "
                + "L2 norm and first values, and the pairwise cosine similarities when several texts are given.")
public final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--text", required = true, description = "Text to embed (repeat for several; they form one padded batch).")
    List<String> texts;

    @Option(names = "--backend", defaultValue = "onnx", description = "onnx (ONNX Runtime CPU) or tornado (TornadoVM kernels; needs TORNADOVM_HOME). Default ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--device", description = "TornadoVM device B:D as `infercost devices` lists it (tornado only; default 0:0).")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = all processors; default ${DEFAULT-VALUE}). "
            + "With --backend tornado ONNX Runtime still tokenises (its DJL tokenizer) but does not run.")
    int threads;

    @Option(names = "--values", defaultValue = "8", description = "How many leading values to print (default ${DEFAULT-VALUE}).")
    int values;

    @Option(names = "--repeat", defaultValue = "0", description = "Also time this many runs of the tokenised batch after one warm-up run "
            + "and print sequences/s (model only, tokenisation excluded; default ${DEFAULT-VALUE} = no timing).")
    int repeat;

    @Override
    public Integer call() {
        if (!backend.equals("onnx") && !backend.equals("tornado"))
            throw new BadInputException("--backend " + backend + ": expected onnx or tornado");
        if (repeat < 0) throw new BadInputException("--repeat " + repeat + ": expected >= 0");
        try (MiniLmEncoder enc = MiniLmEncoder.open(threads);
             TornadoEncoder tornado = backend.equals("tornado") ? TornadoEncoder.openMiniLm(device) : null) {
            MiniLmEncoder.Batch batch = enc.tokenize(texts);
            String what = tornado != null ? "all-MiniLM-L6-v2 (" + tornado.description() + ")"
                    : "all-MiniLM-L6-v2 (ONNX Runtime CPU, " + enc.threads() + " threads)";
            long t0 = System.nanoTime();
            float[][] e = tornado != null ? tornado.run(batch) : enc.run(batch);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "model: %s, %d text(s) of %d tokens (padded) in %.1f ms (first run%s)%n", what, e.length,
                    batch.seq(), ms, tornado != null ? ": includes kernel compilation and weight upload" : "");
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
            if (repeat > 0) {
                List<Double> perRunMs = new ArrayList<>();
                long start = System.nanoTime();
                for (int r = 0; r < repeat; r++) {
                    long s = System.nanoTime();
                    if (tornado != null) tornado.run(batch); else enc.run(batch);
                    perRunMs.add((System.nanoTime() - s) / 1e6);
                }
                double total = (System.nanoTime() - start) / 1e9;
                perRunMs.sort(null);
                System.out.printf(Locale.ROOT, "timing: %d runs of batch %d x %d tokens: %.1f sequences/s, median %.2f ms/run, min %.2f ms/run (wall clock, tokenisation excluded)%n",
                        repeat, batch.batch(), batch.seq(), repeat * batch.batch() / total, perRunMs.get(perRunMs.size() / 2), perRunMs.getFirst());
            }
        }
        return 0;
    }
}
