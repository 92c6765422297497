package dev.infercost.measure;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * JMH's output for infercost's runs: everything JMH prints, including what the forked JVMs write to their
 * stdout and stderr (JMH copies both through its {@link OutputFormat}), goes to {@code err} instead of stdout, so
 * stdout keeps only the command's tables; the forks' {@value #INCUBATOR_WARNING} line (the launcher's notice, followed by the module names,
 * about {@code --add-modules jdk.incubator.vector}, printed once per fork) is dropped. Each iteration's start is
 * reported to {@code listener} as a detail ("fork 1/2, warmup 2/3") and the fraction of the benchmark's
 * iterations (forks x (warmup + measurement)) done.
 */
final class JmhOutput implements OutputFormat {
    /** The JVM launcher's line about incubator modules, which every forked JVM prints on stderr. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules";

    private final OutputFormat delegate;
    private final BiConsumer<String, Double> listener;
    private int fork, done;

    /**
     * @param err      where JMH's text goes (stderr in a run)
     * @param listener progress callback (detail, fraction of this benchmark done), or null
     */
    JmhOutput(PrintStream err, BiConsumer<String, Double> listener) {
        this.delegate = OutputFormatFactory.createFormatInstance(new PrintStream(new Filter(err), true, StandardCharsets.UTF_8), VerboseMode.SILENT);
        this.listener = listener;
    }

    @Override
    public void iteration(BenchmarkParams bp, IterationParams ip, int iteration) {
        if (ip.getType() == IterationType.WARMUP && iteration == 1 || bp.getWarmup().getCount() == 0 && ip.getType() == IterationType.MEASUREMENT && iteration == 1) fork++;
        int per = bp.getWarmup().getCount() + bp.getMeasurement().getCount();
        int total = Math.max(1, bp.getForks()) * Math.max(1, per);
        if (listener != null)
            listener.accept(String.format(java.util.Locale.ROOT, "fork %d/%d, %s %d/%d", fork, Math.max(1, bp.getForks()),
                    ip.getType() == IterationType.WARMUP ? "warmup" : "measurement", iteration, ip.getCount()), (double) done / total);
        done++;
        delegate.iteration(bp, ip, iteration);
    }

    @Override public void iterationResult(BenchmarkParams bp, IterationParams ip, int i, IterationResult r) { delegate.iterationResult(bp, ip, i, r); }
    @Override public void startBenchmark(BenchmarkParams bp) { delegate.startBenchmark(bp); }
    @Override public void endBenchmark(BenchmarkResult r) { delegate.endBenchmark(r); }
    @Override public void startRun() { delegate.startRun(); }
    @Override public void endRun(Collection<RunResult> r) { delegate.endRun(r); }
    @Override public void print(String s) { delegate.print(s); }
    @Override public void println(String s) { delegate.println(s); }
    @Override public void flush() { delegate.flush(); }
    @Override public void close() { delegate.flush(); }   // never close stderr
    @Override public void verbosePrintln(String s) { delegate.verbosePrintln(s); }
    @Override public void write(int b) { delegate.write(b); }
    @Override public void write(byte[] b) throws java.io.IOException { delegate.write(b); }

    /** Passes whole lines to {@code out}, except the incubator warning. */
    static final class Filter extends OutputStream {
        private final PrintStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Filter(PrintStream out) { this.out = out; }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') emit();
        }

        @Override
        public synchronized void flush() {
            // a partial line waits for its end, so a split warning is still recognised
            out.flush();
        }

        @Override
        public synchronized void close() { if (line.size() > 0) emit(); out.flush(); }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (s.strip().startsWith(INCUBATOR_WARNING)) return;
            out.print(s);
            out.flush();
        }
    }
}
