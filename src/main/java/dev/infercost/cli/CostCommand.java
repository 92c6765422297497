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
        description = {"Cost per token and per query from a results folder: the measured device and, projected by its measured",
                "roofline fraction (MBU/MFU), every catalog chip (Nvidia, AMD, Intel and custom silicon). Writes cost.csv",
                "into the folder (never overwriting: an existing cost.csv makes it write cost-2.csv and say so)."})
public final class CostCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "run folder with engine_bench.csv (and serving.csv, energy.csv if present)")
    Path dir;

    @Mixin
    CatalogOptions catalog;

    @Mixin
    PricingOptions pricing;

    @Option(names = "--project-dtype", paramLabel = "DTYPE", defaultValue = "bf16", description = "weights/KV dtype on projected chips: bf16, fp8 (default: ${DEFAULT-VALUE})")
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

    @Override
    public Integer call() {
        CostOptions o = new CostOptions(catalog.catalog(), pricing.profile(), pricing.usdPerHour(), pricing.projectModel(), out, projectDtype, batch,
                target, ttftMs, tpotMs, peaks.hostBandwidth(), peaks.hostTflops(), !noProject);
        CostResult r = CostStage.run(RunDirectory.open(dir), o);
        System.out.print(r.procurementTable());
        System.out.println("wrote " + r.written() + " (" + r.rows().size() + " rows)");
        return 0;
    }
}
