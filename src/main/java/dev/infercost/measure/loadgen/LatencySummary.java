package dev.infercost.measure.loadgen;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency metric from an HdrHistogram (3 significant digits, so values are exact to 0.1%;
 * http://hdrhistogram.org), with the number of samples behind them.
 *
 * @param p50Ms  50th percentile, ms (NaN without samples)
 * @param p90Ms  90th percentile, ms
 * @param p99Ms  99th percentile, ms
 * @param p999Ms 99.9th percentile, ms
 * @param meanMs mean, ms
 * @param samples values recorded
 */
public record LatencySummary(double p50Ms, double p90Ms, double p99Ms, double p999Ms, double meanMs, long samples) {
    static final LatencySummary EMPTY = new LatencySummary(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);

    /** Summarises a histogram of nanosecond values. */
    public static LatencySummary of(Histogram h) {
        long n = h.getTotalCount();
        if (n == 0) return EMPTY;
        return new LatencySummary(h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMean() / 1e6, n);
    }

    /** A new histogram for nanosecond values (auto-resizing, 3 significant digits). */
    public static Histogram histogram() {
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }
}
