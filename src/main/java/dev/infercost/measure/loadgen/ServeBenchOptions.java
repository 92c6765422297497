package dev.infercost.measure.loadgen;

import dev.infercost.hardware.PeakFigures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of a serving benchmark ({@link ServeBench}); public fields with the defaults below, set what you need.
 * {@link #quick()} gives the settings of {@code serve-bench --quick}.
 */
public final class ServeBenchOptions {
    /** Model specs (file paths or preset names, as {@link dev.infercost.model.Models#load}); one sweep each. */
    public List<String> models = new ArrayList<>();
    /** llama2.c tokenizer for .bin models (null: look beside the model). */
    public Path tokenizer;
    /** Engine backend ("jvm", "onnx", "tornado"). */
    public String backend = "jvm";
    /** Engine threads (0 = all processors; default 1, as {@code generate}: on a shared 2-core host worker hand-offs dominate small models). */
    public int threads = 1;
    /** Scenario: Server (rate sweep, default), Offline, SingleStream, Concurrency (sweep). */
    public Scenario scenario = Scenario.SERVER;
    /** Server rates, req/s; empty = calibrate with an Offline point and use {@link #rateFractions} of its rate. */
    public List<Double> rates = new ArrayList<>();
    /** Fractions of the measured Offline request rate used when {@link #rates} is empty (GuideLLM's sweep). */
    public List<Double> rateFractions = new ArrayList<>(List.of(0.25, 0.5, 0.75, 1.0, 1.25));
    /** Users per point of the Concurrency sweep. */
    public List<Integer> concurrency = new ArrayList<>(List.of(1, 2, 4, 8));
    /** Coefficient of variation of Server inter-arrival gaps (1 = Poisson, else gamma). */
    public double arrivalCv = 1.0;
    /** ISL and OSL specs (N, uniform:LO,HI, normal:MEAN,SD, lognormal:MEAN,SD). */
    public String isl = "128", osl = "64";
    /** Generate exactly OSL tokens. */
    public boolean ignoreEos = true;
    /** JSONL prompts ({"prompt": ..., "output_tokens": N}) instead of synthetic ones. */
    public Path prompts;
    /** Seed for lengths, token ids and arrivals. */
    public long seed = 1;
    /** Requests in the workload pool (cycled). */
    public int poolSize = 256;
    /** Continuous-batching slots. */
    public int maxBatch = 8;
    /** KV positions that may be reserved at once (0 = maxBatch x context). */
    public long kvBudgetTokens = 0;
    /** Prompt tokens prefilled per scheduler iteration. */
    public int maxPrefillTokens = 512;
    /** Minimum duration (s) and query count of every point (MLPerf run rules). */
    public double minDurationS = 10;
    public int minQueries = 64;
    /**
     * Throughput run rule of Server points: a point whose served rate (completions per second, first to last
     * completion) is below this fraction of its offered rate did not keep up and is invalid
     * ({@link PointMetrics#rateShortfall}); in (0, 1], default 0.95.
     */
    public double minRateRatio = PointMetrics.DEFAULT_MIN_RATE_RATIO;
    /** Cut-off per point (s); NaN = 3 x minDuration + 10 s. */
    public double maxDurationS = Double.NaN;
    /** Unmeasured requests to warm the JIT before the first point. */
    public int warmupRequests = 16;
    /** Latency limits for goodput and the SLO search. */
    public SloProfile slo = SloProfile.defaults();
    /** Bisection steps between the highest passing and lowest failing Server rate (0 = none). */
    public int searchSteps = 2;
    /** Energy meter spec (see {@link dev.infercost.measure.energy.EnergyMeters}). */
    public String energyMeter = "auto";
    /** Energy sampling interval, ms. */
    public long energyIntervalMs = 100;
    /** Seconds of idle baseline to measure before the sweep (0 = none). */
    public double idleBaselineS = 0;
    /** Subtract the idle baseline from per-token energy. */
    public boolean subtractIdle = false;
    /** PUE for the facility boundary (NaN = none). */
    public double pue = Double.NaN;
    /** Device class and peaks for MBU/MFU (null / NaN = {@link PeakFigures#cpuHostDefault()} on CPU). */
    public String deviceClass;
    public double peakGBps = Double.NaN, peakTflops = Double.NaN;
    /**
     * Peaks of the CPU host chip ({@code run --host-peak-bandwidth/--host-peak-tflops}): applied only when the
     * engine's device matches the catalog's cpu-host (NaN = catalog figures); {@link #peakGBps} applies to any device.
     */
    public double hostPeakGBps = Double.NaN, hostPeakTflops = Double.NaN;
    /**
     * Latency percentiles to report (console summary; columns beyond serving.csv's standard p50/p90/p95/p99/p99.9
     * are added), ascending, each in (0, 100); see {@link dev.infercost.results.Percentiles}.
     */
    public List<Double> percentiles = dev.infercost.results.Percentiles.STANDARD;
    /**
     * Progress lines (stderr): each load point reports its start with elapsed time and ETA. Null: the sweep makes
     * its own, one step per model; the measure stage passes the run's, whose current step is the serving sweep.
     */
    public dev.infercost.results.Progress progress;
    /** Devices the engine (or the endpoint's server) spans (throughput per device = output tok/s / devices). */
    public int devices = 1;

    // ---- endpoint mode (serve-bench --endpoint): an OpenAI-compatible server instead of an in-process engine
    /** Server root URL, e.g. http://127.0.0.1:8000; null = in-process engines. */
    public String endpoint;
    /** completions | chat. */
    public String api = "completions";
    /** The {@code model} field the server expects. */
    public String servedModel;
    /** Bearer token (read from the environment variable the user names), or null. */
    public String apiKey;
    /** Limit for one request (headers and whole stream), s. */
    public double requestTimeoutS = 60;
    /** tokens | text | auto (token ids for synthetic prompts over completions, else text). */
    public String promptFormat = "auto";
    /** What a local server runs on, for energy: cpu | gpu[:i]. */
    public String endpointDevice = "cpu";
    /** Assumed power draw of a remote server, W (NaN = energy not measured). */
    public double powerW = Double.NaN;
    /** Maximum context for endpoint workloads when the tokenizer file gives none. */
    public int endpointContext = 4096;

    /** Settings for {@code --quick}: short points (5 s, 24 queries), ISL 64 / OSL 32, four rates, no bisection. */
    public static ServeBenchOptions quick() {
        ServeBenchOptions o = new ServeBenchOptions();
        o.minDurationS = 5;
        o.minQueries = 24;
        o.warmupRequests = 8;
        o.isl = "64";
        o.osl = "32";
        o.rateFractions = new ArrayList<>(List.of(0.25, 0.5, 0.75, 1.0));
        o.concurrency = new ArrayList<>(List.of(1, 4));
        o.searchSteps = 0;
        o.poolSize = 64;
        return o;
    }

    public double effectiveMaxDurationS() { return Double.isNaN(maxDurationS) ? 3 * minDurationS + 10 : maxDurationS; }
}
