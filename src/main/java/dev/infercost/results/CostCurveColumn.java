package dev.infercost.results;

/**
 * Columns of cost_curve.csv (written by the cost stage, read by the report): one row per chip x price tier x
 * operating point on that chip's cost curve, for one named model and precision. A curve is throughput per chip
 * and $/M output tokens against tok/s/user (interactivity), swept over batch size and tensor parallelism.
 * provenance is {@code measured}, {@code measured (imported)} or {@code projected}; projected rows carry the
 * low/high band of the projection's efficiency. Money in US dollars; units in square brackets in each header.
 */
public enum CostCurveColumn implements Column {
    CHIP("chip"),
    TIER("tier"),
    PROVENANCE("provenance"), // measured | projected | measured (imported)
    MODEL("model"),
    PRECISION("precision"), // e.g. bf16 | fp8 | f32
    TENSOR_PARALLEL("tensor_parallel"),
    BATCH_SIZE("batch_size"),
    TOK_PER_S_PER_USER("tok_per_s_per_user [tok/s/user]"),
    THROUGHPUT_PER_CHIP("throughput_per_chip [tok/s/chip]"),
    USD_PER_M_OUTPUT("usd_per_m_output [$/M tok]"),
    USD_PER_M_OUTPUT_LOW("usd_per_m_output_low [$/M tok]"),
    USD_PER_M_OUTPUT_HIGH("usd_per_m_output_high [$/M tok]");

    /** cost_curve.csv: file name and columns. */
    public static final TableSpec<CostCurveColumn> TABLE = new TableSpec<>("cost_curve.csv", CostCurveColumn.class);

    private final String header;

    CostCurveColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
