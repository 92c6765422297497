package dev.infercost.cli;

import dev.infercost.cost.CostOptions;
import dev.infercost.cost.CostResult;
import dev.infercost.cost.CostStage;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code infercost cost RESULTS_DIR}: turns a run folder's measurements into cost.csv ($/M input and output
 * tokens, $/query, Wh/query per chip and price tier, measured and projected) and prints the procurement table.
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
        description = {"Cost per token and per query from a results folder: the measured device and, projected by a calibrated",
                "operating-point sweep (batch x tensor parallel, efficiency fitted to published GPU measurements), every catalog",
                "chip (Nvidia, AMD, Intel and custom silicon). Writes cost.csv and cost_curve.csv into the folder (never",
                "overwriting: an existing cost.csv makes it write cost-2.csv and say so). --validate prints the validation table."})
public final class CostCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RESULTS_DIR", description = "run folder with engine_bench.csv (and serving.csv, energy.csv if present); not needed with --validate")
    Path dir;

    @Option(names = "--validate", description = "print the validation table (every published calibration point projected leave-one-out, ratio to the published figure) and the owner $/GPU-hour check against InferenceX, then exit")
    boolean validate;

    @Option(names = "--calibration", paramLabel = "FILE", description = "extra calibration rows (CSV with calibration.csv's columns) added to the bundled table")
    Path calibration;

    @Option(names = "--allow-noisy", description = "use measured points whose JMH 99.9% error exceeds their mean (flagged noisy; excluded by default)")
    boolean allowNoisy;

    @Option(names = "--import", paramLabel = "FILE", split = ",", description = "result files made elsewhere, priced as 'measured (imported)': vLLM 'bench serve --save-result' JSON or an infercost import CSV (see README)")
    java.util.List<Path> imports = new java.util.ArrayList<>();

    @Option(names = "--import-chip", paramLabel = "CHIP", description = "catalog chip a vLLM JSON was measured on, when its metadata (device_class) does not say")
    String importChip;

    @Option(names = "--import-chips", paramLabel = "N", description = "chips a vLLM JSON's throughput is summed over (default: metadata tensor_parallel_size / num_gpus, else 1)")
    Integer importChips;

    @Mixin
    CatalogOptions catalog;

    @Mixin
    PricingOptions pricing;

    @Option(names = "--project-dtype", paramLabel = "DTYPE", defaultValue = "bf16", description = "weights dtype on projected chips: bf16, fp8, fp4 (NVFP4/MXFP4); KV cache bf16 for bf16, else fp8 (default: ${DEFAULT-VALUE})")
    String projectDtype;

    @Option(names = "--no-project", description = "cost the measured device only")
    boolean noProject;

    @Option(names = "--batch", paramLabel = "N", description = "decode batch of the operating point in the table (default: largest measured)")
    Integer batch;

    @Option(names = "--target-tok-s-user", paramLabel = "X", description = "serving sweep: cost at this tok/s/user on the Pareto frontier (PCHIP, no extrapolation)")
    Double target;

    @Option(names = "--ttft-ms", paramLabel = "MS", description = "serving sweep: p99 TTFT limit for the SLO operating point")
    Double ttftMs;

    @Option(names = "--tpot-ms", paramLabel = "MS", description = "serving sweep: p99 TPOT limit for the SLO operating point")
    Double tpotMs;

    @Mixin
    PeakOptions peaks;

    @Option(names = "--out", paramLabel = "FILE-or-DIR", description = "write the cost table here instead of RESULTS_DIR/cost.csv")
    Path out;

    @picocli.CommandLine.Mixin
    TableFormat.Mixin format = new TableFormat.Mixin();

    @Override
    public Integer call() {
        if (validate) {
            System.out.print(CostStage.validationReport(catalog.catalog(), calibration));
            return 0;
        }
        if (dir == null) throw new dev.infercost.BadInputException("cost: RESULTS_DIR is required (or pass --validate)");
        CostOptions o = new CostOptions(catalog.catalog(), pricing.profile(), pricing.usdPerHour(), pricing.projectModel(), out, projectDtype, batch,
                target, ttftMs, tpotMs, peaks.hostBandwidth(), peaks.hostTflops(), !noProject, calibration, allowNoisy, imports, importChip, importChips)
                .withPriceFailedAccuracy(pricing.priceFailedAccuracy());
        CostResult r = CostStage.run(RunDirectory.open(dir), o);
        if (format.format() != null) { // the whole written table for scripts; the human table and notes on stderr
            System.out.print(TableFormat.render(format.format(), r.written()));
            System.err.println("wrote " + r.written() + " (" + r.rows().size() + " rows)");
            return 0;
        }
        System.out.print(r.procurementTable());
        System.out.println("wrote " + r.written() + " (" + r.rows().size() + " rows)");
        return 0;
    }
}
