package dev.infercost.measure.loadgen;

import dev.infercost.hardware.PeakFigures;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.results.ResultSchemas;
import dev.infercost.measure.energy.EnergyMeasurement;
import dev.infercost.measure.energy.EnergyMeter;
import dev.infercost.measure.energy.EnergyMeters;
import dev.infercost.measure.energy.EnergyWindow;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.model.Tokenizer;
import dev.infercost.results.CsvTable;
import dev.infercost.results.RunDirectory;
import dev.infercost.workload.LengthDistribution;
import dev.infercost.workload.RequestSpec;
import dev.infercost.workload.Workload;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Serving benchmark: for each model, a sweep of load points (Server rates by default, or Offline, SingleStream,
 * a Concurrency sweep) through {@link ServingRunner}, with energy per point, MBU/MFU, goodput and the highest
 * Server rate meeting the SLO. Writes serving.csv and energy.csv with exactly the columns of
 * {@link ResultSchemas}.
 *
 * <p>Default Server sweep (after GuideLLM's "sweep" profile): a warm-up, an Offline point whose request rate is
 * the capacity estimate, then Server points at {@link ServeBenchOptions#rateFractions} of that rate, then
 * bisection between the highest passing and the lowest failing rate. Explicit {@code rates} replace the
 * calibration.
 *
 * <p>Columns needing a definition: {@code throughput_per_device} = output tok/s / devices and
 * {@code tok_per_s_per_user} = 1000 / median TPOT, the two axes of InferenceX's throughput-per-GPU vs
 * interactivity curves (one row per load point); {@code prefill_time_share} = prefill busy time / (prefill + decode
 * busy time); MBU/MFU use the point's wall duration (bytes and FLOPs counted per step by {@link ServingRunner})
 * over {@link PeakFigures}. Energy of a point is the meter's window around it (the idle baseline subtracted when
 * {@code subtractIdle}); it is split between input and output tokens by {@code prefill_time_share} (DESIGN.md:
 * each phase is costed by the device time it takes): J/input token = E x share / input tokens, J/output token =
 * E x (1 - share) / output tokens, J/token = E / (input + output tokens), Wh/query = E / 3600 / completed.
 *
 * <p>Entry points: {@link #run(RunDirectory, ServeBenchOptions)} (loads models, writes the tables),
 * {@link #measure(ServeBenchOptions, String, PrintStream)} (same, returns tables without writing) and
 * {@link #sweep} (one already-open engine, any clock; what tests drive with a fake engine).
 */
public final class ServeBench {
    private ServeBench() {}

    /**
     * Per-model outcome.
     *
     * @param offlineRate       request rate of the Offline calibration point, req/s (NaN when not run)
     * @param maxRateMeetingSlo highest Server rate whose point was valid and met the SLO (NaN when none did or none ran)
     * @param bracketed         a higher rate was swept and failed (valid-and-meeting-the-SLO is false there), so
     *                          {@code maxRateMeetingSlo} is bounded from above; false: it is only a lower bound
     *                          (the highest rate swept), "at least" that rate
     */
    public record ModelSummary(String model, String backend, String device, double offlineRate, double maxRateMeetingSlo,
                               boolean bracketed, int points) {}

    /**
     * Tables and summary of a serving benchmark.
     *
     * @param failures one line per model that could not be run (the others still ran)
     */
    public record Result(String runId, CsvTable serving, CsvTable energy, List<ModelSummary> summaries,
                         List<String> failures, List<String> energySelections, Map<String, Object> manifestSection,
                         PointLog records) {}

    /**
     * Loads every model of {@code o}, runs its sweep, and writes serving.csv and energy.csv into {@code dir}.
     *
     * @throws BadInputException when no model could be run (each failure is named), or bad options
     */
    public static Result run(RunDirectory dir, ServeBenchOptions o) { return run(dir, o, System.out); }

    /** As {@link #run(RunDirectory, ServeBenchOptions)}, progress and per-point lines on {@code log}. */
    public static Result run(RunDirectory dir, ServeBenchOptions o, PrintStream log) {
        Result r = measure(o, dir.runId(), log);
        dir.writeCsv(ResultSchemas.SERVING, r.serving());
        dir.writeCsv(ResultSchemas.ENERGY, r.energy());
        dir.writeString(PointLog.REQUESTS, r.records().requestsJsonl());
        dir.writeString(PointLog.POINTS, r.records().pointsJson(dir.runId(), r.serving().columns()));
        return r;
    }

    /** As {@link #run} without writing: one model failing is recorded and the others run. */
    public static Result measure(ServeBenchOptions o, String runId, PrintStream log) {
        if (o.endpoint != null) return measureEndpoint(o, runId, log);
        if (o.models.isEmpty()) throw new BadInputException("serve-bench: no model given (--model FILE|PRESET)");
        CsvTable serving = new CsvTable(dev.infercost.results.Percentiles.servingHeaders(o.percentiles)), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        List<ModelSummary> summaries = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, EnergyContext> meters = new HashMap<>();
        PointLog records = new PointLog();
        dev.infercost.results.Progress own = o.progress == null ? new dev.infercost.results.Progress(o.models.size()) : null;
        try {
            for (String spec : o.models) {
                if (own != null) own.step("serve-bench " + spec);
                try {
                    LlamaModel m = Models.load(spec, o.tokenizer);
                    try (Engine e = Engines.require(o.backend).open(m, new EngineOptions(o.threads, null, Map.of()))) {
                        EnergyMeters.Target target = EnergyMeters.Target.parse(e.device());
                        EnergyContext ec = meters.computeIfAbsent(target.toString(), k -> EnergyContext.open(o, target, runId, energy, log));
                        summaries.add(sweep(e, m.tokenizer(), o, Clock.system(), ec, runId, serving, energy, records, log,
                            own != null ? own : o.progress));
                    }
                } catch (RuntimeException ex) {
                    String msg = spec + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage());
                    failures.add(msg);
                    log.println("serve-bench: skipped " + msg);
                }
            }
        } finally {
            for (EnergyContext ec : meters.values()) if (ec.meter() != null) ec.meter().close();
        }
        if (summaries.isEmpty()) throw new BadInputException("serve-bench: no model could be run: " + String.join("; ", failures));
        List<String> sel = new ArrayList<>();
        for (Map.Entry<String, EnergyContext> e : meters.entrySet()) sel.add(e.getKey() + ": " + e.getValue().selection().describe());
        return result(o, runId, serving, energy, summaries, failures, sel, records);
    }

    private static Result result(ServeBenchOptions o, String runId, CsvTable serving, CsvTable energy, List<ModelSummary> summaries,
                                 List<String> failures, List<String> sel, PointLog records) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("scenario", o.scenario.label());
        section.put("slo", Map.of("name", o.slo.name(), "ttft_ms", o.slo.ttftMs(), "tpot_ms", o.slo.tpotMs(), "source", o.slo.source()));
        section.put("isl", o.isl);
        section.put("osl", o.osl);
        section.put("ignore_eos", o.ignoreEos);
        section.put("max_batch", o.maxBatch);
        section.put("min_duration_s", o.minDurationS);
        section.put("min_queries", o.minQueries);
        section.put("min_rate_ratio", o.minRateRatio);
        section.put("energy_meters", sel);
        List<Map<String, Object>> sums = new ArrayList<>();
        for (ModelSummary s : summaries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", s.model());
            m.put("device", s.device());
            m.put("offline_rate_req_s", Double.isNaN(s.offlineRate()) ? null : s.offlineRate());
            m.put("max_rate_meeting_slo_req_s", Double.isNaN(s.maxRateMeetingSlo()) ? null : s.maxRateMeetingSlo());
            m.put("capacity_bracketed", Double.isNaN(s.maxRateMeetingSlo()) ? null : s.bracketed());
            m.put("points", s.points());
            sums.add(m);
        }
        section.put("models", sums);
        section.put("failures", failures);
        if (o.endpoint != null) {
            Map<String, Object> ep = new LinkedHashMap<>();
            ep.put("url", o.endpoint);
            ep.put("api", o.api);
            ep.put("served_model", o.servedModel);
            ep.put("api_key", o.apiKey == null ? "none" : "given (not recorded)");
            ep.put("request_timeout_s", o.requestTimeoutS);
            ep.put("prompt_format", o.promptFormat);
            ep.put("device_class", o.deviceClass);
            ep.put("device_count", o.devices);
            ep.put("power_w_assumed", Double.isNaN(o.powerW) ? null : o.powerW);
            section.put("endpoint", ep);
        }
        return new Result(runId, serving, energy, summaries, failures, sel, section, records);
    }

    /**
     * The energy context of an endpoint run: {@code powerW} → an assumed constant draw (labelled ASSUMED); a remote
     * server → none ("not measured"); a local one → the meter for {@code endpointDevice}, refusing a CPU-time
     * estimate of this (client) process when the meter was auto-selected.
     */
    static EnergyContext endpointEnergy(ServeBenchOptions o, dev.infercost.engine.endpoint.OpenAiStream.Config cfg, String runId,
                                        CsvTable energy, PrintStream log) {
        EnergyContext ec;
        String host = cfg.base().getHost();
        if (!Double.isNaN(o.powerW)) {
            if (!(o.powerW > 0)) throw new BadInputException("--power-w " + o.powerW + ": must be > 0 W");
            // a stated draw for a named accelerator is a GPU-boundary figure, whatever --endpoint-device says
            EnergyMeters.Target t = o.deviceClass != null && !o.deviceClass.equals(dev.infercost.hardware.Accelerator.CPU_HOST)
                    ? EnergyMeters.Target.parse("gpu") : EnergyMeters.Target.parse(o.endpointDevice);
            EnergyMeters.Selection s = EnergyMeters.select("estimate:watts=" + o.powerW, t, EnergyMeters.system());
            ec = new EnergyContext(new EnergyMeters.Selection(s.meter(), "ASSUMED draw of the serving device(s): " + o.powerW
                    + " W (--power-w), not measured", s.rejected()), Double.NaN, o.energyIntervalMs, o.pue, false);
        } else if (!cfg.local()) {
            ec = EnergyContext.none("not measured: endpoint " + host + " is remote (--power-w W states an assumed draw)");
        } else {
            // choose before announcing: an auto-selected CPU-time estimate is refused here, and the log must not
            // first name it and then say "not measured"
            EnergyMeters.Target t = EnergyMeters.Target.parse(o.endpointDevice);
            EnergyMeters.Selection s = EnergyMeters.select(o.energyMeter, t, EnergyMeters.system());
            if (s.meter() != null && s.meter().estimated() && "auto".equalsIgnoreCase(o.energyMeter)) {
                s.meter().close();
                ec = EnergyContext.none("not measured: no energy counter (NVML/RAPL) for the local server's " + o.endpointDevice
                        + " (a CPU-time estimate of the load generator would not describe the server; --power-w W states an assumed draw)");
            } else ec = EnergyContext.open(o, s, t, runId, energy, log, false);
        }
        return ec;
    }

    /**
     * Endpoint mode: the configured scenario against an OpenAI-compatible server ({@link EndpointRunner}). The
     * tokenizer ({@code o.tokenizer}: a .gguf or llama2.c model file whose tokenizer and context are used) gives
     * the vocabulary for synthetic prompts, encodes JSONL/ShareGPT prompts and counts output tokens when the
     * server sends no {@code usage}. Energy: a server on this host is metered like an in-process engine (NVML for
     * {@code endpointDevice gpu[:i]}, RAPL for cpu; a CPU-time estimate of this process is refused since it
     * would describe the client); a remote one is "not measured" unless {@code powerW} states an assumed draw.
     *
     * @throws BadInputException unreachable server, bad options, unreadable tokenizer or prompts
     */
    public static Result measureEndpoint(ServeBenchOptions o, String runId, PrintStream log) {
        CsvTable serving = new CsvTable(dev.infercost.results.Percentiles.servingHeaders(o.percentiles)), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        PointLog records = new PointLog();
        dev.infercost.engine.endpoint.OpenAiStream.Config cfg = new dev.infercost.engine.endpoint.OpenAiStream.Config(
                java.net.URI.create(o.endpoint), dev.infercost.engine.endpoint.OpenAiStream.Api.parse(o.api), o.servedModel, o.apiKey,
                java.time.Duration.ofNanos((long) (o.requestTimeoutS * 1e9)), o.ignoreEos);
        Tokenizer tok = null;
        int vocab = -1, context = o.endpointContext;
        String tokLabel = "none";
        if (o.tokenizer != null) {
            LlamaModel m = Models.load(o.tokenizer.toString(), null);
            tok = m.tokenizer();
            vocab = m.config().vocabSize();
            context = m.config().seqLen();
            tokLabel = o.tokenizer + " (" + m.info().name() + ")";
        }
        Workload wl = new Workload(LengthDistribution.parse("--isl", o.isl), LengthDistribution.parse("--osl", o.osl), o.seed, o.ignoreEos, o.prompts);
        if (o.prompts == null && tok == null)
            throw new BadInputException("serve-bench --endpoint: synthetic prompts need the served model's tokenizer for its vocabulary (--tokenizer MODEL.gguf|MODEL.bin)");
        int maxContext = o.prompts != null ? context : Math.min(context, wl.maxContextNeeded());
        List<RequestSpec> pool = wl.build(o.poolSize, vocab, tok == null ? 1 : tok.bos(), tok, maxContext);
        EndpointRunner.PromptMode mode = switch (o.promptFormat.toLowerCase(Locale.ROOT)) {
            case "tokens" -> EndpointRunner.PromptMode.TOKENS;
            case "text" -> EndpointRunner.PromptMode.TEXT;
            case "auto" -> o.prompts == null && cfg.api() == dev.infercost.engine.endpoint.OpenAiStream.Api.COMPLETIONS
                    ? EndpointRunner.PromptMode.TOKENS : EndpointRunner.PromptMode.TEXT;
            default -> throw new BadInputException("--prompt-format " + o.promptFormat + ": expected tokens, text or auto");
        };
        EnergyContext ec = endpointEnergy(o, cfg, runId, energy, log);
        log.println("energy: " + ec.selection().describe());
        PeakFigures peaks = new PeakFigures(o.deviceClass == null ? "unknown (endpoint)" : o.deviceClass, Double.NaN, Double.NaN,
                "endpoint: bytes and FLOPs moved by the server are not observable over HTTP; MBU/MFU not computed").override(null, o.peakGBps, o.peakTflops);
        String device = (o.deviceClass == null ? "unknown device" : o.deviceClass) + " x" + o.devices + " behind " + cfg.base();
        List<ModelSummary> summaries = new ArrayList<>();
        try (dev.infercost.engine.endpoint.OpenAiStream client = new dev.infercost.engine.endpoint.OpenAiStream(cfg)) {
            List<String> served = client.models();
            if (!served.contains(o.servedModel))
                log.println("warning: GET /v1/models lists " + served + ", not '" + o.servedModel + "' (some servers accept any name)");
            log.printf(Locale.ROOT, "%n== %s at %s (%s API, prompts as %s, tokenizer %s): %s, ISL %s, OSL %s, context %d%n",
                    o.servedModel, cfg.base(), o.api, mode.name().toLowerCase(Locale.ROOT), tokLabel, o.scenario.label(), o.isl, o.osl, maxContext);
            EndpointRunner runner = new EndpointRunner(client, Clock.system(), tok, mode, (long) (o.effectiveMaxDurationS() * 1e9));
            Ctx c = new Ctx("endpoint", device, "served by the endpoint", o, runner, pool, ec, peaks, runId, serving, energy, records, log, o.servedModel);
            dev.infercost.results.Progress pr = o.progress;
            if (pr == null) { pr = new dev.infercost.results.Progress(1); pr.step("serve-bench " + o.endpoint); }
            c.progress = pr;
            summaries.add(drive(c, runner));
        } finally {
            if (ec.meter() != null) ec.meter().close();
        }
        return result(o, runId, serving, energy, summaries, List.of(), List.of("endpoint " + cfg.base() + ": " + ec.selection().describe()), records);
    }

    /**
     * The meter for one device, its selection and its idle baseline.
     *
     * @param idlePowerW NaN when no baseline was measured
     */
    public record EnergyContext(EnergyMeters.Selection selection, double idlePowerW, long intervalMs, double pue, boolean subtractIdle) {
        public EnergyMeter meter() { return selection.meter(); }

        /** No energy measurement (fake-clock runs). */
        public static EnergyContext none(String why) {
            return new EnergyContext(new EnergyMeters.Selection(null, why, List.of()), Double.NaN, 0, Double.NaN, false);
        }

        static EnergyContext open(ServeBenchOptions o, EnergyMeters.Target target, String runId, CsvTable energy, PrintStream log) {
            return open(o, EnergyMeters.select(o.energyMeter, target, EnergyMeters.system()), target, runId, energy, log, true);
        }

        /** As above with the meter already selected; {@code announce}: log the selection (the caller does not). */
        static EnergyContext open(ServeBenchOptions o, EnergyMeters.Selection s, EnergyMeters.Target target, String runId, CsvTable energy,
                                  PrintStream log, boolean announce) {
            if (announce) log.println("energy meter for " + target + ": " + s.describe());
            double idle = Double.NaN;
            if (s.meter() != null && o.idleBaselineS > 0) {
                log.printf(Locale.ROOT, "measuring idle baseline for %.1f s ...%n", o.idleBaselineS);
                EnergyMeasurement m = EnergyWindow.idleBaseline(s.meter(), o.idleBaselineS, o.energyIntervalMs);
                energy.add(m.energyRow(runId, "idle-baseline " + target));
                if (m.valid() || m.estimated()) idle = m.avgPowerW();
            }
            return new EnergyContext(s, idle, o.energyIntervalMs, o.pue, o.subtractIdle);
        }
    }

    /**
     * Runs the configured scenario on one open engine and appends its rows.
     *
     * @param tokenizer the model's tokenizer (BOS/EOS ids, JSONL prompts); null: BOS 1, EOS 2
     * @param clock     time source; a fake engine's {@link ManualClock} in tests
     */
    public static ModelSummary sweep(Engine engine, Tokenizer tokenizer, ServeBenchOptions o, Clock clock, EnergyContext energyCtx,
                                     String runId, CsvTable serving, CsvTable energy, PrintStream log) {
        return sweep(engine, tokenizer, o, clock, energyCtx, runId, serving, energy, new PointLog(), log);
    }

    /** As above, also appending every point's per-request records and JSON row to {@code records}. */
    public static ModelSummary sweep(Engine engine, Tokenizer tokenizer, ServeBenchOptions o, Clock clock, EnergyContext energyCtx,
                                     String runId, CsvTable serving, CsvTable energy, PointLog records, PrintStream log) {
        return sweep(engine, tokenizer, o, clock, energyCtx, runId, serving, energy, records, log, null);
    }

    /** As above, reporting each load point's start on {@code progress} (null = none). */
    public static ModelSummary sweep(Engine engine, Tokenizer tokenizer, ServeBenchOptions o, Clock clock, EnergyContext energyCtx,
                                     String runId, CsvTable serving, CsvTable energy, PointLog records, PrintStream log,
                                     dev.infercost.results.Progress progress) {
        var cfg = engine.config();
        Workload wl = new Workload(LengthDistribution.parse("--isl", o.isl), LengthDistribution.parse("--osl", o.osl), o.seed, o.ignoreEos, o.prompts);
        int maxContext = o.prompts != null ? cfg.seqLen() : Math.min(cfg.seqLen(), wl.maxContextNeeded());
        int bos = tokenizer == null || tokenizer.bos() < 0 ? 1 : tokenizer.bos();
        List<RequestSpec> pool = wl.build(o.poolSize, cfg.vocabSize(), bos, tokenizer, maxContext);
        long kvBudget = o.kvBudgetTokens > 0 ? o.kvBudgetTokens : (long) o.maxBatch * maxContext;
        long maxDur = (long) (o.effectiveMaxDurationS() * 1e9);
        // the engine's device matched to a catalog chip (DeviceMatch: GPU name -> chip, CPU -> cpu-host, else unknown-gpu)
        PeakFigures peaks = dev.infercost.hardware.DeviceMatch.of(engine.device(), engine.model().dtype(), dev.infercost.hardware.Catalog.bundled(), o.deviceClass).peaks();
        if (dev.infercost.hardware.Accelerator.CPU_HOST.equals(peaks.deviceClass())) peaks = peaks.override(null, o.hostPeakGBps, o.hostPeakTflops);
        peaks = peaks.override(null, o.peakGBps, o.peakTflops);
        String modelName = engine.model().name();
        log.printf(Locale.ROOT, "%n== %s on %s %s: %s, ISL %s, OSL %s, max batch %d, context %d, KV budget %d tokens%n",
                modelName, engine.backend(), engine.device(), o.scenario.label(), o.isl, o.osl, o.maxBatch, maxContext, kvBudget);
        log.println("   peaks: " + peaks.basis());

        try (DecodeSession session = engine.newSession(o.maxBatch, maxContext)) {
            ServingRunner runner = new ServingRunner(session, clock, new ServingRunner.Config(o.maxBatch, kvBudget, o.maxPrefillTokens, maxDur),
                    cfg.vocabSize(), tokenizer == null ? Set.of(1, 2) : tokenizer.endOfGeneration(), cfg, engine.model().weightBytes(), 4);
            Ctx c = new Ctx(engine.backend(), engine.device(), engine.model().weightsLabel(), o, runner, pool, energyCtx, peaks,
                    runId, serving, energy, records, log, modelName);
            c.progress = progress;
            return drive(c, runner);
        }
    }

    /** Warm-up, then the configured scenario's points on {@code runner}. */
    static ModelSummary drive(Ctx c, LoadTarget runner) {
        ServeBenchOptions o = c.o;
        List<RequestSpec> pool = c.pool;
        PrintStream log = c.log;
        String modelName = c.modelName;
        {
            double warmRate = Double.NaN;
            int warmFailed = -1;
            if (o.warmupRequests > 0) {
                ServingRunner.Result w = runner.run(pool, new ServingRunner.Plan.OpenLoop(new long[o.warmupRequests]));
                PointMetrics wm = PointMetrics.of(w, o.slo);
                // a second, warm pass sizes the Offline point so it covers the minimum duration
                w = runner.run(pool, new ServingRunner.Plan.OpenLoop(new long[o.warmupRequests]));
                wm = PointMetrics.of(w, o.slo);
                warmRate = wm.achievedRate();
                warmFailed = wm.failed() + wm.incomplete() + wm.rejected();
                log.printf(Locale.ROOT, "   warm-up: 2 x %d requests, warm pass %.2f req/s, %.1f output tok/s (not recorded)%n", wm.completed(), warmRate, wm.outputThroughput());
            }
            c.header();
            c.planned = plannedPoints(o);
            double offlineRate = Double.NaN, best = Double.NaN;
            boolean bracketed = false;
            switch (o.scenario) {
                case OFFLINE -> offlineRate = c.offline(warmRate).m().achievedRate();
                case SINGLE_STREAM -> c.closed(Scenario.SINGLE_STREAM, 1);
                case CONCURRENCY -> { for (int u : o.concurrency) c.closed(Scenario.CONCURRENCY, u); }
                case SERVER -> {
                    List<Double> rates = new ArrayList<>(o.rates);
                    if (rates.isEmpty()) {
                        Point off = c.offline(warmRate);
                        offlineRate = off.m().achievedRate();
                        double basis = calibrationRate(off, warmRate, warmFailed, log);
                        if (Double.isNaN(basis)) {
                            log.println("   no Server points: no calibration rate (pass --rates R1,R2,...)");
                            return new ModelSummary(modelName, c.backend, c.device, offlineRate, Double.NaN, false, c.points);
                        }
                        for (double f : o.rateFractions) rates.add(round3(f * basis));
                    }
                    rates.sort(null);
                    Map<Double, Boolean> pass = new java.util.TreeMap<>();
                    for (double r : rates) pass.put(r, c.server(r).passes());
                    for (int step = 0; step < o.searchSteps; step++) {
                        double lo = 0, hi = Double.NaN;
                        for (var e : pass.entrySet()) {
                            if (e.getValue()) lo = Math.max(lo, e.getKey());
                        }
                        for (var e : pass.entrySet()) if (!e.getValue() && e.getKey() > lo) { hi = e.getKey(); break; }
                        if (Double.isNaN(hi)) break;
                        double mid = round3(lo == 0 ? hi / 2 : (lo + hi) / 2);
                        if (pass.containsKey(mid) || mid <= 0) break;
                        pass.put(mid, c.server(mid).passes());
                    }
                    for (var e : pass.entrySet()) if (e.getValue()) best = Double.isNaN(best) ? e.getKey() : Math.max(best, e.getKey());
                    for (var e : pass.entrySet()) if (!e.getValue() && e.getKey() > best) bracketed = true;
                    log.printf(Locale.ROOT, "   %s%n", capacityLine(o.slo, best, bracketed, pass));
                }
            }
            return new ModelSummary(modelName, c.backend, c.device, offlineRate, best, bracketed, c.points);
        }
    }

    /**
     * The rate the Server sweep's fractions apply to: the Offline point's achieved rate when every one of its
     * requests completed (a point that is invalid only for being shorter than the minimum duration or count still
     * measures the rate); when some failed, were rejected or did not finish, its rate describes a server that was
     * refusing work, so the warm-up's rate is used instead if the warm-up completed, else none (NaN).
     */
    static double calibrationRate(Point off, double warmRate, int warmFailed, PrintStream log) {
        PointMetrics m = off.m();
        int bad = m.failed() + m.incomplete() + m.rejected();
        if (bad == 0 && m.completed() > 0) {
            if (!off.valid())
                log.printf(Locale.ROOT, "   the Offline point is invalid (%s) but all %d requests completed: its %.4g req/s sets the sweep%n",
                        String.join("; ", off.invalid()), m.completed(), m.achievedRate());
            return m.achievedRate();
        }
        String why = String.format(Locale.ROOT, "the Offline point lost %d of %d requests (%s)", bad, m.issued(),
                String.join("; ", off.invalid()));
        if (warmFailed == 0 && warmRate > 0) {
            log.printf(Locale.ROOT, "   %s, so it does not set the sweep; the warm-up's %.4g req/s does (a lower estimate: the warm-up fills the batch once)%n",
                    why, warmRate);
            return warmRate;
        }
        log.printf(Locale.ROOT, "   %s, and no complete warm-up to fall back on%n", why);
        return Double.NaN;
    }

    /**
     * The result line of a Server sweep: "highest Server rate meeting the SLO (...): 110 req/s (165 req/s failed:
     * capacity lies between)", or "at least 220 req/s (the highest rate swept; capacity not bracketed, sweep higher
     * with --rates)", or "none of the rates tried".
     */
    static String capacityLine(SloProfile slo, double best, boolean bracketed, Map<Double, Boolean> pass) {
        String head = String.format(Locale.ROOT, "highest Server rate that was valid and met the SLO (%s: p99 TTFT <= %.0f ms, p99 TPOT <= %.0f ms): ",
                slo.name(), slo.ttftMs(), slo.tpotMs());
        if (Double.isNaN(best)) return head + "none of the rates tried (" + pass.keySet() + " req/s)";
        if (!bracketed) return head + "at least " + best + " req/s (the highest rate swept; capacity not bracketed: sweep higher with --rates or --rate-fractions)";
        double lo = Double.NaN;
        for (var e : pass.entrySet()) if (!e.getValue() && e.getKey() > best) { lo = e.getKey(); break; }
        return head + best + " req/s (" + lo + " req/s failed: capacity lies between)";
    }

    /**
     * One load point's metrics and run-rule verdict.
     *
     * @param invalid run-rule violations (empty = valid)
     */
    record Point(PointMetrics m, List<String> invalid) {
        boolean valid() { return invalid.isEmpty(); }

        /** Valid and within the SLO at p99 (what the capacity search counts). */
        boolean passes() { return valid() && m.meetsSlo(); }
    }

    /**
     * Load points the scenario plans (for progress): Server = the Offline calibration (when no --rates) + the rates +
     * the bisection steps (at most; bisection may stop early), Concurrency = the user counts, else 1.
     */
    static int plannedPoints(ServeBenchOptions o) {
        return switch (o.scenario) {
            case SERVER -> (o.rates.isEmpty() ? 1 + o.rateFractions.size() : o.rates.size()) + o.searchSteps;
            case CONCURRENCY -> o.concurrency.size();
            default -> 1;
        };
    }

    /**
     * p99 send lag (actual - scheduled send) above which a point is flagged: the load generator's own budget,
     * checked by benchmarks/ LoadGenCapacity (achieved rate within 1% of target and p99 lag under this).
     */
    public static final double SEND_LAG_LIMIT_MS = 5;

    /**
     * A median ITL below this fraction of the median TPOT means most tokens of a request reach the client
     * together: the stream is bursty, so ITL describes the transport, not the generation (see {@link #burstNote}).
     * A stream delivered token by token has ITL p50 close to TPOT p50 (0.9-1.0 measured against
     * {@code infercost serve} with a blocking-socket client); the JDK HTTP client, which reads several SSE events
     * per socket read under load, gave 0.01-0.03 against the same server.
     */
    public static final double BURST_ITL_TPOT_RATIO = 0.1;

    /**
     * The note for a point whose tokens arrive in bursts (median ITL below {@link #BURST_ITL_TPOT_RATIO} of the
     * median TPOT), or null. TPOT (first to last token / tokens - 1) is still the generation pace a user sees;
     * ITL percentiles then measure how close together a burst's events were read.
     */
    static String burstNote(PointMetrics m) {
        if (m.itl().samples() == 0 || m.tpot().samples() == 0) return null;
        double itl = m.itl().p50Ms(), tpot = m.tpot().p50Ms();
        if (!(tpot > 0) || !(itl < BURST_ITL_TPOT_RATIO * tpot)) return null;
        return String.format(Locale.ROOT, "note: ITL p50 %s ms is below %.0f%% of TPOT p50 %s ms: tokens reach the client in bursts (several SSE events per read, then a gap), so ITL measures the burst spacing, not the generation; use TPOT",
                Ctx.sig3(itl), 100 * BURST_ITL_TPOT_RATIO, Ctx.sig3(tpot));
    }

    /** {@code x} rounded to 3 significant digits (rates in the table stay readable). */
    static double round3(double x) {
        if (!(x > 0) || Double.isInfinite(x)) return x;
        return new java.math.BigDecimal(x).round(new java.math.MathContext(3)).doubleValue();
    }

    /** Per-sweep state and the point runner. */
    static final class Ctx {
        final String backend, device, weights;
        final ServeBenchOptions o;
        final LoadTarget runner;
        final PointLog records;
        final List<RequestSpec> pool;
        final EnergyContext ec;
        final PeakFigures peaks;
        final String runId, modelName;
        final CsvTable serving, energy;
        final PrintStream log;
        int points, planned = 1;
        dev.infercost.results.Progress progress;

        Ctx(String backend, String device, String weights, ServeBenchOptions o, LoadTarget runner, List<RequestSpec> pool, EnergyContext ec,
            PeakFigures peaks, String runId, CsvTable serving, CsvTable energy, PointLog records, PrintStream log, String modelName) {
            this.backend = backend; this.device = device; this.weights = weights; this.records = records; this.o = o; this.runner = runner; this.pool = pool; this.ec = ec; this.peaks = peaks;
            this.runId = runId; this.serving = serving; this.energy = energy; this.log = log; this.modelName = modelName;
        }

        Point offline(double warmRate) {
            int n = o.minQueries;
            if (warmRate > 0) n = Math.max(n, (int) Math.ceil(warmRate * o.minDurationS * 1.3));
            return point(Scenario.OFFLINE, Double.NaN, Double.NaN, "all-at-once", new ServingRunner.Plan.OpenLoop(new long[n]),
                    (long) (o.effectiveMaxDurationS() * 1e9));
        }

        Point server(double rate) {
            long[] off = ArrivalSchedule.offsetsAtExactRate(rate, o.arrivalCv, o.minQueries, o.minDurationS, o.seed + 7919);
            // the cut-off counts from the last scheduled arrival, so slow rates are never cut while still issuing
            return point(Scenario.SERVER, rate, Double.NaN, ArrivalSchedule.label(o.arrivalCv), new ServingRunner.Plan.OpenLoop(off),
                    off[off.length - 1] + (long) (o.effectiveMaxDurationS() * 1e9));
        }

        Point closed(Scenario s, int users) {
            return point(s, Double.NaN, users, "closed", new ServingRunner.Plan.ClosedLoop(users, o.minQueries, (long) (o.minDurationS * 1e9)),
                    (long) (o.effectiveMaxDurationS() * 1e9));
        }

        void header() {
            log.printf(Locale.ROOT, "   %-12s %8s %8s %9s %9s %9s %9s %10s %9s %8s %7s %10s %s%n", "scenario", "rate", "achieved",
                    "TTFTp50", "TTFTp99", "TPOTp50", "TPOTp99", "out tok/s", "tok/s/u", "goodput", "MBU", ec.meter() != null && ec.meter().estimated() ? "J/tok(est)" : "J/tok", "valid");
        }

        Point point(Scenario s, double rate, double users, String arrival, ServingRunner.Plan plan, long cutOffNanos) {
            if (progress != null)
                progress.update(String.format(Locale.ROOT, "%s %s%s, point %d of %s%d", modelName, s.label(),
                        !Double.isNaN(rate) ? " rate=" + rate : !Double.isNaN(users) ? " concurrency=" + (int) users : "",
                        points + 1, o.scenario == Scenario.SERVER && o.searchSteps > 0 ? "up to " : "", Math.max(planned, points + 1)),
                        Math.min(1.0, (double) points / Math.max(planned, points + 1)));
            EnergyMeter meter = ec.meter();
            EnergyWindow w = meter == null ? null : EnergyWindow.start(meter, ec.intervalMs());
            ServingRunner.Result r = runner.run(pool, plan, cutOffNanos);
            EnergyMeasurement em = w == null ? null : w.stop(ec.idlePowerW(), ec.pue());
            PointMetrics m = PointMetrics.of(r, o.slo);
            points++;
            String window = String.format(Locale.ROOT, "%s %s%s", modelName, s.label(),
                    !Double.isNaN(rate) ? " rate=" + rate : !Double.isNaN(users) ? " concurrency=" + (int) users : "");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run_id", runId);
            row.put("backend", backend);
            row.put("device", device);
            row.put("device_class", peaks.deviceClass());
            row.put("model", modelName);
            row.put("weights", weights);
            row.put("scenario", s.label());
            row.put("target_rate [req/s]", rate);
            row.put("concurrency", Double.isNaN(users) ? null : (int) users);
            row.put("max_batch", o.endpoint == null ? o.maxBatch : null);   // an endpoint's batching is the server's own
            row.put("arrival", arrival);
            row.put("mean_isl [tok]", m.meanIsl());
            row.put("mean_osl [tok]", m.meanOsl());
            row.put("duration [s]", m.durationS());
            row.put("completed [req]", m.completed());
            row.put("achieved_rate [req/s]", m.achievedRate());
            lat(row, "ttft", m.ttft(), o.percentiles);
            lat(row, "tpot", m.tpot(), o.percentiles);
            lat(row, "itl", m.itl(), o.percentiles);
            lat(row, "e2e", m.e2e(), o.percentiles);
            row.put("input_throughput [tok/s]", m.inputThroughput());
            row.put("output_throughput [tok/s]", m.outputThroughput());
            row.put("throughput_per_device [tok/s/device]", m.outputThroughput() / o.devices);
            row.put("tok_per_s_per_user [tok/s/user]", m.tokPerSecPerUser());
            row.put("slo_ttft [ms]", o.slo.ttftMs());
            row.put("slo_tpot [ms]", o.slo.tpotMs());
            row.put("goodput [req/s]", m.goodput());
            row.put("slo_attainment", m.sloAttainment());
            long busy = r.prefillBusyNanos() + r.decodeBusyNanos();
            double share = busy == 0 ? Double.NaN : (double) r.prefillBusyNanos() / busy;
            row.put("prefill_time_share", share);
            double mbu = peaks.mbu(r.bytes(), m.durationS()), mfu = peaks.mfu(r.flops(), m.durationS());
            row.put("mbu", mbu);
            row.put("mfu", mfu);
            double jPerTok = Double.NaN;
            if (em != null) {
                double e = ec.subtractIdle() && !Double.isNaN(em.energyAboveIdleJ()) ? em.energyAboveIdleJ() : em.energyJ();
                jPerTok = e / (m.inputTokens() + m.outputTokens());
                row.put("power [W]", em.avgPowerW());
                row.put("energy_per_input_token [J/tok]", e * share / m.inputTokens());
                row.put("energy_per_output_token [J/tok]", e * (1 - share) / m.outputTokens());
                row.put("energy_per_token [J/tok]", jPerTok);
                row.put("energy_per_query [Wh/query]", e / 3600 / m.completed());
                row.put("energy_basis", em.basis());
                row.put("energy_meter", em.meter());
                row.put("energy_boundary", em.boundary());
                row.put("energy_valid", em.valid());
                row.put("energy_reasons", em.reasonsText());
                energy.add(em.energyRow(runId, window));
            } else {
                row.put("energy_basis", "none");
                row.put("energy_valid", false);
                row.put("energy_reasons", ec.selection().describe());
            }
            row.put("accuracy_verdict", "not-checked");
            List<String> invalid = new ArrayList<>(m.invalidReasons(o.minDurationS, o.minQueries, r.cutOff()));
            String shortfall = m.rateShortfall(rate, o.minRateRatio);
            if (shortfall != null) invalid.add(shortfall);
            List<String> all = new ArrayList<>(invalid);
            all.addAll(m.notes());
            String burst = burstNote(m);
            if (burst != null) all.add(burst);
            all.addAll(r.notes());
            if (m.sendLag().samples() > 0 && m.sendLag().p99Ms() > SEND_LAG_LIMIT_MS) {
                String warn = String.format(Locale.ROOT, "warning: p99 send lag %.2f ms exceeds %.0f ms (the load generator fell behind its schedule; latencies still count from the scheduled times)",
                        m.sendLag().p99Ms(), SEND_LAG_LIMIT_MS);
                all.add(warn);
                log.println("   " + warn);
            }
            row.put("valid", invalid.isEmpty());
            row.put("invalid_reasons", String.join("; ", all));
            row.put("device_count", o.devices);
            row.put("endpoint", o.endpoint == null ? null : o.endpoint + " (" + o.api + ")");
            row.put("token_count_source", r.tokenCountSource());
            row.put("failed [req]", m.failed());
            row.put("send_lag_p50 [ms]", m.sendLag().samples() == 0 ? Double.NaN : m.sendLag().p50Ms());
            row.put("send_lag_p99 [ms]", m.sendLag().samples() == 0 ? Double.NaN : m.sendLag().p99Ms());
            serving.add(row);
            records.add(points, window, r, row);
            log.printf(Locale.ROOT, "   %-12s %8s %8s %9s %9s %9s %9s %10s %9s %8s %7s %10s %s%n",
                    s.label() + (Double.isNaN(users) ? "" : " c=" + (int) users), Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.3f", rate),
                    f(m.achievedRate(), "%.3f"), f(m.ttft().p50Ms(), "%.1f"), f(m.ttft().p99Ms(), "%.1f"), f(m.tpot().p50Ms(), "%.2f"),
                    f(m.tpot().p99Ms(), "%.2f"), f(m.outputThroughput(), "%.1f"), f(m.tokPerSecPerUser(), "%.1f"), f(m.goodput(), "%.3f"),
                    f(mbu, "%.4f"), f(jPerTok, "%.3g"), invalid.isEmpty() ? "yes" : "no: " + String.join("; ", invalid));
            for (String line : latencyLines(m, o.percentiles)) log.println("      " + line);
            if (burst != null) log.println("      " + burst);
            return new Point(m, List.copyOf(invalid));
        }

        /** {@code x} in {@code fmt}, or "-" when it is not a finite number (a figure that does not apply). */
        static String f(double x, String fmt) { return Double.isFinite(x) ? String.format(Locale.ROOT, fmt, x) : "-"; }

        /** {@code x} to 3 significant digits without trailing zeros (8.0031 -> "8", 12.345 -> "12.3"). */
        static String sig3(double x) {
            if (!Double.isFinite(x)) return "n/a";
            if (x == 0) return "0";
            return new java.math.BigDecimal(x).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        }

        /** The metric's columns: mean, std, min, max, the standard percentiles, samples, then any other percentile asked for. */
        static void lat(Map<String, Object> row, String name, LatencySummary l, List<Double> percentiles) {
            row.put(name + "_mean [ms]", l.meanMs());
            row.put(name + "_std [ms]", l.stdMs());
            row.put(name + "_min [ms]", l.minMs());
            row.put(name + "_max [ms]", l.maxMs());
            row.put(name + "_p50 [ms]", l.p50Ms());
            row.put(name + "_p90 [ms]", l.p90Ms());
            row.put(name + "_p95 [ms]", l.p95Ms());
            row.put(name + "_p99 [ms]", l.p99Ms());
            row.put(name + "_p999 [ms]", l.p999Ms());
            row.put(name + "_samples", l.samples());
            for (double p : percentiles)
                if (!dev.infercost.results.Percentiles.STANDARD.contains(p)) row.put(dev.infercost.results.Percentiles.header(name, p), l.percentileMs(p));
        }

        /**
         * One line per metric: {@code TTFT ms: mean 12.1 std 3.0 min 8.0 max 20.1 | p50 11.9 p90 ... (n=64)}, with
         * the percentiles asked for.
         */
        static List<String> latencyLines(PointMetrics m, List<Double> percentiles) {
            List<String> out = new ArrayList<>();
            String[] names = {"TTFT", "TPOT", "ITL", "E2E"};
            LatencySummary[] ls = {m.ttft(), m.tpot(), m.itl(), m.e2e()};
            for (int i = 0; i < ls.length; i++) {
                LatencySummary l = ls[i];
                if (l.samples() == 0) { out.add(String.format(Locale.ROOT, "%-4s ms: no samples", names[i])); continue; }
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-4s ms: mean %s std %s min %s max %s |",
                        names[i], sig3(l.meanMs()), sig3(l.stdMs()), sig3(l.minMs()), sig3(l.maxMs())));
                for (double p : percentiles)
                    b.append(" p").append(dev.infercost.results.Percentiles.fmt(p)).append(' ').append(sig3(l.percentileMs(p)));
                b.append(" (n=").append(l.samples()).append(')');
                out.add(b.toString());
            }
            return out;
        }
    }
}
