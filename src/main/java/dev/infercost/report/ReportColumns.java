package dev.infercost.report;

import dev.infercost.results.Column;
import dev.infercost.results.Row;

/**
 * Columns the report reads from tables whose contract enum is not (yet) in {@code dev.infercost.results}: the
 * revenue stage's tables and the cost stage's low/high band columns. Each is read through {@link #cell}, which
 * matches the exact header or, failing that, the same name with any unit text (so {@code usd_per_query_low} is
 * found whether its header says {@code [$/query]} or {@code [$]}).
 */
final class ReportColumns {
    private ReportColumns() {}

    /** @return the cell of {@code c} in {@code r}, matched by header or by name without its unit; "" when absent */
    static String cell(Row r, Column c) {
        if (r.hasColumn(c)) return r.get(c);
        String stem = stem(c.header());
        for (var e : r.values().entrySet()) if (stem(e.getKey()).equals(stem)) return e.getValue() == null ? "" : e.getValue();
        return "";
    }

    /** @return whether {@code r}'s table has {@code c} (by header or by name without unit) */
    static boolean has(Row r, Column c) {
        if (r.hasColumn(c)) return true;
        String stem = stem(c.header());
        for (String k : r.values().keySet()) if (stem(k).equals(stem)) return true;
        return false;
    }

    /** @return the cell of {@code c} as a number, NaN when blank, absent or not a number */
    static double num(Row r, Column c) {
        String s = cell(r, c).trim();
        if (s.isEmpty()) return Double.NaN;
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String stem(String header) {
        int i = header.indexOf(" [");
        return i < 0 ? header.trim() : header.substring(0, i).trim();
    }

    /** Low/high band columns the cost stage adds to cost.csv (absent in older cost tables: the band shows as n/a). */
    enum CostBand implements Column {
        USD_PER_M_OUT_LOW("usd_per_m_out_low [$/M tok]"), USD_PER_M_OUT_HIGH("usd_per_m_out_high [$/M tok]"),
        USD_PER_M_OUTPUT_LOW("usd_per_m_output_low [$/M tok]"), USD_PER_M_OUTPUT_HIGH("usd_per_m_output_high [$/M tok]"),
        USD_PER_QUERY_LOW("usd_per_query_low [$/query]"), USD_PER_QUERY_HIGH("usd_per_query_high [$/query]"),
        PRECISION("precision"), INTERACTIVITY_TARGET("interactivity_target [tok/s/user]");
        private final String h;
        CostBand(String h) { this.h = h; }
        @Override public String header() { return h; }
    }

    /** revenue.csv: one row per scenario x year x party. */
    enum Revenue implements Column {
        SCENARIO("scenario"), YEAR("year"), PARTY("party"), REVENUE("revenue [$]"), REVENUE_SHARE("revenue_share [$]"), COMPUTE("compute [$]"),
        PROFIT("profit [$]"), MARGIN("margin");
        private final String h;
        Revenue(String h) { this.h = h; }
        @Override public String header() { return h; }
    }

    /** revenue_summary.csv: key figures, one metric per row. */
    enum Summary implements Column {
        METRIC("metric"), VALUE("value"), UNIT("unit"), NOTE("note");
        private final String h;
        Summary(String h) { this.h = h; }
        @Override public String header() { return h; }
    }

    /** take_rate_curve.csv: margins over the horizon against a flat take rate. */
    enum TakeRate implements Column {
        TAKE_RATE("take_rate"), PROVIDER_UNCAPPED("provider_margin_uncapped"), PROVIDER_CAPPED("provider_margin_capped"),
        CLOUD_UNCAPPED("cloud_margin_uncapped"), CLOUD_CAPPED("cloud_margin_capped");
        private final String h;
        TakeRate(String h) { this.h = h; }
        @Override public String header() { return h; }
    }

    /** sensitivity.csv: one-at-a-time and Monte Carlo rows. */
    enum Sensitivity implements Column {
        METHOD("method"), INPUT("input"), SETTING("setting"), MULTIPLIER("multiplier [x base]"), PROVIDER_CHANGE("provider_margin_change [pp]"),
        CLOUD_CHANGE("cloud_margin_change [pp]"), BASIS("basis");
        private final String h;
        Sensitivity(String h) { this.h = h; }
        @Override public String header() { return h; }
    }

    /** revenue_inputs.csv: every revenue input with its source. */
    enum Inputs implements Column {
        INPUT("input"), CONFIDENCE("confidence"), SOURCE("source");
        private final String h;
        Inputs(String h) { this.h = h; }
        @Override public String header() { return h; }
    }
}
