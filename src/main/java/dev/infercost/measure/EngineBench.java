package dev.infercost.measure;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one JMH benchmark method (from {@code benchmarks/}) in a forked JVM through JMH's Runner API and
 * returns its score with JMH's error. One call = one configuration, so a failing configuration is
 * reported and the rest of the run goes on.
 */
public final class EngineBench {
    private EngineBench() {}

    /**
     * JMH run settings.
     *
     * @param forks              forked JVMs per benchmark
     * @param warmupIterations   warmup iterations per fork
     * @param warmupTimeMs       length of one warmup iteration [ms]
     * @param measureIterations  measured iterations per fork
     * @param measureTimeMs      length of one measured iteration [ms]
     * @param jvmArgs            extra JVM args for the fork (the Vector API module etc. are always added)
     */
    public record Settings(int forks, int warmupIterations, int warmupTimeMs, int measureIterations, int measureTimeMs,
                           List<String> jvmArgs) {
        /**
         * --quick: 1 fork, 2 x 1 s warmup, 10 x 0.5 s measurement (7 s per benchmark, 2 s more than the former
         * 3 x 1 s). JMH's error is the Student-t 99.9% half-width {@code t(0.9995, n-1) x s / sqrt(n)}: with n = 3
         * iterations t = 31.6 and the half-width is 18.2 x s, so any iteration spread above 5.5% of the mean made it
         * wider than the mean (the cost stage's noise rule, {@code CostStage.Builder#noisy}); with n = 10, t = 4.78
         * and the half-width is 1.51 x s, so only a spread above 66% of the mean does.
         */
        public static Settings quick() { return new Settings(1, 2, 1000, 10, 500, List.of()); }
        /** Full run: 2 forks, 3 x 2 s warmup, 5 x 2 s measurement. */
        public static Settings full() { return new Settings(2, 3, 2000, 5, 2000, List.of()); }
    }

    /**
     * One benchmark's outcome.
     *
     * @param score      JMH primary score in ops/s (tokens/s for decode, prompts/s for prefill, sequences/s for encode)
     * @param error      JMH's 99.9% confidence-interval half-width, same unit (NaN when too few samples)
     * @param samples    measured iterations behind the score (forks x iterations)
     * @param secondary  secondary results (e.g. from the energy profiler), label -> score
     * @param failure    null when the benchmark ran, else the reason
     */
    public record Outcome(String benchmark, Map<String, String> params, double score, double error, long samples,
                          int forks, int iterations, Map<String, Double> secondary, String failure) {
        public boolean ok() { return failure == null; }
    }

    /**
     * Runs {@code benchmarkRegex} (e.g. {@code "DecodeBenchmark.decodeBatch8$"}) with the given JMH
     * {@code @Param} values and optional profiler.
     *
     * @param profiler      profiler class (e.g. the energy profiler) or null
     * @param profilerArgs  the profiler's option string (JMH syntax) or null
     */
    public static Outcome run(String benchmarkRegex, Map<String, String> params, Settings s,
                              Class<? extends org.openjdk.jmh.profile.Profiler> profiler, String profilerArgs) {
        return run(benchmarkRegex, params, s, profiler, profilerArgs, 0, null);
    }

    /**
     * As above; JMH's output and the forked JVMs' stdout/stderr go to stderr ({@link JmhOutput}), and
     * {@code progress} (or null) hears each iteration's start: a detail ("fork 1/2, warmup 2/3") and the fraction
     * of this benchmark's iterations done.
     *
     * @param opsPerInvocation operations per benchmark invocation overriding the method's
     *                         {@code @OperationsPerInvocation} (JMH's {@code -opi}; e.g. the batch size of
     *                         {@code decodeBatchN}, so ops/s is tok/s), or 0 to keep the annotation's
     */
    public static Outcome run(String benchmarkRegex, Map<String, String> params, Settings s,
                              Class<? extends org.openjdk.jmh.profile.Profiler> profiler, String profilerArgs,
                              int opsPerInvocation, java.util.function.BiConsumer<String, Double> progress) {
        // the JDK's default collector (G1) in the forks: with -XX:+UseParallelGC, passed here before, JMH decode of the
        // stories110M shape (F32, batch 1, 1 thread) ran at 14.3-14.7 tok/s against 25.9-28.5 with G1, same jar
        List<String> jvm = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx" + forkHeapBytes() / (1024 * 1024) + "m"));
        String home = System.getProperty("infercost.home");
        if (home != null) jvm.add("-Dinfercost.home=" + home);
        jvm.addAll(s.jvmArgs());
        ChainedOptionsBuilder ob = new OptionsBuilder()
                .include(benchmarkRegex)
                .forks(s.forks())
                .warmupIterations(s.warmupIterations()).warmupTime(TimeValue.milliseconds(s.warmupTimeMs()))
                .measurementIterations(s.measureIterations()).measurementTime(TimeValue.milliseconds(s.measureTimeMs()))
                .jvmArgsAppend(jvm.toArray(String[]::new))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        params.forEach(ob::param);
        if (opsPerInvocation > 0) ob.operationsPerInvocation(opsPerInvocation);
        if (profiler != null) {
            if (profilerArgs != null) ob.addProfiler(profiler, profilerArgs); else ob.addProfiler(profiler);
        }
        try {
            awaitJmhLock();
            Collection<RunResult> results = new Runner(ob.build(), new JmhOutput(System.err, progress)).run();
            if (results.isEmpty())
                return failed(benchmarkRegex, params, s, "JMH found no benchmark matching " + benchmarkRegex);
            RunResult r = results.iterator().next();
            Result<?> primary = r.getPrimaryResult();
            Map<String, Double> sec = new LinkedHashMap<>();
            for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) sec.put(e.getKey(), e.getValue().getScore());
            long n = primary.getStatistics().getN();
            return new Outcome(benchmarkRegex, params, primary.getScore(), primary.getScoreError(), n,
                    s.forks(), s.measureIterations(), sec, null);
        } catch (RunnerException | RuntimeException e) {
            Throwable t = e;
            while (t.getCause() != null) t = t.getCause();
            return failed(benchmarkRegex, params, s, String.valueOf(t.getMessage()).lines().findFirst().orElse(t.toString()));
        }
    }

    /** The forked benchmark JVM's -Xmx: this JVM's maximum heap, at least 1 GiB. */
    public static long forkHeapBytes() { return Math.max(1024L << 20, Runtime.getRuntime().maxMemory() / (1024 * 1024) * (1024 * 1024)); }

    /**
     * JMH refuses to start while another JMH run holds {@code /tmp/jmh.lock} (two benchmarks on one machine
     * disturb each other). Wait for it, up to 15 minutes, instead of failing every configuration.
     */
    static void awaitJmhLock() {
        java.nio.file.Path lock = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        if (Boolean.getBoolean("jmh.ignoreLock")) return;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(15);
        boolean told = false;
        while (System.nanoTime() < deadline) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock l = ch.tryLock();
                if (l != null) { l.release(); return; }
            } catch (java.io.IOException | java.nio.channels.OverlappingFileLockException e) {
                return; // let JMH report it
            }
            if (!told) {
                System.err.println("infercost: another JMH run holds " + lock + "; waiting for it to finish (measurements would disturb each other)");
                told = true;
            }
            try { Thread.sleep(1000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
    }

    private static Outcome failed(String b, Map<String, String> params, Settings s, String why) {
        return new Outcome(b, params, Double.NaN, Double.NaN, 0, s.forks(), s.measureIterations(), Map.of(), why);
    }
}
