package dev.infercost.results;

/**
 * Columns of serving.csv: one row per load point (rate or concurrency) of a serving sweep. Units are in square
 * brackets in each header. Each latency metric (TTFT, TPOT, ITL, E2E) has mean, std, min, max, p50, p90, p95, p99
 * and p99.9 ({@code _p999}) columns; percentiles asked for with {@code --percentiles} beyond those follow the
 * enum's columns, named by {@link Percentiles#header(String, double)} (e.g. {@code ttft_p75 [ms]}).
 */
public enum ServingColumn implements Column {
    RUN_ID("run_id"),
    BACKEND("backend"),
    DEVICE("device"),
    DEVICE_CLASS("device_class"),
    MODEL("model"),
    WEIGHTS("weights"),
    SCENARIO("scenario"), // SingleStream | Server | Offline | Concurrency
    TARGET_RATE("target_rate [req/s]"),
    CONCURRENCY("concurrency"),
    MAX_BATCH("max_batch"),
    ARRIVAL("arrival"), // arrival: poisson | gamma(cv) | closed
    MEAN_ISL("mean_isl [tok]"),
    MEAN_OSL("mean_osl [tok]"),
    DURATION("duration [s]"),
    COMPLETED("completed [req]"),
    ACHIEVED_RATE("achieved_rate [req/s]"),
    TTFT_MEAN("ttft_mean [ms]"),
    TTFT_STD("ttft_std [ms]"),
    TTFT_MIN("ttft_min [ms]"),
    TTFT_MAX("ttft_max [ms]"),
    TTFT_P50("ttft_p50 [ms]"),
    TTFT_P90("ttft_p90 [ms]"),
    TTFT_P95("ttft_p95 [ms]"),
    TTFT_P99("ttft_p99 [ms]"),
    TTFT_P999("ttft_p999 [ms]"),
    TTFT_SAMPLES("ttft_samples"),
    TPOT_MEAN("tpot_mean [ms]"),
    TPOT_STD("tpot_std [ms]"),
    TPOT_MIN("tpot_min [ms]"),
    TPOT_MAX("tpot_max [ms]"),
    TPOT_P50("tpot_p50 [ms]"),
    TPOT_P90("tpot_p90 [ms]"),
    TPOT_P95("tpot_p95 [ms]"),
    TPOT_P99("tpot_p99 [ms]"),
    TPOT_P999("tpot_p999 [ms]"),
    TPOT_SAMPLES("tpot_samples"),
    ITL_MEAN("itl_mean [ms]"),
    ITL_STD("itl_std [ms]"),
    ITL_MIN("itl_min [ms]"),
    ITL_MAX("itl_max [ms]"),
    ITL_P50("itl_p50 [ms]"),
    ITL_P90("itl_p90 [ms]"),
    ITL_P95("itl_p95 [ms]"),
    ITL_P99("itl_p99 [ms]"),
    ITL_P999("itl_p999 [ms]"),
    ITL_SAMPLES("itl_samples"),
    E2E_MEAN("e2e_mean [ms]"),
    E2E_STD("e2e_std [ms]"),
    E2E_MIN("e2e_min [ms]"),
    E2E_MAX("e2e_max [ms]"),
    E2E_P50("e2e_p50 [ms]"),
    E2E_P90("e2e_p90 [ms]"),
    E2E_P95("e2e_p95 [ms]"),
    E2E_P99("e2e_p99 [ms]"),
    E2E_P999("e2e_p999 [ms]"),
    E2E_SAMPLES("e2e_samples"),
    INPUT_THROUGHPUT("input_throughput [tok/s]"),
    OUTPUT_THROUGHPUT("output_throughput [tok/s]"),
    THROUGHPUT_PER_DEVICE("throughput_per_device [tok/s/device]"),
    TOK_PER_S_PER_USER("tok_per_s_per_user [tok/s/user]"),
    SLO_TTFT("slo_ttft [ms]"),
    SLO_TPOT("slo_tpot [ms]"),
    GOODPUT("goodput [req/s]"),
    SLO_ATTAINMENT("slo_attainment"),
    PREFILL_TIME_SHARE("prefill_time_share"), // fraction of busy device time spent in prefill
    MBU("mbu"),
    MFU("mfu"),
    POWER("power [W]"),
    ENERGY_PER_INPUT_TOKEN("energy_per_input_token [J/tok]"),
    ENERGY_PER_OUTPUT_TOKEN("energy_per_output_token [J/tok]"),
    ENERGY_PER_TOKEN("energy_per_token [J/tok]"),
    ENERGY_PER_QUERY("energy_per_query [Wh/query]"),
    ENERGY_BASIS("energy_basis"),
    ENERGY_METER("energy_meter"),
    ENERGY_BOUNDARY("energy_boundary"),
    ENERGY_VALID("energy_valid"),
    ENERGY_REASONS("energy_reasons"),
    ACCURACY_VERDICT("accuracy_verdict"),
    VALID("valid"),
    INVALID_REASONS("invalid_reasons"),
    DEVICE_COUNT("device_count"), // devices serving the point (throughput_per_device = output tok/s / device_count)
    ENDPOINT("endpoint"), // OpenAI-compatible server URL + API when measured over HTTP; empty in-process
    TOKEN_COUNT_SOURCE("token_count_source"), // engine | usage | tokenizer | stream chunks
    FAILED("failed [req]"), // requests that failed (HTTP error, timeout, malformed or truncated stream)
    SEND_LAG_P50("send_lag_p50 [ms]"), // actual - scheduled send time (endpoint runs)
    SEND_LAG_P99("send_lag_p99 [ms]");

    private final String header;

    ServingColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
