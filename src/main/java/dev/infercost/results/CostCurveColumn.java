package dev.infercost.results;

/**
 * Columns of cost_curve.csv (written by the cost stage): every operating point of the calibrated sweep per chip,
 * model, precision and tensor-parallel size (InferenceX form: throughput per chip against tok/s/user), projected or
 * measured, with the price of one tier. Money in US dollars.
 */
public enum CostCurveColumn implements Column {
    RUN_ID("run_id"),
    CHIP("chip"),
    VENDOR("vendor"),
    PROVENANCE("provenance"), // projected | measured | measured (imported)
    MODEL("model"),
    PRECISION("precision"), // weights/KV
    PROFILE("profile"),
    ISL("isl [tok]"),
    OSL("osl [tok]"),
    TENSOR_PARALLEL("tensor_parallel"),
    BATCH_SIZE("batch_size"),
    THROUGHPUT_PER_CHIP("throughput_per_chip [tok/s/chip]"), // output tok/s per chip over the request life (prefills interleaved), the InferenceX y-axis
    THROUGHPUT_PER_CHIP_LOW("throughput_per_chip_low [tok/s/chip]"), // at the calibration band's low efficiency
    THROUGHPUT_PER_CHIP_HIGH("throughput_per_chip_high [tok/s/chip]"), // at the band's high efficiency
    TOK_PER_S_PER_USER("tok_per_s_per_user [tok/s/user]"),
    TTFT_ESTIMATE("ttft_estimate [ms]"),
    TPOT_ESTIMATE("tpot_estimate [ms]"),
    DECODE_BOUND("decode_bound"), // memory | compute
    ALLREDUCE_SHARE("allreduce_share"), // modelled share of the decode step in TP all-reduce
    ON_FRONTIER("on_frontier"), // true when no other point of this chip/precision beats it on both axes
    TIER("tier"), // one row per operating point and price tier (compare chips within one tier)
    USD_PER_HOUR("usd_per_hour [$/h]"),
    USD_PER_M_INPUT("usd_per_m_input [$/M tok]"),
    USD_PER_M_OUTPUT("usd_per_m_output [$/M tok]"),
    USD_PER_M_OUTPUT_LOW("usd_per_m_output_low [$/M tok]"), // at the band's high throughput
    USD_PER_M_OUTPUT_HIGH("usd_per_m_output_high [$/M tok]"), // at the band's low throughput
    EFFICIENCY("efficiency"),
    CALIBRATION("calibration"),
    SOURCE("source"); // source file of a measured point, or the calibration rows' pages

    private final String header;

    CostCurveColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
