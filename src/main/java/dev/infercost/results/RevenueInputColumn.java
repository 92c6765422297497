package dev.infercost.results;

/** Columns of revenue_inputs.csv (revenue stage): every scenario and cost input with its confidence (high | medium | low | assumed | measured | projected | derived), source and date. */
public enum RevenueInputColumn implements Column {
    INPUT("input"),
    VALUE("value"),
    UNIT("unit"),
    CONFIDENCE("confidence"),
    SOURCE("source"),
    SOURCE_DATE("source_date"),
    NOTE("note");

    private final String header;

    RevenueInputColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
