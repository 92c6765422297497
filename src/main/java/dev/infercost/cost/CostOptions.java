package dev.infercost.cost;

import dev.infercost.BadInputException;

import java.nio.file.Path;

/**
 * Options of the cost stage ({@code infercost cost} and {@code infercost run}).
 *
 * @param catalog              user catalog (CSV or YAML) overriding/extending the bundled one; null for none
 * @param profile              query profile name (chat, rag, reasoning, summarise, inferencex-1k1k) or "ISL/OSL"
 * @param usdPerHour           $/hour of the measured device (overrides the catalog's assumed price); null for catalog
 * @param projectModel         preset shape to project across the catalog (e.g. "llama-3.1-8b"); null = the measured model
 * @param out                  where to write the cost table (file or folder); null = cost.csv in the run folder
 * @param projectDtype         weights/KV dtype assumed on projected chips: bf16 | fp8 | fp32
 * @param batch                decode batch of the operating point shown in the procurement table; null = largest measured
 * @param targetTokPerSUser    serving target tok/s/user for cost at equal service level; null for none
 * @param ttftLimitMs          p99 TTFT limit [ms] for the serving SLO point; null for none
 * @param tpotLimitMs          p99 TPOT limit [ms] for the serving SLO point; null for none
 * @param hostPeakBandwidthGBs peak memory bandwidth of the measuring host [GB/s] (for MBU); null = catalog
 * @param hostPeakTflops       peak FP32 TFLOP/s of the measuring host (for MFU); null = catalog
 * @param project              whether to project onto catalog chips at all
 * @param calibration          extra calibration rows (CSV, calibration.csv columns) added to the bundled table; null for none
 * @param allowNoisy           use measured points whose JMH 99.9% error exceeds their mean (flagged noisy) anyway
 * @param imports              result files made elsewhere to price as measured (imported): vLLM bench serve JSON or infercost import CSV
 * @param importChip           catalog chip a vLLM JSON was measured on (when its metadata does not say)
 * @param importChips          chips the vLLM JSON's throughput is summed over (default: its metadata, else 1)
 * @param priceFailedAccuracy  price measured points whose accuracy gate failed anyway (--price-failed-accuracy); every such
 *                             row is labelled in accuracy_override, basis and assumptions (default false: they are not priced)
 */
public record CostOptions(Path catalog, String profile, Double usdPerHour, String projectModel, Path out,
                          String projectDtype, Integer batch, Double targetTokPerSUser, Double ttftLimitMs,
                          Double tpotLimitMs, Double hostPeakBandwidthGBs, Double hostPeakTflops, boolean project,
                          Path calibration, boolean allowNoisy, java.util.List<Path> imports, String importChip, Integer importChips,
                          boolean priceFailedAccuracy) {

    /** As the canonical constructor without the accuracy override (failed points are not priced). */
    public CostOptions(Path catalog, String profile, Double usdPerHour, String projectModel, Path out,
                       String projectDtype, Integer batch, Double targetTokPerSUser, Double ttftLimitMs,
                       Double tpotLimitMs, Double hostPeakBandwidthGBs, Double hostPeakTflops, boolean project,
                       Path calibration, boolean allowNoisy, java.util.List<Path> imports, String importChip, Integer importChips) {
        this(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs,
                hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, false);
    }

    /** The options without calibration, noise or import settings. */
    public CostOptions(Path catalog, String profile, Double usdPerHour, String projectModel, Path out,
                       String projectDtype, Integer batch, Double targetTokPerSUser, Double ttftLimitMs,
                       Double tpotLimitMs, Double hostPeakBandwidthGBs, Double hostPeakTflops, boolean project) {
        this(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs,
                hostPeakBandwidthGBs, hostPeakTflops, project, null, false, java.util.List.of(), null, null);
    }

    /** Every option is checked here, before anything is read or written. @throws BadInputException naming the option */
    public CostOptions {
        if (usdPerHour != null && !(usdPerHour > 0))
            throw new BadInputException("--usd-per-hour " + usdPerHour + ": expected a positive price in $/h");
        if (projectModel != null) ModelShape.of(projectModel);
        if (projectDtype != null) Precision.of(projectDtype);
        if (importChips != null && importChips < 1) throw new BadInputException("--import-chips " + importChips + ": expected >= 1");
        imports = imports == null ? java.util.List.of() : java.util.List.copyOf(imports);
        if (profile != null) for (String p : profile.split(",")) if (!p.isBlank()) QueryProfile.of(p.trim());
        if (batch != null && batch < 1) throw new BadInputException("--batch " + batch + ": expected >= 1");
        positive("--target-tok-s-user", targetTokPerSUser);
        positive("--ttft-ms", ttftLimitMs);
        positive("--tpot-ms", tpotLimitMs);
        positive("--host-peak-bandwidth", hostPeakBandwidthGBs);
        positive("--host-peak-tflops", hostPeakTflops);
    }

    private static void positive(String option, Double v) {
        if (v != null && !(v > 0)) throw new BadInputException(option + " " + v + ": expected a positive number");
    }

    /** Bundled catalog, chat profile, catalog prices, projection of the measured model in bf16. */
    public static CostOptions defaults() {
        return new CostOptions(null, "chat", null, null, null, "bf16", null, null, null, null, null, null, true);
    }

    public CostOptions withCatalog(Path f) { return new CostOptions(f, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withProfile(String p) { return new CostOptions(catalog, p, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withUsdPerHour(Double u) { return new CostOptions(catalog, profile, u, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withProjectModel(String m) { return new CostOptions(catalog, profile, usdPerHour, m, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withOut(Path o) { return new CostOptions(catalog, profile, usdPerHour, projectModel, o, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withTarget(Double tokPerSUser, Double ttftMs, Double tpotMs) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, tokPerSUser, ttftMs, tpotMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withHostPeaks(Double gbs, Double tflops) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, gbs, tflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withBatch(Integer b) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, b, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withProjectDtype(String d) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, d, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withCalibration(Path c) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, c, allowNoisy, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withAllowNoisy(boolean n) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, n, imports, importChip, importChips, priceFailedAccuracy); }

    public CostOptions withImports(java.util.List<Path> files, String chip, Integer chips) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, files, chip, chips, priceFailedAccuracy); }

    public CostOptions withPriceFailedAccuracy(boolean p) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project, calibration, allowNoisy, imports, importChip, importChips, p); }
}
