package dev.infercost.measure.loadgen;

import dev.infercost.BadInputException;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Open-loop arrival times. Poisson arrivals have exponential gaps with mean 1/rate (MLPerf LoadGen's Server
 * scenario); gamma arrivals with shape k = 1/cv^2 and scale 1/(rate k) keep the mean rate and set the
 * burstiness (cv = 1 is Poisson; vLLM bench's --burstiness is k). Gamma variates by Marsaglia and Tsang,
 * "A simple method for generating gamma variables", ACM TOMS 26(3), 2000.
 */
public final class ArrivalSchedule {
    private ArrivalSchedule() {}

    /** The arrival column label: "poisson", "gamma(cv=0.5)", "closed", "all-at-once". */
    public static String label(double cv) {
        return cv == 1.0 ? "poisson" : String.format(Locale.ROOT, "gamma(cv=%s)", cv);
    }

    /**
     * Arrival offsets from the start, ns, until both {@code minQueries} requests and {@code minDurationS} seconds
     * are covered (MLPerf's "min query count" and "min duration" run rules).
     *
     * @param rate req/s (> 0)
     * @param cv   coefficient of variation of the gaps (1 = Poisson)
     */
    public static long[] offsets(double rate, double cv, int minQueries, double minDurationS, long seed) {
        if (!(rate > 0)) throw new BadInputException("rate " + rate + ": must be > 0 req/s");
        if (!(cv > 0)) throw new BadInputException("arrival cv " + cv + ": must be > 0");
        SplittableRandom rnd = new SplittableRandom(seed);
        double k = 1 / (cv * cv), scale = 1 / (rate * k);
        long[] out = new long[Math.max(16, minQueries)];
        double t = 0;
        int n = 0;
        while (n < minQueries || t < minDurationS) {
            double gap = cv == 1.0 ? -Math.log(1 - rnd.nextDouble()) / rate : gamma(rnd, k) * scale;
            t += gap;
            if (n == out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
            out[n++] = (long) (t * 1e9);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Arrival offsets whose realised rate is exactly {@code rate}: n = max(minQueries, ceil(rate x minDurationS) + 1)
     * arrivals, the gaps after the first drawn as in {@link #offsets} and scaled so that the span from the first to
     * the last arrival is (n - 1) / rate (a Poisson process conditioned on its count has the same order statistics,
     * so only the realised rate changes, not the shape of the burstiness). A raw schedule of a few hundred arrivals
     * draws a rate several percent off the target (sd ~ 1/sqrt(n)), which would make "served rate vs target"
     * meaningless; this one offers the target itself, and still covers {@code minDurationS}.
     *
     * @param rate req/s (> 0)
     * @param cv   coefficient of variation of the gaps (1 = Poisson)
     */
    public static long[] offsetsAtExactRate(double rate, double cv, int minQueries, double minDurationS, long seed) {
        if (!(rate > 0) || Double.isInfinite(rate)) throw new BadInputException("rate " + rate + ": must be > 0 req/s");
        if (!(cv > 0)) throw new BadInputException("arrival cv " + cv + ": must be > 0");
        double need = Math.ceil(rate * minDurationS) + 1;
        if (need > 50_000_000) throw new BadInputException("rate " + rate + " req/s x " + minDurationS + " s: too many requests for one point");
        int n = (int) Math.max(Math.max(2, minQueries), need);
        SplittableRandom rnd = new SplittableRandom(seed);
        double k = 1 / (cv * cv), scale = 1 / (rate * k);
        double[] gap = new double[n];
        double rest = 0;
        for (int i = 0; i < n; i++) {
            gap[i] = cv == 1.0 ? -Math.log(1 - rnd.nextDouble()) / rate : gamma(rnd, k) * scale;
            if (i > 0) rest += gap[i];
        }
        double f = rest > 0 ? ((n - 1) / rate) / rest : 1;
        long[] out = new long[n];
        double t = gap[0];
        out[0] = (long) (t * 1e9);
        for (int i = 1; i < n; i++) {
            t += gap[i] * f;
            out[i] = (long) (t * 1e9);
        }
        return out;
    }

    /** A Gamma(k, 1) variate (Marsaglia-Tsang; k &lt; 1 by the boost Gamma(k+1) * U^(1/k)). */
    static double gamma(SplittableRandom rnd, double k) {
        if (k < 1) return gamma(rnd, k + 1) * Math.pow(rnd.nextDouble(), 1 / k);
        double d = k - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = normal(rnd);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rnd.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
        }
    }

    private static double normal(SplittableRandom rnd) {
        // Box-Muller
        double u1 = 1 - rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
