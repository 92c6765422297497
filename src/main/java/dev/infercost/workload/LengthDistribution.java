package dev.infercost.workload;

import dev.infercost.BadInputException;

import java.util.Locale;
import java.util.Random;

/**
 * A distribution of token counts (input sequence length ISL or output sequence length OSL), sampled with a
 * seeded {@link Random} and clipped to {@code [1, max]}. Spec syntax: {@code N} (fixed), {@code uniform:LO,HI}
 * (inclusive), {@code normal:MEAN,SD}, {@code lognormal:MEAN,SD} (MEAN and SD of the lengths themselves; the
 * underlying normal has sigma^2 = ln(1 + SD^2/MEAN^2), mu = ln(MEAN) - sigma^2/2).
 */
public sealed interface LengthDistribution {
    /** Draws one length, at least 1 and at most {@code max}. */
    int sample(Random rnd, int max);

    /** Largest value this distribution can produce before clipping (for sizing the KV cache). */
    int upperBound();

    /** Expected value before clipping. */
    double mean();

    /** The spec string. */
    String spec();

    record Fixed(int n) implements LengthDistribution {
        public int sample(Random rnd, int max) { return clip(n, max); }
        public int upperBound() { return n; }
        public double mean() { return n; }
        public String spec() { return Integer.toString(n); }
    }

    record Uniform(int lo, int hi) implements LengthDistribution {
        public int sample(Random rnd, int max) { return clip(lo + rnd.nextInt(hi - lo + 1), max); }
        public int upperBound() { return hi; }
        public double mean() { return (lo + hi) / 2.0; }
        public String spec() { return "uniform:" + lo + "," + hi; }
    }

    record Normal(double mu, double sd) implements LengthDistribution {
        public int sample(Random rnd, int max) { return clip((int) Math.round(mu + sd * rnd.nextGaussian()), max); }
        public int upperBound() { return (int) Math.ceil(mu + 4 * sd); }
        public double mean() { return mu; }
        public String spec() { return String.format(Locale.ROOT, "normal:%s,%s", num(mu), num(sd)); }
    }

    record LogNormal(double mean, double sd) implements LengthDistribution {
        double sigma() { return Math.sqrt(Math.log(1 + sd * sd / (mean * mean))); }
        double mu() { double s = sigma(); return Math.log(mean) - s * s / 2; }
        public int sample(Random rnd, int max) { return clip((int) Math.round(Math.exp(mu() + sigma() * rnd.nextGaussian())), max); }
        public int upperBound() { return (int) Math.ceil(Math.exp(mu() + 4 * sigma())); }
        public String spec() { return String.format(Locale.ROOT, "lognormal:%s,%s", num(mean), num(sd)); }
    }

    private static String num(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }

    private static int clip(int v, int max) { return Math.max(1, Math.min(max, v)); }

    /**
     * Parses a spec (see the interface doc).
     *
     * @param what the option name for error messages, e.g. "--isl"
     * @throws BadInputException for malformed or non-positive parameters
     */
    public static LengthDistribution parse(String what, String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        try {
            if (!s.contains(":")) {
                int n = Integer.parseInt(s);
                if (n < 1) throw new BadInputException(what + " " + spec + ": must be >= 1");
                return new Fixed(n);
            }
            String kind = s.substring(0, s.indexOf(':'));
            String[] p = s.substring(s.indexOf(':') + 1).split(",");
            if (p.length != 2) throw new BadInputException(what + " " + spec + ": expected " + kind + ":A,B");
            double a = Double.parseDouble(p[0]), b = Double.parseDouble(p[1]);
            return switch (kind) {
                case "uniform" -> {
                    if (a < 1 || b < a) throw new BadInputException(what + " " + spec + ": need 1 <= LO <= HI");
                    yield new Uniform((int) a, (int) b);
                }
                case "normal" -> {
                    if (a < 1 || b < 0) throw new BadInputException(what + " " + spec + ": need MEAN >= 1, SD >= 0");
                    yield new Normal(a, b);
                }
                case "lognormal" -> {
                    if (a < 1 || b <= 0) throw new BadInputException(what + " " + spec + ": need MEAN >= 1, SD > 0");
                    yield new LogNormal(a, b);
                }
                default -> throw new BadInputException(what + " " + spec + ": unknown distribution '" + kind + "' (fixed N, uniform:LO,HI, normal:MEAN,SD, lognormal:MEAN,SD)");
            };
        } catch (NumberFormatException e) {
            throw new BadInputException(what + " " + spec + ": not a number (" + e.getMessage() + ")");
        }
    }

    /** Public parser: {@link #parse(String, String)}. */
    public static LengthDistribution of(String spec) { return parse("length", spec); }
}
