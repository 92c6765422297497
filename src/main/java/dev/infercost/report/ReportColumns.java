package dev.infercost.report;

import dev.infercost.results.Column;
import dev.infercost.results.Row;

/**
 * How the report reads columns of other stages' tables (their contract enums are in {@code dev.infercost.results}):
 * {@link #cell} matches the exact header or, failing that, the same name with any unit text (so
 * {@code usd_per_query_low} is found whether its header says {@code [$/query]} or {@code [$]}); and the band
 * column names of older cost tables.
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

    /**
     * Band column names of older cost tables ({@code usd_per_m_output_low/high}), read as a fallback when a cost
     * table has no {@link dev.infercost.results.CostBandColumn} band; no stage writes them any more, so they have no
     * contract enum in {@code dev.infercost.results}.
     */
    enum CostBand implements Column {
        USD_PER_M_OUTPUT_LOW("usd_per_m_output_low [$/M tok]"), USD_PER_M_OUTPUT_HIGH("usd_per_m_output_high [$/M tok]");
        private final String h;
        CostBand(String h) { this.h = h; }
        @Override public String header() { return h; }
    }
}
