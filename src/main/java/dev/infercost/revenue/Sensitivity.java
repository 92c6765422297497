package dev.infercost.revenue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One-at-a-time swings (tornado) and a seeded Monte Carlo over the scenario's stated ranges. Ranges are
 * multipliers of the base value ({@link Scenario.Swing}); inputs the scenario gives no range for use
 * {@link #DEFAULT_LOW}/{@link #DEFAULT_HIGH} (+-20%, labelled {@code assumed}).
 */
public final class Sensitivity {
    public static final double DEFAULT_LOW = 0.8, DEFAULT_HIGH = 1.2;
    public static final long DEFAULT_SEED = 20260427L;
    public static final int DEFAULT_SAMPLES = 10_000;

    /** One input's swing: horizon margins [fraction] and profits [USD] at its low and high multiplier. */
    public record Swing(String input, double low, double high, String basis,
                        double providerMarginLow, double providerMarginHigh, double cloudMarginLow, double cloudMarginHigh,
                        double providerProfitLow, double providerProfitHigh, double cloudProfitLow, double cloudProfitHigh,
                        double cloudEconomicLow, double cloudEconomicHigh) {
        /** |change in provider margin| across the swing [fraction], for ordering the tornado. */
        public double providerRange() { return Math.abs(providerMarginHigh - providerMarginLow); }
    }

    /** Percentiles over Monte Carlo samples (each metric's own percentile). */
    public record MonteCarlo(long seed, int samples, double[] percentiles, double[] providerMargin, double[] cloudMargin,
                             double[] providerProfit, double[] cloudProfit, double providerLossProbability) { }

    public static final double[] PERCENTILES = {5, 25, 50, 75, 95};

    private Sensitivity() {}

    /** Low/high multipliers and basis for every input (scenario's swing or the +-20% default). */
    static List<Object[]> ranges(Scenario s) {
        List<Object[]> out = new ArrayList<>();
        Map<String, Scenario.Swing> sw = s.sensitivity == null ? Map.of() : s.sensitivity.swings;
        for (String in : Factors.INPUTS) {
            Scenario.Swing w = sw.get(in);
            if (w != null) {
                String c = w.citation();
                String basis = w.note == null ? c : c.equals("assumed") && w.note.startsWith("assumed") ? w.note : c + " (" + w.note + ")";
                out.add(new Object[]{in, w.low, w.high, basis});
            }
            else out.add(new Object[]{in, DEFAULT_LOW, DEFAULT_HIGH, "assumed (default +-20%, no range in scenario)"});
        }
        return out;
    }

    /**
     * Tornado: each input at its low and high multiplier, the others at base; sorted by provider margin range. Each
     * swing is a full re-evaluation of the model ({@link RevenueModel#evaluate}); nothing is frozen from the base run,
     * so a swing equals rerunning the scenario with that input changed.
     */
    public static List<Swing> tornado(RevenueModel m) {
        List<Swing> out = new ArrayList<>();
        for (Object[] r : ranges(m.scenario)) {
            String in = (String) r[0];
            double lo = (double) r[1], hi = (double) r[2];
            RevenueModel.Outcome a = m.evaluate(Factors.BASE.with(in, lo));
            RevenueModel.Outcome b = m.evaluate(Factors.BASE.with(in, hi));
            out.add(new Swing(in, lo, hi, (String) r[3], a.providerMargin(), b.providerMargin(), a.cloudMargin(), b.cloudMargin(),
                    a.providerProfit(), b.providerProfit(), a.cloudProfit(), b.cloudProfit(), a.cloudEconomicProfit(), b.cloudEconomicProfit()));
        }
        out.sort((x, y) -> Double.compare(y.providerRange() + 1e-12 * Factors.INPUTS.indexOf(y.input()),
                x.providerRange() + 1e-12 * Factors.INPUTS.indexOf(x.input())));
        return out;
    }

    /**
     * Monte Carlo: every input drawn independently from a triangular distribution (low, 1, high) of its
     * multiplier, {@code samples} draws from {@link SplittableRandom}(seed): the same seed gives the same result.
     */
    public static MonteCarlo monteCarlo(RevenueModel m, long seed, int samples) {
        List<Object[]> ranges = ranges(m.scenario);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] pm = new double[samples], cm = new double[samples], pp = new double[samples], cp = new double[samples];
        int losses = 0;
        for (int k = 0; k < samples; k++) {
            Factors f = Factors.BASE;
            for (Object[] r : ranges) f = f.with((String) r[0], triangular(rnd.nextDouble(), (double) r[1], 1.0, (double) r[2]));
            RevenueModel.Outcome o = m.evaluate(f);
            pm[k] = o.providerMargin();
            cm[k] = o.cloudMargin();
            pp[k] = o.providerProfit();
            cp[k] = o.cloudProfit();
            if (pp[k] < 0) losses++;
        }
        return new MonteCarlo(seed, samples, PERCENTILES.clone(), pct(pm), pct(cm), pct(pp), pct(cp), losses / (double) samples);
    }

    /** Inverse CDF of the triangular distribution (a, c, b) at u in [0, 1). */
    static double triangular(double u, double a, double c, double b) {
        if (b == a) return a;
        double fc = (c - a) / (b - a);
        return u < fc ? a + Math.sqrt(u * (b - a) * (c - a)) : b - Math.sqrt((1 - u) * (b - a) * (b - c));
    }

    /** Percentiles {@link #PERCENTILES} by linear interpolation between order statistics (R type 7). */
    static double[] pct(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        double[] out = new double[PERCENTILES.length];
        for (int i = 0; i < out.length; i++) {
            double h = (s.length - 1) * PERCENTILES[i] / 100.0;
            int lo = (int) Math.floor(h);
            int hi = Math.min(s.length - 1, lo + 1);
            out[i] = s[lo] + (h - lo) * (s[hi] - s[lo]);
        }
        return out;
    }
}
