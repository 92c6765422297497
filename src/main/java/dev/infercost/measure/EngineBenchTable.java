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
import dev.infercost.results.EnergyColumn;
import dev.infercost.results.EngineBenchColumn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH outcomes ({@link EngineBench.Outcome}) into rows of {@code engine_bench.csv}
 * ({@link ResultSchemas#ENGINE_BENCH_TABLE}) and the energy profiler's per-iteration log into rows of
 * {@code energy.csv} ({@link ResultSchemas#ENERGY_TABLE}).
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
    public static Map<EngineBenchColumn, Object> row(String runId, Point p, PeakFigures peaks) {
        EngineBench.Outcome o = p.outcome();
        Map<EngineBenchColumn, Object> r = new EnumMap<>(EngineBenchColumn.class);
        r.put(EngineBenchColumn.RUN_ID, runId);
        r.put(EngineBenchColumn.BACKEND, p.backend());
        r.put(EngineBenchColumn.DEVICE, p.device());
        r.put(EngineBenchColumn.DEVICE_CLASS, peaks.deviceClass());
        r.put(EngineBenchColumn.MODEL, p.model().name());
        r.put(EngineBenchColumn.MODEL_FORMAT, p.model().format());
        r.put(EngineBenchColumn.WEIGHTS, p.model().weightsLabel());
        r.put(EngineBenchColumn.DTYPE, p.model().dtype());
        r.put(EngineBenchColumn.MODEL_SHAPE, p.config() == null ? null : p.config().toShapeString());
        r.put(EngineBenchColumn.BATCH_SIZE, p.batch());
        r.put(EngineBenchColumn.THREADS, p.threads());
        r.put(EngineBenchColumn.PEAK_BANDWIDTH, peaks.peakGBps());
        r.put(EngineBenchColumn.PEAK_FLOPS, peaks.peakTflops());
        r.put(EngineBenchColumn.PEAK_BASIS, peaks.basis());
        r.put(EngineBenchColumn.ACCURACY_VERDICT, p.accuracyVerdict());
        r.put(EngineBenchColumn.JMH_FORKS, o.forks());
        r.put(EngineBenchColumn.JMH_ITERATIONS, o.iterations());
        r.put(EngineBenchColumn.JMH_SAMPLES, o.samples());
        r.put(EngineBenchColumn.PHASE, p.phase());
        double tokS, tokErr, stepMs, bytes = Double.NaN, flops = Double.NaN;
        switch (p.phase()) {
            case "decode" -> {
                tokS = o.score();
                tokErr = o.error();
                stepMs = 1000.0 * p.batch() / tokS;
                bytes = Footprint.bytesPerDecodeStep(p.config(), p.model().weightBytes(), p.batch(), p.context() + 1, 4);
                flops = Footprint.flopsPerToken(p.config(), p.context() + 1);
                r.put(EngineBenchColumn.ISL, null);
                r.put(EngineBenchColumn.CONTEXT, p.context());
                r.put(EngineBenchColumn.THROUGHPUT_PER_SEQ, tokS / p.batch());
                r.put(EngineBenchColumn.MBU, bytes * (tokS / p.batch()) / (peaks.peakGBps() * 1e9));
            }
            case "prefill" -> {
                // JMH score is prompts/s; one prompt is isl tokens.
                tokS = o.score() * p.isl();
                tokErr = o.error() * p.isl();
                stepMs = 1000.0 / o.score();
                // Weights once per prompt plus the KV cache written for isl positions.
                bytes = p.model().weightBytes() + (double) p.isl() * Footprint.kvBytesPerPosition(p.config(), 4);
                flops = Footprint.flopsPerToken(p.config(), (p.isl() + 1) / 2);
                r.put(EngineBenchColumn.ISL, p.isl());
                r.put(EngineBenchColumn.CONTEXT, p.isl());
                r.put(EngineBenchColumn.THROUGHPUT_PER_SEQ, tokS);
                r.put(EngineBenchColumn.MBU, bytes * o.score() / (peaks.peakGBps() * 1e9));
            }
            case "encode" -> {
                // JMH score is sequences/s (one op = one sequence of isl padded tokens; one invocation = the batch).
                tokS = o.score() * p.isl();
                tokErr = o.error() * p.isl();
                stepMs = 1000.0 * p.batch() / o.score();
                r.put(EngineBenchColumn.ISL, p.isl());
                r.put(EngineBenchColumn.CONTEXT, p.isl());
                r.put(EngineBenchColumn.SEQ_THROUGHPUT, o.score());
            }
            default -> throw new IllegalArgumentException("unknown phase " + p.phase());
        }
        r.put(EngineBenchColumn.PARAMS, p.config() == null ? null : p.config().parameterCount());
        r.put(EngineBenchColumn.WEIGHT_BYTES, p.model().weightBytes());
        r.put(EngineBenchColumn.THROUGHPUT, tokS);
        r.put(EngineBenchColumn.THROUGHPUT_ERROR, tokErr);
        r.put(EngineBenchColumn.STEP_TIME, stepMs);
        r.put(EngineBenchColumn.BYTES_PER_STEP, bytes);
        r.put(EngineBenchColumn.FLOPS_PER_TOKEN, flops);
        if (!Double.isNaN(flops)) r.put(EngineBenchColumn.MFU, tokS * flops / (peaks.peakTflops() * 1e12));
        Map<String, Double> sec = o.secondary();
        Double w = sec.get("energy.power"), jTok = sec.get("energy.J/token"), valid = sec.get("energy.valid"), est = sec.get("energy.estimated");
        if (w != null) {
            r.put(EngineBenchColumn.POWER, w);
            r.put(EngineBenchColumn.ENERGY_PER_TOKEN, jTok); // profiler ran with tokensPerOp = tokens of one JMH op
            r.put(EngineBenchColumn.ENERGY_BASIS, est != null && est > 0.5 ? "estimated" : "measured");
            r.put(EngineBenchColumn.ENERGY_VALID, valid != null && valid > 0.999);
        }
        return r;
    }

    /**
     * Reads the energy profiler's JSON-lines log (one line per measured JMH iteration) into energy.csv rows.
     * Also returns, per benchmark window, the meter and boundary (for the engine_bench.csv columns).
     *
     * @throws BadInputException if the log is unreadable
     */
    public static List<Map<EnergyColumn, Object>> energyRows(String runId, Path log) {
        if (!Files.exists(log)) return List.of();
        ObjectMapper om = new ObjectMapper();
        List<Map<EnergyColumn, Object>> rows = new java.util.ArrayList<>();
        try {
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) continue;
                JsonNode j = om.readTree(line);
                Map<EnergyColumn, Object> r = new EnumMap<>(EnergyColumn.class);
                r.put(EnergyColumn.RUN_ID, runId);
                r.put(EnergyColumn.WINDOW, text(j, "window"));
                r.put(EnergyColumn.METER, text(j, "meter"));
                r.put(EnergyColumn.DEVICE, text(j, "device"));
                r.put(EnergyColumn.BOUNDARY, text(j, "boundary"));
                r.put(EnergyColumn.BASIS, text(j, "basis"));
                r.put(EnergyColumn.BASIS_DETAIL, text(j, "basis_detail"));
                r.put(EnergyColumn.DURATION, num(j, "duration_s"));
                r.put(EnergyColumn.ENERGY, num(j, "energy_j"));
                r.put(EnergyColumn.AVG_POWER, num(j, "avg_power_w"));
                r.put(EnergyColumn.IDLE_POWER, num(j, "idle_power_w"));
                r.put(EnergyColumn.ENERGY_ABOVE_IDLE, num(j, "energy_above_idle_j"));
                r.put(EnergyColumn.SAMPLES, j.path("samples").asLong());
                r.put(EnergyColumn.VALID, j.path("valid").asBoolean());
                List<String> reasons = new java.util.ArrayList<>();
                j.path("reasons").forEach(x -> reasons.add(x.asText()));
                r.put(EnergyColumn.REASONS, String.join("; ", reasons));
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
    public static CsvTable newTable() { return ResultSchemas.ENGINE_BENCH_TABLE.newTable(); }
}
