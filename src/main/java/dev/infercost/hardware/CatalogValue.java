package dev.infercost.hardware;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One catalog figure with its provenance. Published cells can be numbers ("3.35"), ranges ("3.50-5.00",
 * "0.75-0.85"), alternatives ("1.1 / 1.25"), trends ("7.7->10.7"), numbers with a remark ("0.70 (Oct 2025)")
 * or plain text ("single-digit cents"); ranges keep their {@link #low()} and {@link #high()} and the point
 * value used in arithmetic is their midpoint (trends use their latest value), so a range is never silently
 * collapsed: {@link #isRange()} tells, and {@link #describe()} prints it.
 *
 * @param low        lower bound (= value for a single number; NaN when the cell is text or empty)
 * @param value      the point value used in arithmetic, in {@code unit}
 * @param high       upper bound
 * @param raw        the cell as published
 * @param unit       unit as published (e.g. "TB/s", "USD/accel-hr")
 * @param provenance spec | measured | assumed | projected (reference figures are "spec" for vendor and
 *                   price-list figures and "assumed" for analyst models and chosen defaults)
 * @param confidence high | medium | low | n/a, as in the reference CSVs
 * @param sourceUrl  where the figure comes from
 * @param sourceDate when it was published or read
 * @param notes      remarks (incl. the scope of a data-centre parameter)
 * @param origin     the file and line it was read from, e.g. "accelerators.csv:7" or "my.yaml"
 * @param overridden true when a user catalog replaced the bundled figure
 */
public record CatalogValue(double low, double value, double high, String raw, String unit, String provenance,
                           String confidence, String sourceUrl, String sourceDate, String notes, String origin,
                           boolean overridden) {

    private static final Pattern NUM = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
    private static final Pattern RANGE = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*[-\u2013]\\s*(\\d+(?:\\.\\d+)?)\\s*$");
    private static final Pattern ALTERNATIVES = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)(\\s*/\\s*\\d+(?:\\.\\d+)?)+\\s*$");
    private static final Pattern TREND = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*->\\s*(\\d+(?:\\.\\d+)?)\\s*$");
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*\\(.*\\)\\s*$");

    /** Parses a published cell; see the class comment for the accepted shapes. Empty gives NaN. */
    public static CatalogValue parse(String cell, String unit, String provenance, String confidence, String sourceUrl,
                                     String sourceDate, String notes, String origin, boolean overridden) {
        String c = cell == null ? "" : cell.trim();
        double lo = Double.NaN, v = Double.NaN, hi = Double.NaN;
        Matcher m;
        if (c.isEmpty()) {
            // missing: stays NaN
        } else if (NUM.matcher(c).matches()) {
            lo = v = hi = Double.parseDouble(c);
        } else if ((m = RANGE.matcher(c)).matches()) {
            lo = Double.parseDouble(m.group(1));
            hi = Double.parseDouble(m.group(2));
            v = (lo + hi) / 2;
        } else if ((m = TREND.matcher(c)).matches()) {
            double a = Double.parseDouble(m.group(1)), b = Double.parseDouble(m.group(2));
            lo = Math.min(a, b); hi = Math.max(a, b); v = b;
        } else if (ALTERNATIVES.matcher(c).matches()) {
            lo = Double.POSITIVE_INFINITY; hi = Double.NEGATIVE_INFINITY;
            Matcher n = NUM.matcher(c);
            while (n.find()) { double x = Double.parseDouble(n.group()); lo = Math.min(lo, x); hi = Math.max(hi, x); }
            v = (lo + hi) / 2;
        } else if ((m = LEADING_NUMBER.matcher(c)).matches()) {
            lo = v = hi = Double.parseDouble(m.group(1));
        }
        return new CatalogValue(lo, v, hi, c, nz(unit), nz(provenance), nz(confidence), nz(sourceUrl), nz(sourceDate),
                nz(notes), nz(origin), overridden);
    }

    /** A figure set in code or on the command line (e.g. {@code --usd-per-hour}). */
    public static CatalogValue of(double value, String unit, String provenance, String source, String origin, boolean overridden) {
        return new CatalogValue(value, value, value, fmt(value), unit, provenance, "n/a", source, "", "", origin, overridden);
    }

    private static String nz(String s) { return s == null ? "" : s.trim(); }

    /** True when the cell held a number (or a range etc.) that arithmetic can use. */
    public boolean present() { return !Double.isNaN(value); }

    /** True when the published cell was a range or a set of alternatives, not a single figure. */
    public boolean isRange() { return present() && low != high; }

    /** True for low-confidence figures, which must stay labelled wherever they are used. */
    public boolean lowConfidence() {
        return confidence.equalsIgnoreCase("low") || notes.toUpperCase(Locale.ROOT).contains("UNVERIFIED")
                || raw.toUpperCase(Locale.ROOT).contains("UNVERIFIED");
    }

    /** Same figure with a new point value, keeping provenance (used for unit conversion). */
    public CatalogValue scaled(double factor, String newUnit) {
        return new CatalogValue(low * factor, value * factor, high * factor, raw, newUnit, provenance, confidence,
                sourceUrl, sourceDate, notes, origin, overridden);
    }

    /** e.g. {@code "0.0775 USD/kWh [range 0.065-0.09] (assumed, low confidence, datacenter.csv:10)"}. */
    public String describe() {
        StringBuilder b = new StringBuilder(fmt(value)).append(' ').append(unit);
        if (isRange()) b.append(" [range ").append(fmt(low)).append('-').append(fmt(high)).append(", published '").append(raw).append("']");
        b.append(" (").append(provenance);
        if (lowConfidence()) b.append(", LOW CONFIDENCE");
        if (overridden) b.append(", OVERRIDDEN");
        b.append(", ").append(origin).append(')');
        return b.toString();
    }

    public static String fmt(double d) {
        if (Double.isNaN(d)) return "n/a";
        if (d == Math.rint(d) && Math.abs(d) < 1e12) return Long.toString((long) d);
        return new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
