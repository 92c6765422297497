package dev.infercost.cli;

import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.Sampler;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Timing main (not a test): runs the generate loop REPEATS times in one JVM on the same engine, so the later
 * runs show steady-state (JIT-compiled) tok/s, printed to stderr exactly as run.c's "achieved tok/s" line.
 * Usage: GenerateTiming MODEL TOKENIZER|- PROMPT STEPS THREADS REPEATS
 */
public final class GenerateTiming {
    public static void main(String[] a) throws Exception {
        LlamaModel m = Models.load(a[0], a[1].equals("-") ? null : Path.of(a[1]));
        int steps = Math.min(Integer.parseInt(a[3]), m.config().seqLen());
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(Integer.parseInt(a[4]), null, Map.of()))) {
            java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int r = 0; r < Integer.parseInt(a[5]); r++) {
                long c0 = tmx.getCurrentThreadCpuTime();
                int pos = GenerateCommand.run(e, m.tokenizer(), a[2], steps, new Sampler(m.config().vocabSize(), 0f, 0.9f, 1), OutputStream.nullOutputStream(), System.err);
                // CPU time of this (the calling) thread: robust to other processes on a shared machine; meaningful for threads=1
                System.err.printf(java.util.Locale.ROOT, "cpu-time tok/s (calling thread, all %d positions): %f%n", pos, pos / ((tmx.getCurrentThreadCpuTime() - c0) / 1e9));
            }
        }
    }
}
