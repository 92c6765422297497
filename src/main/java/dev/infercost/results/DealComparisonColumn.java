package dev.infercost.results;

/** Columns of deal_comparison.csv (revenue stage): each deal's flows per year and party (and nominal / present-value totals), with the change against the reference deal (the scenario's own terms). Money in US dollars. */
public enum DealComparisonColumn implements Column {
    DEAL("deal"),
    REFERENCE_DEAL("reference_deal"),
    YEAR("year"),
    PARTY("party"),
    REVENUE_SHARE("revenue_share [$]"),
    REVERSE_SHARE("reverse_share [$]"),
    COMPUTE("compute [$]"),
    PROFIT("profit [$]"),
    ECONOMIC_PROFIT("economic_profit [$]"),
    PROFIT_CHANGE("profit_change_vs_reference [$]"),
    ECONOMIC_PROFIT_CHANGE("economic_profit_change_vs_reference [$]"),
    NOTE("note");

    private final String header;

    DealComparisonColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
