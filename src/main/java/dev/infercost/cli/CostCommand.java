package dev.infercost.cli;

import dev.infercost.cost.CostOptions;
import dev.infercost.cost.CostResult;
import dev.infercost.cost.CostStage;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine.Command;
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

    @Option(names = "--catalog", paramLabel = "FILE", description = "CSV or YAML overriding/extending the bundled catalog (your quotes, power price, PUE ...)")
    Path catalog;

    @Option(names = "--profile", paramLabel = "NAME", defaultValue = "chat,rag,reasoning",
            description = "query profile(s), comma-separated (all go into cost.csv; the first is printed): chat (1000/500), rag (8000/300), reasoning (1000/8000), summarise (8000/1000), inferencex-1k1k, or ISL/OSL (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--usd-per-hour", paramLabel = "X", description = "$/hour of the measured device (replaces the catalog's assumed price)")
    Double usdPerHour;

    @Option(names = "--project-model", paramLabel = "NAME", description = "preset shape to project across the catalog, e.g. llama-3.1-8b (default: the measured model)")
    String projectModel;

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

    @Option(names = "--host-peak-bandwidth", paramLabel = "GB/s", description = "peak memory bandwidth of the measuring CPU host (for MBU; default: catalog's assumed value)")
    Double hostBandwidth;

    @Option(names = "--host-peak-tflops", paramLabel = "TFLOP/s", description = "peak FP32 TFLOP/s of the measuring CPU host (for MFU; default: catalog's assumed value)")
    Double hostTflops;

    @Option(names = "--out", paramLabel = "FILE-or-DIR", description = "write the cost table here instead of RESULTS_DIR/cost.csv")
    Path out;

    @picocli.CommandLine.Mixin
    TableFormat.Mixin format = new TableFormat.Mixin();

    @Override
    public Integer call() {
        CostOptions o = new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, target, ttftMs, tpotMs,
                hostBandwidth, hostTflops, !noProject);
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
