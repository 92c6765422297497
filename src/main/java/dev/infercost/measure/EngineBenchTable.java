package dev.infercost.measure;

import dev.infercost.results.ResultSchemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.BadInputException;
import dev.infercost.hardware.PeakFigures;
import dev.infercost.model.Footprint;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.ModelInfo;
import dev.infercost.results.CsvTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH outcomes ({@link EngineBench.Outcome}) into rows of {@code engine_bench.csv}
 * ({@link ResultSchemas#ENGINE_BENCH_COLUMNS}) and the energy profiler's per-iteration log into rows of
 * {@code energy.csv} ({@link ResultSchemas#ENERGY_COLUMNS}).
 *
 * <p>MBU = bytes moved per second / peak memory bandwidth, with bytes per decode step from
 * {@link Footprint#bytesPerDecodeStep} (weights once per step plus each sequence's KV cache); MFU = FLOP/s /
 * peak FLOP/s with FLOPs per token from {@link Footprint#flopsPerToken} (Kaplan et al. 2020). Both as in
 * Databricks, "LLM Inference Performance Engineering: Best Practices" (2023).
 */
public final class EngineBenchTable {
    private EngineBenchTable() {}

    /** What one benchmark measured, with the context the CSV row needs. */
    public record Point(String backend, String device, ModelInfo model, LlamaConfig config, String phase, int batch,
                        int isl, int context, int threads, EngineBench.Outcome outcome, String accuracyVerdict) {}

    /** The engine_bench.csv row of a successful point (callers skip failed outcomes). */
    public static Map<String, Object> row(String runId, Point p, PeakFigures peaks) {
        EngineBench.Outcome o = p.outcome();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run_id", runId);
        r.put("backend", p.backend());
        r.put("device", p.device());
        r.put("device_class", peaks.deviceClass());
        r.put("model", p.model().name());
        r.put("model_format", p.model().format());
        r.put("weights", p.model().weightsLabel());
        r.put("dtype", p.model().dtype());
        r.put("model_shape", p.config() == null ? null : p.config().toShapeString());
        r.put("batch_size", p.batch());
        r.put("threads", p.threads());
        r.put("peak_bandwidth [GB/s]", peaks.peakGBps());
        r.put("peak_flops [TFLOP/s]", peaks.peakTflops());
        r.put("peak_basis", peaks.basis());
        r.put("accuracy_verdict", p.accuracyVerdict());
        r.put("jmh_forks", o.forks());
        r.put("jmh_iterations", o.iterations());
        r.put("jmh_samples", o.samples());
        r.put("phase", p.phase());
        double tokS, tokErr, stepMs, bytes = Double.NaN, flops = Double.NaN;
        switch (p.phase()) {
            case "decode" -> {
                tokS = o.score();
                tokErr = o.error();
                stepMs = 1000.0 * p.batch() / tokS;
                bytes = Footprint.bytesPerDecodeStep(p.config(), p.model().weightBytes(), p.batch(), p.context() + 1, 4);
                flops = Footprint.flopsPerToken(p.config(), p.context() + 1);
                r.put("isl [tok]", null);
                r.put("context [tok]", p.context());
                r.put("throughput_per_seq [tok/s/user]", tokS / p.batch());
                r.put("mbu", bytes * (tokS / p.batch()) / (peaks.peakGBps() * 1e9));
            }
            case "prefill" -> {
                // JMH score is prompts/s; one prompt is isl tokens.
                tokS = o.score() * p.isl();
                tokErr = o.error() * p.isl();
                stepMs = 1000.0 / o.score();
                // Weights once per prompt plus the KV cache written for isl positions.
                bytes = p.model().weightBytes() + (double) p.isl() * Footprint.kvBytesPerPosition(p.config(), 4);
                flops = Footprint.flopsPerToken(p.config(), (p.isl() + 1) / 2);
                r.put("isl [tok]", p.isl());
                r.put("context [tok]", p.isl());
                r.put("throughput_per_seq [tok/s/user]", tokS);
                r.put("mbu", bytes * o.score() / (peaks.peakGBps() * 1e9));
            }
            case "encode" -> {
                // JMH score is sequences/s (one op = one sequence of isl padded tokens; one invocation = the batch).
                tokS = o.score() * p.isl();
                tokErr = o.error() * p.isl();
                stepMs = 1000.0 * p.batch() / o.score();
                r.put("isl [tok]", p.isl());
                r.put("context [tok]", p.isl());
                r.put("seq_throughput [seq/s]", o.score());
            }
            default -> throw new IllegalArgumentException("unknown phase " + p.phase());
        }
        r.put("params", p.config() == null ? null : p.config().parameterCount());
        r.put("weight_bytes [B]", p.model().weightBytes());
        r.put("throughput [tok/s]", tokS);
        r.put("throughput_error [tok/s]", tokErr);
        r.put("step_time [ms]", stepMs);
        r.put("bytes_per_step [B]", bytes);
        r.put("flops_per_token [FLOP]", flops);
        if (!Double.isNaN(flops)) r.put("mfu", tokS * flops / (peaks.peakTflops() * 1e12));
        Map<String, Double> sec = o.secondary();
        Double w = sec.get("energy.power"), jTok = sec.get("energy.J/token"), valid = sec.get("energy.valid"), est = sec.get("energy.estimated");
        if (w != null) {
            r.put("power [W]", w);
            r.put("energy_per_token [J/tok]", jTok); // profiler ran with tokensPerOp = tokens of one JMH op
            r.put("energy_basis", est != null && est > 0.5 ? "estimated" : "measured");
            r.put("energy_valid", valid != null && valid > 0.999);
        }
        return r;
    }

    /**
     * Reads the energy profiler's JSON-lines log (one line per measured JMH iteration) into energy.csv rows.
     * Also returns, per benchmark window, the meter and boundary (for the engine_bench.csv columns).
     *
     * @throws BadInputException if the log is unreadable
     */
    public static List<Map<String, Object>> energyRows(String runId, Path log) {
        if (!Files.exists(log)) return List.of();
        ObjectMapper om = new ObjectMapper();
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        try {
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) continue;
                JsonNode j = om.readTree(line);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("run_id", runId);
                r.put("window", text(j, "window"));
                r.put("meter", text(j, "meter"));
                r.put("device", text(j, "device"));
                r.put("boundary", text(j, "boundary"));
                r.put("basis", text(j, "basis"));
                r.put("basis_detail", text(j, "basis_detail"));
                r.put("duration [s]", num(j, "duration_s"));
                r.put("energy [J]", num(j, "energy_j"));
                r.put("avg_power [W]", num(j, "avg_power_w"));
                r.put("idle_power [W]", num(j, "idle_power_w"));
                r.put("energy_above_idle [J]", num(j, "energy_above_idle_j"));
                r.put("samples", j.path("samples").asLong());
                r.put("valid", j.path("valid").asBoolean());
                List<String> reasons = new java.util.ArrayList<>();
                j.path("reasons").forEach(x -> reasons.add(x.asText()));
                r.put("reasons", String.join("; ", reasons));
                rows.add(r);
            }
        } catch (IOException e) {
            throw new BadInputException(log + ": cannot read energy log: " + e.getMessage(), e);
        }
        return rows;
    }

    private static String text(JsonNode j, String k) { return j.hasNonNull(k) ? j.get(k).asText() : null; }

    private static Double num(JsonNode j, String k) { return j.hasNonNull(k) ? j.get(k).asDouble() : Double.NaN; }

    /** An empty engine_bench.csv table. */
    public static CsvTable newTable() { return new CsvTable(ResultSchemas.ENGINE_BENCH_COLUMNS); }
}
