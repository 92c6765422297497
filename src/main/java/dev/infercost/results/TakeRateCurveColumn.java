package dev.infercost.results;

/** Columns of take_rate_curve.csv (revenue stage): horizon margins of both parties vs a flat take rate, with and without the cumulative cap. */
public enum TakeRateCurveColumn implements Column {
    TAKE_RATE("take_rate"),
    PROVIDER_MARGIN_UNCAPPED("provider_margin_uncapped"),
    PROVIDER_MARGIN_CAPPED("provider_margin_capped"),
    CLOUD_MARGIN_UNCAPPED("cloud_margin_uncapped"),
    CLOUD_MARGIN_CAPPED("cloud_margin_capped");

    private final String header;

    TakeRateCurveColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
