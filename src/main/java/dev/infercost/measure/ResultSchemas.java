package dev.infercost.measure;

import java.util.List;

/**
 * Column contracts of the measurement tables in a run folder. Producers (engine benchmarks, serving runs,
 * energy meters) write exactly these columns; consumers (cost, report) read them by name. Units are in
 * square brackets. Rows from synthetic-weight presets say so in {@code weights}; estimated energy says
 * so in {@code energy_basis}.
 */
public final class ResultSchemas {
    private ResultSchemas() {}

    /** engine_bench.csv: one row per JMH benchmark point. */
    public static final String ENGINE_BENCH = "engine_bench.csv";
    public static final List<String> ENGINE_BENCH_COLUMNS = List.of(
            "run_id", "backend", "device", "device_class",          // device_class: catalog id of the measured device, e.g. "cpu-host", "H100-SXM"
            "model", "model_format", "weights", "dtype",
            "model_shape",                                            // LlamaConfig.toShapeString(): lets cost project without the model file
            "params", "weight_bytes [B]",
            "phase",                                                  // prefill | decode | encode
            "batch_size", "isl [tok]", "context [tok]", "threads",
            "throughput [tok/s]", "throughput_error [tok/s]",         // aggregate over the batch; error = JMH 99.9% CI half-width
            "throughput_per_seq [tok/s/user]",
            "seq_throughput [seq/s]",                                  // encoder sequences/s (encode phase)
            "step_time [ms]",                                          // one forward pass (decode step or whole prefill)
            "bytes_per_step [B]", "flops_per_token [FLOP]",
            "mbu", "mfu", "peak_bandwidth [GB/s]", "peak_flops [TFLOP/s]", "peak_basis",
            "power [W]", "energy_per_token [J/tok]", "energy_basis", "energy_meter", "energy_boundary", "energy_valid",
            "accuracy_verdict",                                        // pass | fail | not-checked, for this engine/model pair
            "jmh_forks", "jmh_iterations", "jmh_samples");

    /** serving.csv: one row per load point (rate or concurrency) of a serving sweep. */
    public static final String SERVING = "serving.csv";
    public static final List<String> SERVING_COLUMNS = List.of(
            "run_id", "backend", "device", "device_class", "model", "weights", "scenario",   // SingleStream | Server | Offline | Concurrency
            "target_rate [req/s]", "concurrency", "max_batch", "arrival",                      // arrival: poisson | gamma(cv) | closed
            "mean_isl [tok]", "mean_osl [tok]",
            "duration [s]", "completed [req]", "achieved_rate [req/s]",
            "ttft_p50 [ms]", "ttft_p90 [ms]", "ttft_p99 [ms]", "ttft_p999 [ms]", "ttft_samples",
            "tpot_p50 [ms]", "tpot_p90 [ms]", "tpot_p99 [ms]", "tpot_p999 [ms]", "tpot_samples",
            "itl_p50 [ms]", "itl_p90 [ms]", "itl_p99 [ms]", "itl_p999 [ms]", "itl_samples",
            "e2e_p50 [ms]", "e2e_p90 [ms]", "e2e_p99 [ms]", "e2e_p999 [ms]", "e2e_samples",
            "input_throughput [tok/s]", "output_throughput [tok/s]",
            "throughput_per_device [tok/s/device]", "tok_per_s_per_user [tok/s/user]",
            "slo_ttft [ms]", "slo_tpot [ms]", "goodput [req/s]", "slo_attainment",
            "prefill_time_share",                                      // fraction of busy device time spent in prefill
            "mbu", "mfu",
            "power [W]", "energy_per_input_token [J/tok]", "energy_per_output_token [J/tok]", "energy_per_token [J/tok]",
            "energy_per_query [Wh/query]", "energy_basis", "energy_meter", "energy_boundary", "energy_valid", "energy_reasons",
            "accuracy_verdict", "valid", "invalid_reasons");

    /** energy.csv: one row per energy window (benchmark or serving point, idle baseline). */
    public static final String ENERGY = "energy.csv";
    public static final List<String> ENERGY_COLUMNS = List.of(
            "run_id", "window", "meter", "device", "boundary",          // boundary: gpu | cpu-package | node | facility
            "basis",                                                     // measured | estimated
            "basis_detail", "duration [s]", "energy [J]", "avg_power [W]", "idle_power [W]",
            "energy_above_idle [J]", "samples", "valid", "reasons");

    /**
     * cost.csv (written by the cost stage, read by revenue and report): one row per chip x price tier x
     * operating point x query profile. provenance is "measured" only for the device the run measured;
     * every other chip is "projected". Money in US dollars.
     */
    public static final String COST = "cost.csv";
    public static final List<String> COST_COLUMNS = List.of(
            "run_id", "chip", "vendor", "silicon",                        // silicon: nvidia | amd | custom | intel | cpu
            "provenance",                                                 // measured | projected
            "tier",                                                       // e.g. owner-tco | cloud-on-demand | cloud-reserved | neocloud | user
            "operating_point",                                            // e.g. "decode batch=8", "serving rate=2 req/s", "target 20 tok/s/user"
            "model", "weights", "batch_size",
            "usd_per_hour [$/h]", "capex_per_hour [$/h]", "power_cost_per_hour [$/h]", "other_opex_per_hour [$/h]",
            "power [W]", "power_basis",                                  // measured | estimated (tdp x utilisation) | ...
            "prefill_throughput [tok/s]", "decode_throughput [tok/s]", "tok_per_s_per_user [tok/s/user]",
            "usd_per_m_input [$/M tok]", "usd_per_m_output [$/M tok]",
            "profile", "profile_isl [tok]", "profile_osl [tok]",
            "usd_per_query [$/query]", "wh_per_query [Wh/query]",
            "mbu", "mfu", "basis", "assumptions", "sources", "overridden");
}
