package dev.infercost.results;

/** Optional band columns of cost.csv (the cost stage's low/high band of each projected row). Read by the revenue stage when present; absent columns mean the band is missing and the point value is used, labelled so. */
public enum CostBandColumn implements Column {
    USD_PER_QUERY_LOW("usd_per_query_low [$/query]"),
    USD_PER_QUERY_HIGH("usd_per_query_high [$/query]"),
    USD_PER_M_OUT_LOW("usd_per_m_out_low [$/M tok]"),
    USD_PER_M_OUT_HIGH("usd_per_m_out_high [$/M tok]");

    private final String header;

    CostBandColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
