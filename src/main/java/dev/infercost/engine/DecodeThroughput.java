package dev.infercost.engine;

import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;

import java.util.Locale;
import java.util.Map;

/**
 * Plain decode-throughput measurement of any {@link Engine} (for quick comparisons and for JMH benchmarks to
 * call): {@code batch} sequences in separate slots, all decoding greedily from BOS, so at step t every sequence
 * is at position t. Aggregate tok/s = batch x steps / wall time of the decode steps (prefill excluded).
 */
public final class DecodeThroughput {
    private DecodeThroughput() {}

    /**
     * Runs {@code steps} decode steps of {@code batch} sequences from position 0 in a fresh session.
     *
     * @return aggregate decode tokens per second (all sequences together)
     */
    public static double measure(Engine engine, int batch, int steps) {
        int vocab = engine.config().vocabSize();
        try (DecodeSession s = engine.newSession(batch, steps)) {
            int[] slots = new int[batch], toks = new int[batch], pos = new int[batch], next = new int[batch];
            float[] logits = new float[batch * vocab];
            for (int i = 0; i < batch; i++) { slots[i] = i; toks[i] = 1 + i; }
            long t0 = System.nanoTime();
            for (int p = 0; p < steps; p++) {
                java.util.Arrays.fill(pos, p);
                s.decodeGreedy(batch, slots, toks, pos, next, logits);
                System.arraycopy(next, 0, toks, 0, batch);
            }
            return (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * Prefill throughput: one prompt of {@code promptLength} tokens (BOS then ids 3, 4, ...) prefilled into slot 0
     * of a fresh single-slot session.
     *
     * @return prompt tokens per second (prefill only)
     */
    public static double measurePrefill(Engine engine, int promptLength) {
        int vocab = engine.config().vocabSize();
        int[] toks = new int[promptLength];
        for (int i = 0; i < promptLength; i++) toks[i] = i == 0 ? 1 : 3 + (i % (vocab - 3));
        float[] logits = new float[vocab];
        try (DecodeSession s = engine.newSession(1, promptLength)) {
            long t0 = System.nanoTime();
            s.prefill(0, toks, 0, logits);
            return promptLength / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * {@code java ... dev.infercost.engine.DecodeThroughput MODEL BACKEND THREADS BATCH STEPS REPEATS}: prints the
     * aggregate decode tok/s of each repeat (the first ones include JIT warm-up), and the process CPU time of the
     * repeat (all threads, including JIT and GC threads; on a shared machine wall time includes waiting for a core).
     */
    public static void main(String[] args) {
        LlamaModel m = Models.load(args[0], null);
        int threads = Integer.parseInt(args[2]), batch = Integer.parseInt(args[3]), steps = Integer.parseInt(args[4]), reps = Integer.parseInt(args[5]);
        try (Engine e = Engines.require(args[1]).open(m, new EngineOptions(threads, null, Map.of()))) {
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int r = 0; r < reps; r++) {
                long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                double tps = measure(e, batch, steps);
                double cpuS = (os.getProcessCpuTime() - cpu0) / 1e9, wallS = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "%s %s threads=%d batch=%d steps=%d: %.1f tok/s (wall %.2f s, process CPU %.2f s, %.1f tok per CPU-s)%n",
                        m.info().name(), e.backend(), threads, batch, steps, tps, wallS, cpuS, batch * steps / cpuS);
            }
        }
    }
}
