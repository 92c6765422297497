package dev.infercost.results;

/** Columns of cost.csv (written by the cost stage, read by revenue and report): one row per chip x price tier x operating point x query profile. Money in US dollars. Units are in square brackets in each header. */
public enum CostColumn implements Column {
    RUN_ID("run_id"),
    CHIP("chip"),
    VENDOR("vendor"),
    SILICON("silicon"), // silicon: nvidia | amd | custom | intel | cpu
    PROVENANCE("provenance"), // measured | projected
    TIER("tier"), // e.g. owner-tco | cloud-on-demand | cloud-reserved | neocloud | user
    OPERATING_POINT("operating_point"), // e.g. "decode batch=8", "serving rate=2 req/s", "target 20 tok/s/user"
    MODEL("model"),
    WEIGHTS("weights"),
    BATCH_SIZE("batch_size"),
    USD_PER_HOUR("usd_per_hour [$/h]"),
    CAPEX_PER_HOUR("capex_per_hour [$/h]"),
    POWER_COST_PER_HOUR("power_cost_per_hour [$/h]"),
    OTHER_OPEX_PER_HOUR("other_opex_per_hour [$/h]"),
    POWER("power [W]"),
    POWER_BASIS("power_basis"), // measured | estimated (tdp x utilisation) | ...
    PREFILL_THROUGHPUT("prefill_throughput [tok/s]"),
    DECODE_THROUGHPUT("decode_throughput [tok/s]"),
    TOK_PER_S_PER_USER("tok_per_s_per_user [tok/s/user]"),
    USD_PER_M_INPUT("usd_per_m_input [$/M tok]"),
    USD_PER_M_OUTPUT("usd_per_m_output [$/M tok]"),
    PROFILE("profile"),
    PROFILE_ISL("profile_isl [tok]"),
    PROFILE_OSL("profile_osl [tok]"),
    USD_PER_QUERY("usd_per_query [$/query]"),
    WH_PER_QUERY("wh_per_query [Wh/query]"),
    MBU("mbu"),
    MFU("mfu"),
    BASIS("basis"),
    ASSUMPTIONS("assumptions"),
    SOURCES("sources"),
    OVERRIDDEN("overridden"),
    // added with the calibrated operating-point sweep (issue 12); empty where not applicable
    PRECISION("precision"), // weights/KV, e.g. fp8/fp8
    TENSOR_PARALLEL("tensor_parallel"),
    INTERACTIVITY_TARGET("interactivity_target [tok/s/user]"),
    TTFT_ESTIMATE("ttft_estimate [ms]"),
    TPOT_ESTIMATE("tpot_estimate [ms]"),
    USD_PER_M_OUT_LOW("usd_per_m_out_low [$/M tok]"),
    USD_PER_M_OUT_HIGH("usd_per_m_out_high [$/M tok]"),
    USD_PER_QUERY_LOW("usd_per_query_low [$/query]"),
    USD_PER_QUERY_HIGH("usd_per_query_high [$/query]"),
    EFFICIENCY("efficiency"), // achieved fraction of peak bandwidth and FLOP/s used by the projection
    CALIBRATION("calibration"), // which published rows the efficiency was fitted to, or "measured"
    NOISY("noisy"), // true when a measured point's JMH 99.9% error exceeds its mean
    // added with issue 17 (accuracy failures are not priced)
    ACCURACY_VERDICT("accuracy_verdict"), // the measured point's accuracy gate: pass | fail | not-checked; empty for projected and imported rows
    ACCURACY_OVERRIDE("accuracy_override"); // "priced under --price-failed-accuracy" on a row priced although its accuracy gate failed; empty otherwise

    private final String header;

    CostColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
