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
 */
public record CostOptions(Path catalog, String profile, Double usdPerHour, String projectModel, Path out,
                          String projectDtype, Integer batch, Double targetTokPerSUser, Double ttftLimitMs,
                          Double tpotLimitMs, Double hostPeakBandwidthGBs, Double hostPeakTflops, boolean project) {

    /** Every option is checked here, before anything is read or written. @throws BadInputException naming the option */
    public CostOptions {
        if (usdPerHour != null && !(usdPerHour > 0))
            throw new BadInputException("--usd-per-hour " + usdPerHour + ": expected a positive price in $/h");
        if (projectModel != null) dev.infercost.model.PresetShapes.config(projectModel);
        if (projectDtype != null) Projection.bytesPerElement(projectDtype);
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

    public CostOptions withCatalog(Path f) { return new CostOptions(f, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withProfile(String p) { return new CostOptions(catalog, p, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withUsdPerHour(Double u) { return new CostOptions(catalog, profile, u, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withProjectModel(String m) { return new CostOptions(catalog, profile, usdPerHour, m, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withOut(Path o) { return new CostOptions(catalog, profile, usdPerHour, projectModel, o, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withTarget(Double tokPerSUser, Double ttftMs, Double tpotMs) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, tokPerSUser, ttftMs, tpotMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withHostPeaks(Double gbs, Double tflops) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, gbs, tflops, project); }

    public CostOptions withBatch(Integer b) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, projectDtype, b, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }

    public CostOptions withProjectDtype(String d) { return new CostOptions(catalog, profile, usdPerHour, projectModel, out, d, batch, targetTokPerSUser, ttftLimitMs, tpotLimitMs, hostPeakBandwidthGBs, hostPeakTflops, project); }
}
