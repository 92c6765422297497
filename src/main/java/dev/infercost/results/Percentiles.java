package dev.infercost.results;

import dev.infercost.BadInputException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Latency percentiles of a serving run ({@code --percentiles 50,90,95,99,99.9}) and their serving.csv headers.
 * serving.csv always holds the {@link #STANDARD} set (p50, p90, p95, p99, p99.9) as {@link ServingColumn}
 * constants; a percentile outside that set adds one column per metric after the enum's columns, named
 * {@code <metric>_p<digits> [ms]} where the digits are the percentile with its decimal point removed, as the
 * existing {@code ttft_p999 [ms]} names p99.9 (p75 → {@code ttft_p75 [ms]}, p99.99 → {@code ttft_p9999 [ms]}).
 */
public final class Percentiles {
    private Percentiles() {}

    /** The percentiles every serving.csv holds: 50, 90, 95, 99, 99.9. */
    public static final List<Double> STANDARD = List.of(50.0, 90.0, 95.0, 99.0, 99.9);

    /** The latency metrics with percentile columns, as their header prefixes. */
    public static final List<String> METRICS = List.of("ttft", "tpot", "itl", "e2e");

    /**
     * Parses a comma-separated list of percentiles.
     *
     * @param option the option's name, for the message (e.g. {@code --percentiles})
     * @param text   e.g. {@code "50,90,99.9"}
     * @return the percentiles, ascending, without duplicates
     * @throws BadInputException naming the option and the value when an entry is not a finite number in (0, 100),
     *                           the list is empty, or two entries would share a column name (e.g. 9.95 and 99.5)
     */
    public static List<Double> parse(String option, String text) {
        if (text == null || text.isBlank())
            throw new BadInputException(option + ": empty; expected a comma-separated list such as 50,90,95,99,99.9");
        TreeSet<Double> set = new TreeSet<>();
        Map<String, Double> labels = new java.util.HashMap<>();
        for (String part : text.split(",", -1)) {
            String s = part.trim();
            double p;
            try {
                p = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new BadInputException(option + " " + text + ": '" + s + "' is not a number (expected percentiles with 0 < p < 100, e.g. 50,90,95,99,99.9)");
            }
            if (!Double.isFinite(p) || !(p > 0 && p < 100))
                throw new BadInputException(option + " " + text + ": " + s + " is not a percentile (expected a finite number with 0 < p < 100)");
            Double other = labels.putIfAbsent(label(p), p);
            if (other != null && other != p)
                throw new BadInputException(option + " " + text + ": " + fmt(other) + " and " + fmt(p) + " would share the column name " + label(p) + "; leave one out");
            set.add(p);
        }
        return List.copyOf(set);
    }

    /** The column label of a percentile: 50 → "p50", 99.9 → "p999", 99.99 → "p9999", 12.5 → "p125". */
    public static String label(double p) {
        return "p" + new BigDecimal(Double.toString(p)).stripTrailingZeros().toPlainString().replace(".", "");
    }

    /** The percentile as written by a person: 99.9 → "99.9", 50 → "50". */
    public static String fmt(double p) { return new BigDecimal(Double.toString(p)).stripTrailingZeros().toPlainString(); }

    /** The serving.csv header of percentile {@code p} of {@code metric} ("ttft", ...): {@code ttft_p99 [ms]}. */
    public static String header(String metric, double p) {
        return metric.toLowerCase(Locale.ROOT) + "_" + label(p) + " [ms]";
    }

    /** The headers beyond {@link ServingColumn}'s for {@code percentiles}: one per metric and non-standard percentile. */
    public static List<String> extraHeaders(List<Double> percentiles) {
        List<String> out = new ArrayList<>();
        for (String m : METRICS)
            for (double p : percentiles) if (!STANDARD.contains(p)) out.add(header(m, p));
        return out;
    }

    /** serving.csv's headers for a run asked for {@code percentiles}: {@link ServingColumn}'s, then {@link #extraHeaders}. */
    public static List<String> servingHeaders(List<Double> percentiles) {
        List<String> h = new ArrayList<>(ResultSchemas.SERVING_COLUMNS);
        h.addAll(extraHeaders(percentiles));
        return h;
    }
}
