package dev.infercost.bench.onnx;

import java.util.Arrays;
import java.util.Locale;

/**
 * Interleaved A/B companion to {@link OnnxOverheadBenchmark} for shared, noisy machines: in one JVM, on one
 * session, alternates blocks of {@code harnessDecode} and {@code bareRun} steps and reports the median of the
 * per-pair ratios (harness block time / adjacent bare block time), so slow drifts in machine load cancel.
 * JMH runs the two methods in separate forks minutes apart, where a load change shows up as "overhead".
 *
 * <p>Usage: {@code java ... dev.infercost.bench.onnx.OnnxOverheadProbe [model=stories260K] [pairs=40] [steps=50] [threads=1]}
 */
public final class OnnxOverheadProbe {
    public static void main(String[] args) throws Exception {
        String model = "stories260K";
        int pairs = 40, steps = 50, threads = 1;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "model" -> model = kv[1];
                case "pairs" -> pairs = Integer.parseInt(kv[1]);
                case "steps" -> steps = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        OnnxOverheadBenchmark b = new OnnxOverheadBenchmark();
        b.model = model;
        b.variant = "contrib";
        b.threads = threads;
        b.context = 64;
        b.setup();
        try {
            for (int i = 0; i < steps * 4; i++) { b.harnessDecode(); b.bareRun(); }   // warm-up
            double[] ratio = new double[pairs], hUs = new double[pairs], bUs = new double[pairs];
            for (int p = 0; p < pairs; p++) {
                boolean harnessFirst = (p & 1) == 0;
                long th = 0, tb = 0;
                for (int half = 0; half < 2; half++) {
                    long t0 = System.nanoTime();
                    if (harnessFirst == (half == 0)) { for (int i = 0; i < steps; i++) b.harnessDecode(); th = System.nanoTime() - t0; }
                    else { for (int i = 0; i < steps; i++) b.bareRun(); tb = System.nanoTime() - t0; }
                }
                ratio[p] = (double) th / tb;
                hUs[p] = th / 1e3 / steps;
                bUs[p] = tb / 1e3 / steps;
            }
            Arrays.sort(ratio); Arrays.sort(hUs); Arrays.sort(bUs);
            System.out.printf(Locale.ROOT, "model=%s threads=%d context=64 pairs=%d steps/block=%d%n", model, threads, pairs, steps);
            System.out.printf(Locale.ROOT, "median step: harness %.1f us, bare ORT run %.1f us%n", hUs[pairs / 2], bUs[pairs / 2]);
            System.out.printf(Locale.ROOT, "harness overhead (median of paired ratios - 1): %+.2f%%  (interquartile %+.2f%% .. %+.2f%%)%n",
                    (ratio[pairs / 2] - 1) * 100, (ratio[pairs / 4] - 1) * 100, (ratio[3 * pairs / 4] - 1) * 100);
        } finally {
            b.close();
        }
    }
}
