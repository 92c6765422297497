package dev.infercost.results;

/**
 * Columns of the infercost import CSV: serving measurements made elsewhere (any tool), read by {@code infercost cost
 * --import FILE} as "measured (imported)" points of the chip they name. One row per operating point; power optional.
 */
public enum ImportColumn implements Column {
    CHIP("chip"), // a catalog chip name or device_class, e.g. "H200 SXM"
    STACK("stack"), // serving stack, e.g. "vLLM 0.9 TP8"
    MODEL("model"), // e.g. llama-3.1-70b
    PRECISION("precision"), // bf16 | fp8 | fp4
    ISL("isl [tok]"),
    OSL("osl [tok]"),
    CONCURRENCY("concurrency"),
    OUTPUT_TOK_PER_S_PER_CHIP("output_tok_per_s_per_chip [tok/s/chip]"),
    TOK_PER_S_PER_USER("tok_per_s_per_user [tok/s/user]"),
    TTFT_P50("ttft_p50 [ms]"),
    TTFT_P99("ttft_p99 [ms]"),
    TPOT_P50("tpot_p50 [ms]"),
    TPOT_P99("tpot_p99 [ms]"),
    POWER("power [W]"); // optional: device power while serving, per chip

    private final String header;

    ImportColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
