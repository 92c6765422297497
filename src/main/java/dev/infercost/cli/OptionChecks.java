package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.measure.loadgen.ServeBenchOptions;
import picocli.CommandLine;

import java.util.List;

/**
 * Option validation shared by the subcommands: picocli converters that refuse non-finite numbers for every
 * {@code double}/{@code Double}/{@code float} option (Java parses "Infinity", "NaN" and "1e400" as numbers; no
 * option of infercost means any of them), and range checks that commands call before any work. Each failure is
 * one line naming the option, the value and what was expected (exit status 2).
 */
public final class OptionChecks {
    private OptionChecks() {}

    /** Upper bound of {@code --threads}: far above any useful value, low enough not to exhaust native threads. */
    public static final int MAX_THREADS = Math.max(1024, 8 * Runtime.getRuntime().availableProcessors());

    /** Registers the finite-number converters on {@code cl} and all its subcommands. */
    static void install(CommandLine cl) {
        CommandLine.ITypeConverter<Double> d = OptionChecks::finiteDouble;
        cl.registerConverter(Double.class, d);
        cl.registerConverter(Double.TYPE, d);
        CommandLine.ITypeConverter<Float> f = s -> {
            double v = finiteDouble(s);
            if (Math.abs(v) > Float.MAX_VALUE) throw new CommandLine.TypeConversionException("'" + s + "' is outside the float range");
            return (float) v;
        };
        cl.registerConverter(Float.class, f);
        cl.registerConverter(Float.TYPE, f);
    }

    /** Parses a decimal number and refuses NaN and infinities (also those from overflow, e.g. 1e400). */
    static double finiteDouble(String s) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a number");
        }
        if (!Double.isFinite(v)) throw new CommandLine.TypeConversionException("'" + s + "' is not a finite number");
        return v;
    }

    /** @throws BadInputException unless {@code 0 <= threads <= MAX_THREADS} (0 = all processors) */
    public static int threads(int threads) {
        if (threads < 0 || threads > MAX_THREADS)
            throw new BadInputException("--threads " + threads + ": expected 0 (all processors) .. " + MAX_THREADS);
        return threads;
    }

    /**
     * The run command's positions against the model's context: a decode step at {@code context} cached positions
     * needs {@code context + 1 <= seqLen}; a prefill of {@code isl} tokens needs {@code isl <= seqLen}.
     *
     * @throws BadInputException naming the option, its value and the model's seq_len
     */
    public static void withinContext(int context, int isl, int seqLen, String model) {
        if (context < 1 || context + 1L > seqLen)
            throw new BadInputException("--context " + context + ": expected 1.." + (seqLen - 1) + " (model " + model + " has seq_len " + seqLen + ")");
        if (isl < 1 || isl > seqLen)
            throw new BadInputException("--isl " + isl + ": expected 1.." + seqLen + " (model " + model + " has seq_len " + seqLen + ")");
    }

    /** Range checks of a serving benchmark's options, before any model is loaded. @throws BadInputException naming the option */
    public static ServeBenchOptions serveBench(ServeBenchOptions o) {
        threads(o.threads);
        for (double r : o.rates) positive("--rates", r);
        for (double r : o.rateFractions) positive("--rate-fractions", r);
        for (int c : o.concurrency) if (c < 1 || c > 100_000) throw new BadInputException("--concurrency " + c + ": expected 1..100000");
        if (!(o.arrivalCv > 0) || o.arrivalCv > 100) throw new BadInputException("--arrival-cv " + o.arrivalCv + ": expected a coefficient of variation in (0, 100] (1 = Poisson)");
        if (o.maxBatch < 1 || o.maxBatch > 4096) throw new BadInputException("--max-batch " + o.maxBatch + ": expected 1..4096");
        if (o.kvBudgetTokens < 0) throw new BadInputException("--kv-budget " + o.kvBudgetTokens + ": expected >= 0 (0 = max-batch x context)");
        if (o.maxPrefillTokens < 1) throw new BadInputException("--max-prefill-tokens " + o.maxPrefillTokens + ": expected >= 1");
        if (!(o.minDurationS >= 0) || o.minDurationS > 86_400) throw new BadInputException("--min-duration " + o.minDurationS + ": expected 0..86400 s");
        if (!Double.isNaN(o.maxDurationS) && !(o.maxDurationS > 0 && o.maxDurationS <= 86_400))
            throw new BadInputException("--max-duration " + o.maxDurationS + ": expected (0, 86400] s");
        if (o.minQueries < 1 || o.minQueries > 10_000_000) throw new BadInputException("--min-queries " + o.minQueries + ": expected 1..10000000");
        if (o.warmupRequests < 0) throw new BadInputException("--warmup " + o.warmupRequests + ": expected >= 0");
        if (o.searchSteps < 0 || o.searchSteps > 20) throw new BadInputException("--search-steps " + o.searchSteps + ": expected 0..20");
        if (!(o.idleBaselineS >= 0) || o.idleBaselineS > 3600) throw new BadInputException("--idle-baseline " + o.idleBaselineS + ": expected 0..3600 s");
        if (!Double.isNaN(o.pue) && !(o.pue >= 1 && o.pue <= 5)) throw new BadInputException("--pue " + o.pue + ": expected a power usage effectiveness in [1, 5]");
        if (!Double.isNaN(o.peakGBps)) positive("--peak-bandwidth", o.peakGBps);
        if (!Double.isNaN(o.peakTflops)) positive("--peak-tflops", o.peakTflops);
        for (String f : List.of("ttft", "tpot")) {
            double v = f.equals("ttft") ? o.slo.ttftMs() : o.slo.tpotMs();
            if (!Double.isNaN(v) && !(v > 0)) throw new BadInputException("--slo-" + f + "-ms " + v + ": expected a positive limit in ms");
        }
        return o;
    }

    private static void positive(String opt, double v) {
        if (!(v > 0) || !Double.isFinite(v)) throw new BadInputException(opt + " " + v + ": expected a finite number > 0");
    }
}
