package dev.infercost.results;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress lines for long runs, on stderr by default:
 * {@code [3/7] engine benchmarks: decode batch=8 (40%, elapsed 2m05s, ETA ~1m20s)}.
 * A run has {@code total} steps; each step reports its own fraction done. The ETA extrapolates the
 * elapsed time of the whole run linearly over the overall fraction done ((step - 1 + fraction) / total),
 * and is omitted until something has been done. Not thread-safe; call from the driving thread.
 */
public final class Progress {
    private final int total;
    private final PrintStream out;
    private final LongSupplier nanos;
    private final long start;
    private int step;
    private String stepName = "";
    private static volatile boolean quiet;

    /** {@code --quiet}: no progress lines at all (for every Progress of this process). */
    public static void setQuiet(boolean q) { quiet = q; }

    /** @return whether progress lines are suppressed */
    public static boolean quiet() { return quiet; }

    /** Progress over {@code total} steps printed to stderr. */
    public Progress(int total) { this(total, System.err, System::nanoTime); }

    /** For tests and other sinks: an explicit stream and clock (nanoseconds). */
    public Progress(int total, PrintStream out, LongSupplier nanos) {
        if (total < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + total);
        this.total = total;
        this.out = out;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    /**
     * Starts the next step and prints {@code [i/total] name (elapsed 1m05s, ETA ~2m10s)}: the ETA assumes the
     * remaining steps take as long on average as the finished ones (omitted before any step finished).
     * @return the printed line
     */
    public String step(String name) {
        step = Math.min(total, step + 1);
        stepName = name;
        double elapsed = (nanos.getAsLong() - start) / 1e9;
        String eta = step > 1 ? ", ETA ~" + duration(elapsed * (total - step + 1) / (step - 1)) : "";
        return print(String.format(Locale.ROOT, "[%d/%d] %s (elapsed %s%s)", step, total, name, duration(elapsed), eta));
    }

    /**
     * Reports progress inside the current step: {@code detail} (e.g. "decode batch=8") and the step's
     * fraction done in [0, 1]. @return the printed line
     */
    public String update(String detail, double fractionOfStep) {
        double f = Math.max(0, Math.min(1, fractionOfStep));
        double overall = (Math.max(step, 1) - 1 + f) / total;
        String eta = eta(overall);
        double elapsed = (nanos.getAsLong() - start) / 1e9;
        return print(String.format(Locale.ROOT, "[%d/%d] %s: %s (%.0f%%, elapsed %s%s)", Math.max(step, 1), total, stepName, detail, 100 * f,
                duration(elapsed), eta.isEmpty() ? "" : ", ETA ~" + eta));
    }

    /** Prints a final line with the elapsed time. @return the printed line */
    public String done(String what) {
        return print(String.format(Locale.ROOT, "[%d/%d] %s done in %s", total, total, what, duration((nanos.getAsLong() - start) / 1e9)));
    }

    /** Time left at overall fraction {@code overall}, or "" if unknown. */
    String eta(double overall) {
        double elapsed = (nanos.getAsLong() - start) / 1e9;
        if (overall <= 0 || elapsed <= 0) return "";
        return duration(elapsed * (1 - overall) / overall);
    }

    /** 75 -> "1m15s", 3700 -> "1h01m", 9 -> "9s". */
    public static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    private String print(String line) {
        if (quiet) return line;
        out.println(line);
        out.flush();
        return line;
    }
}
