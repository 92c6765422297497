package dev.infercost.results;

/** Columns of revenue_summary.csv (revenue stage): the key figures (horizon totals nominal and present value, cap saving, the cloud's net position, break-even take rate / cap / markup per party, maximum sustainable cloud tax). unit says $, fraction, $/query or x. */
public enum RevenueSummaryColumn implements Column {
    METRIC("metric"),
    VALUE("value"),
    UNIT("unit"),
    NOTE("note");

    private final String header;

    RevenueSummaryColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
