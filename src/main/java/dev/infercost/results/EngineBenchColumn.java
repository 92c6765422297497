package dev.infercost.results;

/** Columns of engine_bench.csv: one row per JMH benchmark point (engine level). Units are in square brackets in each header. */
public enum EngineBenchColumn implements Column {
    RUN_ID("run_id"),
    BACKEND("backend"),
    DEVICE("device"),
    DEVICE_CLASS("device_class"), // device_class: catalog id of the measured device, e.g. "cpu-host", "H100-SXM"
    MODEL("model"),
    MODEL_FORMAT("model_format"),
    WEIGHTS("weights"),
    DTYPE("dtype"),
    MODEL_SHAPE("model_shape"), // LlamaConfig.toShapeString(): lets cost project without the model file
    PARAMS("params"),
    WEIGHT_BYTES("weight_bytes [B]"),
    PHASE("phase"), // prefill | decode | encode
    BATCH_SIZE("batch_size"),
    ISL("isl [tok]"),
    CONTEXT("context [tok]"),
    THREADS("threads"),
    THROUGHPUT("throughput [tok/s]"),
    THROUGHPUT_ERROR("throughput_error [tok/s]"), // aggregate over the batch; error = JMH 99.9% CI half-width
    THROUGHPUT_PER_SEQ("throughput_per_seq [tok/s/user]"),
    SEQ_THROUGHPUT("seq_throughput [seq/s]"), // encoder sequences/s (encode phase)
    STEP_TIME("step_time [ms]"), // one forward pass (decode step or whole prefill)
    BYTES_PER_STEP("bytes_per_step [B]"),
    FLOPS_PER_TOKEN("flops_per_token [FLOP]"),
    MBU("mbu"),
    MFU("mfu"),
    PEAK_BANDWIDTH("peak_bandwidth [GB/s]"),
    PEAK_FLOPS("peak_flops [TFLOP/s]"),
    PEAK_BASIS("peak_basis"),
    POWER("power [W]"),
    ENERGY_PER_TOKEN("energy_per_token [J/tok]"),
    ENERGY_BASIS("energy_basis"),
    ENERGY_METER("energy_meter"),
    ENERGY_BOUNDARY("energy_boundary"),
    ENERGY_VALID("energy_valid"),
    ACCURACY_VERDICT("accuracy_verdict"), // pass | fail | not-checked, for this engine/model pair
    JMH_FORKS("jmh_forks"),
    JMH_ITERATIONS("jmh_iterations"),
    JMH_SAMPLES("jmh_samples");

    private final String header;

    EngineBenchColumn(String header) { this.header = header; }

    @Override
    public String header() { return header; }
}
