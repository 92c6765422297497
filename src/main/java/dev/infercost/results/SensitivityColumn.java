package dev.infercost.results;

/** Columns of sensitivity.csv (revenue stage): tornado rows (low/high per input, each a full rerun of the model) and Monte Carlo percentile rows. Margins are fractions over the horizon. */
public enum SensitivityColumn implements Column {
    METHOD("method"),
    INPUT("input"),
    SETTING("setting"),
    MULTIPLIER("multiplier [x base]"),
    PROVIDER_MARGIN("provider_margin"),
    CLOUD_MARGIN("cloud_margin"),
    PROVIDER_MARGIN_CHANGE("provider_margin_change [pp]"),
    CLOUD_MARGIN_CHANGE("cloud_margin_change [pp]"),
    PROVIDER_PROFIT("provider_profit [$]"),
    CLOUD_PROFIT("cloud_profit [$]"),
    CLOUD_ECONOMIC_PROFIT("cloud_economic_profit [$]"),
    BASIS("basis");

    private final String header;

    SensitivityColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
