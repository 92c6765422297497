package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.measure.loadgen.Scenario;
import dev.infercost.measure.loadgen.ServeBench;
import dev.infercost.measure.loadgen.ServeBenchOptions;
import dev.infercost.measure.loadgen.SloProfile;
import dev.infercost.results.Manifest;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code infercost serve-bench}: serving benchmark with continuous batching and an open-loop load generator
 * (see {@link ServeBench}). Writes {@code results/<run-id>/} with manifest.json, serving.csv and energy.csv.
 */
@Command(name = "serve-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serving benchmark: continuous batching over an engine, or an OpenAI-compatible server (--endpoint),",
                "open-loop load (Server rate sweep by default), TTFT/TPOT/ITL/E2E percentiles from scheduled send times,",
                "goodput under SLOs, MBU/MFU, energy per token. Writes serving.csv, serving.json, requests.jsonl and",
                "energy.csv into a new run folder."})
public final class ServeBenchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", description = "model file (.bin, .gguf) or preset name; repeat for several (default: ../shared/models/stories260K.bin and preset stories15M)")
    List<String> models = new ArrayList<>();
    @Option(names = "--tokenizer", description = "llama2.c tokenizer for .bin models (default: beside the model); with --endpoint: the served model's local .gguf/.bin file, whose tokenizer gives the vocabulary, encodes prompt files and counts output tokens when the server sends no usage")
    Path tokenizer;
    @Option(names = "--backend", defaultValue = "jvm", description = "engine backend (default ${DEFAULT-VALUE})")
    String backend;
    @Option(names = "--threads", defaultValue = "1", description = "engine threads, 0 = all processors (default ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--out", description = "parent folder of run folders (default: results/ of this checkout)")
    Path out;
    @Option(names = "--quick", description = "short points (5 s, 24 queries), ISL 64 / OSL 32, rates at 0.25..1.0 of Offline capacity; a few minutes on 2 cores")
    boolean quick;
    @Option(names = "--scenario", description = "server (rate sweep, default) | offline | single-stream | concurrency")
    String scenario;
    @Option(names = "--rates", split = ",", description = "Server rates in req/s (default: fractions of the measured Offline rate)")
    List<Double> rates;
    @Option(names = "--rate-fractions", split = ",", description = "fractions of Offline capacity when --rates is absent (default 0.25,0.5,0.75,1,1.25; quick 0.25..1)")
    List<Double> rateFractions;
    @Option(names = "--concurrency", split = ",", description = "users per point of the concurrency sweep (default 1,2,4,8)")
    List<Integer> concurrency;
    @Option(names = "--arrival-cv", description = "coefficient of variation of inter-arrival gaps: 1 = Poisson (default), other = gamma")
    Double arrivalCv;
    @Option(names = "--isl", description = "input length: N | uniform:LO,HI | normal:MEAN,SD | lognormal:MEAN,SD (default 128; quick 64)")
    String isl;
    @Option(names = "--osl", description = "output length, same forms (default 64; quick 32)")
    String osl;
    @Option(names = "--prompts", description = "JSONL prompts ({\"prompt\": TEXT, \"output_tokens\": N} per line), or ShareGPT JSON (*.json: first human turn as prompt, the reply's length as OSL)")
    Path prompts;
    @Option(names = "--stop-at-eos", description = "stop a request at EOS/BOS instead of generating exactly OSL tokens")
    boolean stopAtEos;
    @Option(names = "--seed", description = "seed for lengths, token ids and arrivals (default 1)")
    Long seed;
    @Option(names = "--max-batch", description = "continuous-batching slots (default 8)")
    Integer maxBatch;
    @Option(names = "--kv-budget", description = "KV-cache positions reservable at once (default max-batch x context)")
    Long kvBudget;
    @Option(names = "--max-prefill-tokens", description = "prompt tokens prefilled per scheduler iteration (default 512)")
    Integer maxPrefill;
    @Option(names = "--min-duration", description = "minimum seconds per point (default 10; quick 5)")
    Double minDuration;
    @Option(names = "--min-queries", description = "minimum requests per point (default 64; quick 24)")
    Integer minQueries;
    @Option(names = "--min-rate-ratio", paramLabel = "FRACTION", description = "Server run rule: a point whose served rate (completions per second, first to last) is below this fraction of its offered rate fell behind and is invalid (default 0.95)")
    Double minRateRatio;
    @Option(names = "--max-duration", description = "cut-off seconds per point (default 3 x min-duration + 10)")
    Double maxDuration;
    @Option(names = "--warmup", description = "unmeasured warm-up requests (default 16; quick 8)")
    Integer warmup;
    @Option(names = "--slo", description = "SLO profile: llama2-70b (TTFT 2000 ms, TPOT 200 ms; default) | interactive (450/40) | llama3.1-405b (6000/175)")
    String slo;
    @Option(names = "--slo-ttft-ms", description = "TTFT limit, ms (overrides the profile)")
    Double sloTtft;
    @Option(names = "--slo-tpot-ms", description = "TPOT limit, ms (overrides the profile)")
    Double sloTpot;
    @Option(names = "--search-steps", description = "bisection steps for the highest rate meeting the SLO (default 2; quick 0)")
    Integer searchSteps;
    @Option(names = "--energy-meter", defaultValue = "auto", description = "auto | none | nvml[:i] | nvidia-smi[:i] | rapl[:root] | estimate:watts=W | estimate:tdp=W[,util=U|cpu] | estimate:ccf (default ${DEFAULT-VALUE})")
    String energyMeter;
    @Option(names = "--energy-interval-ms", defaultValue = "100", description = "power sampling interval, ms (0 = start and end readings only; default ${DEFAULT-VALUE})")
    long energyIntervalMs;
    @Option(names = "--idle-baseline", defaultValue = "0", description = "seconds of idle power to measure first (0 = none)")
    double idleBaseline;
    @Option(names = "--subtract-idle", description = "per-token energy above the idle baseline")
    boolean subtractIdle;
    @Option(names = "--pue", description = "scale energy to the facility boundary by this PUE")
    Double pue;
    @Option(names = "--device-class", description = "catalog id of the device (default cpu-host on CPU)")
    String deviceClass;
    @Option(names = "--peak-bandwidth", paramLabel = "GB/s", description = "peak memory bandwidth of the serving device, GB/s, for MBU (default: the matched catalog chip's; on a CPU the labelled cpu-host assumption)")
    Double peakGbps;
    @Option(names = "--peak-gbps", hidden = true, description = "old name of --peak-bandwidth")
    void peakGbpsAlias(double v) { peakGbps = v; }
    @Option(names = "--peak-tflops", paramLabel = "TFLOP/s", description = "peak TFLOP/s of the serving device at the engine's precision, for MFU (default: as --peak-bandwidth)")
    Double peakTflops;
    @Option(names = "--percentiles", paramLabel = "P,P,...", description = "latency percentiles to report for TTFT, TPOT, ITL and E2E, each 0 < p < 100 (default 50,90,95,99,99.9; serving.csv always holds those, others add columns such as ttft_p75 [ms])")
    String percentiles;
    @CommandLine.Mixin
    TableFormat.Mixin format = new TableFormat.Mixin();
    @Option(names = {"--device-count", "--devices"}, defaultValue = "1", description = "devices the engine or the endpoint's server spans (default ${DEFAULT-VALUE})")
    int devices;
    @Option(names = "--endpoint", description = "benchmark an OpenAI-compatible server at this URL (http://HOST:PORT) instead of in-process engines")
    String endpoint;
    @Option(names = "--api", defaultValue = "completions", description = "endpoint API: completions | chat (default ${DEFAULT-VALUE})")
    String api;
    @Option(names = "--served-model", description = "the model name the endpoint serves (its \"model\" field)")
    String servedModel;
    @Option(names = "--api-key-env", description = "environment variable holding the endpoint's API key (sent as a bearer token; never recorded)")
    String apiKeyEnv;
    @Option(names = "--request-timeout", defaultValue = "60", description = "seconds one endpoint request may take, stream included (default ${DEFAULT-VALUE})")
    double requestTimeout;
    @Option(names = "--prompt-format", defaultValue = "auto", description = "endpoint prompts: tokens (token-id arrays, exact ISL; completions API) | text | auto (tokens for synthetic prompts over completions; default)")
    String promptFormat;
    @Option(names = "--endpoint-device", defaultValue = "cpu", description = "what a local endpoint's server runs on, for energy: cpu | gpu[:i] (default ${DEFAULT-VALUE})")
    String endpointDevice;
    @Option(names = "--power-w", description = "ASSUMED power draw of the endpoint's device(s), W, when it cannot be measured (labelled assumed)")
    Double powerW;
    @Option(names = "--pool-size", description = "distinct requests in the workload pool (cycled; default 256, quick 64)")
    Integer poolSize;

    /** The options this command line describes. */
    ServeBenchOptions options() {
        ServeBenchOptions o = quick ? ServeBenchOptions.quick() : new ServeBenchOptions();
        o.models = new ArrayList<>(models);
        if (endpoint != null) {
            if (!models.isEmpty()) throw new BadInputException("--endpoint and --model exclude each other (the server holds the model; --tokenizer names its local copy)");
            if (servedModel == null) throw new BadInputException("--endpoint needs --served-model NAME (the model id the server expects)");
            o.endpoint = endpoint;
            o.api = api;
            o.servedModel = servedModel;
            if (apiKeyEnv != null) {
                String k = System.getenv(apiKeyEnv);
                if (k == null || k.isEmpty()) throw new BadInputException("--api-key-env " + apiKeyEnv + ": the environment variable is not set");
                o.apiKey = k;
            }
            if (!(requestTimeout > 0)) throw new BadInputException("--request-timeout " + requestTimeout + ": must be > 0 s");
            o.requestTimeoutS = requestTimeout;
            o.promptFormat = promptFormat;
            o.endpointDevice = endpointDevice;
            if (powerW != null) o.powerW = powerW;
        } else if (o.models.isEmpty()) {
            Path home = Path.of(System.getProperty("infercost.home", "."));
            Path s = home.resolve("../shared/models/stories260K.bin").normalize();
            if (Files.exists(s)) o.models.add(s.toString());
            o.models.add("stories15M");
        }
        o.tokenizer = tokenizer;
        o.backend = backend;
        o.threads = threads;
        if (scenario != null) o.scenario = Scenario.parse(scenario);
        if (rates != null) o.rates = new ArrayList<>(rates);
        for (double r : o.rates) if (!(r > 0)) throw new BadInputException("--rates: " + r + " is not a positive rate (req/s)");
        if (rateFractions != null) o.rateFractions = new ArrayList<>(rateFractions);
        if (concurrency != null) o.concurrency = new ArrayList<>(concurrency);
        for (int c : o.concurrency) if (c < 1) throw new BadInputException("--concurrency: " + c + " must be >= 1");
        if (arrivalCv != null) o.arrivalCv = arrivalCv;
        if (isl != null) o.isl = isl;
        if (osl != null) o.osl = osl;
        o.prompts = prompts;
        o.ignoreEos = !stopAtEos;
        if (seed != null) o.seed = seed;
        if (poolSize != null) {
            if (poolSize < 1) throw new BadInputException("--pool-size " + poolSize + ": must be >= 1");
            o.poolSize = poolSize;
        }
        if (maxBatch != null) o.maxBatch = maxBatch;
        if (kvBudget != null) o.kvBudgetTokens = kvBudget;
        if (maxPrefill != null) o.maxPrefillTokens = maxPrefill;
        if (minDuration != null) o.minDurationS = minDuration;
        if (minQueries != null) o.minQueries = minQueries;
        if (maxDuration != null) o.maxDurationS = maxDuration;
        if (minRateRatio != null) {
            if (!(minRateRatio > 0 && minRateRatio <= 1)) throw new BadInputException("--min-rate-ratio " + minRateRatio + ": must be in (0, 1]");
            o.minRateRatio = minRateRatio;
        }
        if (warmup != null) o.warmupRequests = warmup;
        if (slo != null) o.slo = SloProfile.named(slo);
        o.slo = o.slo.override(sloTtft == null ? Double.NaN : sloTtft, sloTpot == null ? Double.NaN : sloTpot);
        if (searchSteps != null) o.searchSteps = searchSteps;
        if (percentiles != null) o.percentiles = dev.infercost.results.Percentiles.parse("--percentiles", percentiles);
        o.energyMeter = energyMeter;
        o.idleBaselineS = idleBaseline;
        if (energyIntervalMs < 0) throw new BadInputException("--energy-interval-ms " + energyIntervalMs + ": must be >= 0");
        o.energyIntervalMs = energyIntervalMs;
        o.subtractIdle = subtractIdle;
        if (pue != null) o.pue = pue;
        o.deviceClass = deviceClass;
        if (peakGbps != null) o.peakGBps = peakGbps;
        if (peakTflops != null) o.peakTflops = peakTflops;
        if (devices < 1) throw new BadInputException("--devices " + devices + ": must be >= 1");
        o.devices = devices;
        if (o.maxBatch < 1) throw new BadInputException("--max-batch " + o.maxBatch + ": must be >= 1");
        if (o.minQueries < 1) throw new BadInputException("--min-queries " + o.minQueries + ": must be >= 1");
        return OptionChecks.serveBench(o);
    }

    @Override
    public Integer call() {
        ServeBenchOptions o = options();
        Path parent = ResultsFolders.parent(out);
        RunDirectory dir = RunDirectory.create(parent, "serve-bench");
        try {
            TableFormat.Format f = format.format();
            java.io.PrintStream log = f == null ? System.out : System.err; // with --format, stdout holds the table only
            ServeBench.Result r = ServeBench.run(dir, o, log);
            List<String> argv = new ArrayList<>(List.of("infercost", "serve-bench"));
            argv.addAll(spec.commandLine().getParseResult().originalArgs());
            Manifest m = Manifest.forThisProcess(dir.runId(), argv);
            m.put("serve_bench", r.manifestSection());
            dir.writeString("manifest.json", m.toJson());
            dev.infercost.results.ResultsJson.write(dir);
            Path done = dir.commit();
            log.println();
            log.println("energy: " + String.join(" | ", r.energySelections()));
            if (!r.failures().isEmpty()) log.println("skipped: " + String.join("; ", r.failures()));
            log.println("results: " + done);
            if (f != null) System.out.print(TableFormat.render(f, r.serving()));
            return 0;
        } catch (RuntimeException e) {
            dir.abandon();
            throw e;
        }
    }
}
