package dev.infercost.results;

/**
 * Columns of the bundled reference table {@code dev/infercost/reference/revenue.csv} (sourced figures the revenue
 * scenario cites by {@code entity|metric|period}; see revenue-SOURCES.md beside it). Values may be text or ranges
 * ("0.52 -> 0.70"); units are in the {@code unit} column, not the header, because they differ row by row.
 */
public enum ReferenceRevenueColumn implements Column {
    ENTITY("entity"),
    METRIC("metric"),
    PERIOD("period"),
    VALUE("value"),
    UNIT("unit"),
    SOURCE_URL("source_url"),
    SOURCE_DATE("source_date"),
    CONFIDENCE("confidence"), // high | medium | low
    NOTES("notes");

    private final String header;

    ReferenceRevenueColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
