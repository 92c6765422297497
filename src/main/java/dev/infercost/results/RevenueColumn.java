package dev.infercost.results;

/** Columns of revenue.csv (revenue stage): one row per year x party (provider | cloud) under the scenario's own deal terms, plus horizon totals (year "total", whose *_pv cells are present values at the scenario's discount rate). Money in US dollars; fractions are 0..1. Other deal terms are in deal_comparison.csv. */
public enum RevenueColumn implements Column {
    SCENARIO("scenario"),
    DEAL("deal"),
    YEAR("year"),
    PARTY("party"),
    QUERIES("queries [query]"),
    PAID_QUERIES("paid_queries [query]"),
    REVENUE("revenue [$]"),
    TAKE_RATE("take_rate"),
    REVENUE_SHARE_DUE("revenue_share_due [$]"),
    REVENUE_SHARE("revenue_share [$]"),
    CAP_BINDS("cap_binds"),
    CAP_BINDS_AT("cap_binds_at [fraction of year]"),
    CAP_REMAINING("cap_remaining [$]"),
    COMPUTE_USAGE("compute_usage [$]"),
    COMPUTE("compute [$]"),
    TAKE_OR_PAY_SHORTFALL("take_or_pay_shortfall [$]"),
    REVERSE_SHARE("reverse_share [$]"),
    COST_OF_SERVING("cost_of_serving [$]"),
    CUSTOM_PROGRAM_COST("custom_program_cost [$]"),
    CUSTOM_SILICON_SHARE("custom_silicon_share"),
    CUSTOM_SILICON_GAIN("custom_silicon_gain [$]"),
    OTHER_COSTS("other_costs [$]"),
    EQUITY_STAKE("equity_stake"),
    EQUITY_PICKUP("equity_share_of_provider_profit [$]"),
    PROFIT("profit [$]"),
    MARGIN("margin"),
    ECONOMIC_PROFIT("economic_profit [$]"),
    PROFIT_PV("profit_pv [$]"),
    ECONOMIC_PROFIT_PV("economic_profit_pv [$]"),
    PROFIT_COST_LOW("profit_cost_band_low [$]"),
    PROFIT_COST_HIGH("profit_cost_band_high [$]"),
    COST_INDEX("cost_index [x first year]"),
    DISCOUNT_FACTOR("discount_factor"),
    BASIS("basis");

    private final String header;

    RevenueColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
