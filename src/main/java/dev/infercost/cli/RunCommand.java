package dev.infercost.cli;

import dev.infercost.cost.CostOptions;
import dev.infercost.cost.CostResult;
import dev.infercost.cost.CostStage;
import dev.infercost.hardware.Catalog;
import dev.infercost.measure.MeasureOptions;
import dev.infercost.measure.MeasureResult;
import dev.infercost.measure.MeasureStage;
import dev.infercost.report.ReportStage;
import dev.infercost.results.Manifest;
import dev.infercost.results.Progress;
import dev.infercost.results.RunDirectory;
import dev.infercost.revenue.RevenueResult;
import dev.infercost.revenue.RevenueStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    @Option(names = "--quick", description = "Short JMH runs (1 fork, 2x1 s warmup, 10x0.5 s measurement), batch 1 and 8: ~2-6 min on 2 cores.")
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

    @Option(names = "--batch", split = ",", description = "Decode batch sizes, any positive list (e.g. 1,4,16,64; each must fit the benchmark JVM's heap; default: 1,8 with --quick, else 1,8,32).")
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

    @Option(names = "--percentiles", paramLabel = "P,P,...", description = "Latency percentiles of the serving sweep for TTFT, TPOT, ITL and E2E, each 0 < p < 100 (default: 50,90,95,99,99.9; others add serving.csv columns such as ttft_p75 [ms]).")
    String percentiles;

    @Option(names = "--energy-meter", description = "Energy meter spec (auto, rapl, nvml, nvidia-smi, estimate:watts=W, estimate:tdp=W[,util=U|cpu], estimate:ccf; default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String energyMeter;

    @Mixin
    PricingOptions pricing;

    @Mixin
    CatalogOptions catalog;

    @Mixin
    PeakOptions peaks;

    @Option(names = "--scenario", description = "Revenue-share scenario YAML (default: the bundled, sourced default scenario).")
    Path scenario;

    @Mixin
    OutOptions out;

    @Option(names = "--device-class", description = "Catalog chip the engines ran on, overriding the match of their device strings (e.g. \"H200 SXM\"; see DeviceMatch).")
    String deviceClass;

    @Option(names = "--expect-device", description = "auto, gpu or cpu: a backend that opens on another kind of device is reported failed, never measured (default: ${DEFAULT-VALUE}: gpu when a backend option asks for one, e.g. --device cuda for onnx).",
            defaultValue = "auto")
    String expectDevice;

    @Override
    public Integer call() throws Exception {
        boolean serving = serve != null ? serve : !quick;
        // Fail fast on bad input before anything is measured or written.
        OptionChecks.threads(threads);
        MeasureOptions measure = new MeasureOptions(model, tokenizer, null, backends, device, threads,
                batches != null ? batches : MeasureOptions.defaultBatches(quick), context, isl, !noEncoder, serving, quick, energyMeter,
                catalog.catalog(), deviceClass, expectDevice,
                percentiles == null ? null : dev.infercost.results.Percentiles.parse("--percentiles", percentiles),
                peaks.hostBandwidth(), peaks.hostTflops()).prepare();
        OptionChecks.withinContext(context, isl, measure.loaded().config().seqLen(), model);
        Catalog.load(catalog.catalog());
        CostOptions costOptions = CostOptions.defaults().withCatalog(catalog.catalog()).withProfile(pricing.profile())
                .withUsdPerHour(pricing.usdPerHour()).withProjectModel(pricing.projectModel())
                .withHostPeaks(peaks.hostBandwidth(), peaks.hostTflops()).withPriceFailedAccuracy(pricing.priceFailedAccuracy());

        RunDirectory dir = RunDirectory.create(out.parent(), (quick ? "quick-" : "") + measure.loaded().info().name());
        Instant start = Instant.now();
        try {
            Manifest manifest = Manifest.forThisProcess(dir.runId(), commandLine());
            Progress progress = new Progress(measure.steps() + 3);
            MeasureResult measured = MeasureStage.run(dir, measure, progress);

            progress.step("cost: $/hour, $/M tokens, $/query, projections");
            CostResult cost = CostStage.run(dir, costOptions);

            progress.step("revenue share: default scenario priced with this run's cost table");
            RevenueResult revenue = RevenueStage.run(dir, scenario, null);

            measured.manifestSections().forEach(manifest::put);
            manifest.put("pricing", cost.manifestSection());
            manifest.put("finished_utc", Instant.now().toString());
            manifest.put("wall_time_s", Duration.between(start, Instant.now()).toMillis() / 1000.0);
            dir.writeString("manifest.json", manifest.toJson());
            progress.step("report: report.html");
            ReportStage.write(dir);
            Path staged = dir.path();
            Path done = dir.commit();

            System.out.println();
            System.out.println(MeasureStage.summary(measured.engineBench()));
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

    /** "infercost run" followed by the arguments exactly as given. */
    private List<String> commandLine() {
        List<String> cmd = new ArrayList<>(List.of("infercost", "run"));
        cmd.addAll(spec.commandLine().getParseResult().originalArgs());
        return cmd;
    }
}
