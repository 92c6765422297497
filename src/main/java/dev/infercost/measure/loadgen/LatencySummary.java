package dev.infercost.measure.loadgen;

import org.HdrHistogram.Histogram;

/**
 * Summary of one latency metric from an HdrHistogram of nanosecond values (3 significant digits, so every
 * figure is exact to 0.1%; http://hdrhistogram.org): mean, standard deviation (population, as
 * {@code Histogram.getStdDeviation}), min, max, the standard percentiles p50/p90/p95/p99/p99.9, any other
 * percentile through {@link #percentileMs(double)}, and the number of samples behind them. Percentiles follow
 * HdrHistogram's definition: the smallest recorded value (at the histogram's resolution) at or below which
 * {@code p} percent of the samples lie, the same "nearest rank" convention as vLLM's benchmark_serving and AIPerf.
 *
 * <p>Every figure is NaN when there are no samples.
 *
 * @param p50Ms   50th percentile (median), ms
 * @param p90Ms   90th percentile, ms
 * @param p95Ms   95th percentile, ms
 * @param p99Ms   99th percentile, ms
 * @param p999Ms  99.9th percentile, ms
 * @param meanMs  mean, ms
 * @param stdMs   standard deviation, ms
 * @param minMs   smallest sample, ms
 * @param maxMs   largest sample, ms
 * @param samples values recorded
 * @param values  a copy of the histogram (nanoseconds), for other percentiles; null without samples
 */
public record LatencySummary(double p50Ms, double p90Ms, double p95Ms, double p99Ms, double p999Ms, double meanMs,
                             double stdMs, double minMs, double maxMs, long samples, Histogram values) {
    static final LatencySummary EMPTY = new LatencySummary(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, null);

    /** Summarises a histogram of nanosecond values (the histogram is copied; later recording does not change this). */
    public static LatencySummary of(Histogram h) {
        long n = h.getTotalCount();
        if (n == 0) return EMPTY;
        Histogram c = h.copy();
        return new LatencySummary(ms(c.getValueAtPercentile(50)), ms(c.getValueAtPercentile(90)), ms(c.getValueAtPercentile(95)),
                ms(c.getValueAtPercentile(99)), ms(c.getValueAtPercentile(99.9)), c.getMean() / 1e6, c.getStdDeviation() / 1e6,
                ms(c.getMinValue()), ms(c.getMaxValue()), n, c);
    }

    /**
     * The {@code p}-th percentile, ms.
     *
     * @param p percentile in (0, 100)
     * @return the value, or NaN without samples
     * @throws IllegalArgumentException if {@code p} is not in (0, 100)
     */
    public double percentileMs(double p) {
        if (!(p > 0 && p < 100)) throw new IllegalArgumentException("percentile " + p + " is not in (0, 100)");
        return values == null ? Double.NaN : ms(values.getValueAtPercentile(p));
    }

    /** A new histogram for nanosecond values (auto-resizing, 3 significant digits). */
    public static Histogram histogram() {
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    private static double ms(long nanos) { return nanos / 1e6; }
}
