package dev.infercost.hardware;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One catalog entry: an accelerator (or the measuring CPU host) with its figures, each with provenance.
 * Figures are converted to SI units on access (bytes, bytes/s, FLOP/s, W, USD).
 *
 * @param name    catalog name as published, e.g. "H100 SXM", "TPU7x (Ironwood)", "cpu-host"
 * @param vendor  NVIDIA, AMD, Microsoft, Google, AWS, Intel, or the host's CPU vendor
 * @param metrics metric name (hbm_capacity, memory_bandwidth, bf16_dense, fp8_dense, fp32_dense, tdp, unit_price,
 *                server_cost_per_gpu, system_cost_per_gpu, all_in_power, ...) to its values (several when
 *                sources disagree; see {@link #get})
 * @param prices  per-hour price quotes
 */
public record Accelerator(String name, String vendor, Map<String, List<CatalogValue>> metrics, List<PriceQuote> prices) {

    public static final String CPU_HOST = "cpu-host";

    /** nvidia | amd | intel | custom | cpu, for the cost.csv "silicon" column. */
    public String silicon() {
        if (name.equals(CPU_HOST)) return "cpu";
        return switch (vendor.toLowerCase(Locale.ROOT)) {
            case "nvidia" -> "nvidia";
            case "amd" -> "amd";
            case "intel" -> "intel";
            default -> "custom";
        };
    }

    /** Lower-case alphanumeric form used to match a measured {@code device_class} ("H100-SXM" matches "H100 SXM"). */
    public static String slug(String s) { return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""); }

    /**
     * The figure used for {@code metric}: a user override wins; otherwise the present value with the highest
     * confidence, then the latest source date. Null if the catalog has no usable figure.
     */
    public CatalogValue get(String metric) {
        List<CatalogValue> vs = metrics.get(metric);
        if (vs == null) return null;
        return vs.stream().filter(CatalogValue::present)
                .max(Comparator.<CatalogValue>comparingInt(v -> v.overridden() ? 1 : 0)
                        .thenComparingInt(v -> rank(v.confidence()))
                        .thenComparing(CatalogValue::sourceDate))
                .orElse(null);
    }

    /** Like {@link #get} but the figure must exist. @throws BadInputException naming the chip and metric */
    public CatalogValue require(String metric, String why) {
        CatalogValue v = get(metric);
        if (v == null) {
            List<CatalogValue> vs = metrics.get(metric);
            String note = vs == null || vs.isEmpty() ? "no row" : "row " + vs.get(0).origin() + " has no value" + (vs.get(0).notes().isEmpty() ? "" : " (" + vs.get(0).notes() + ")");
            throw new BadInputException("catalog chip '" + name + "': " + metric + " is missing (" + note + "); needed for " + why);
        }
        return v;
    }

    static int rank(String confidence) {
        return switch (confidence.toLowerCase(Locale.ROOT)) {
            case "high" -> 3;
            case "medium" -> 2;
            case "low" -> 1;
            default -> 0;
        };
    }

    /** Memory capacity in bytes (GB = 1e9, GiB = 2^30). */
    public double memoryBytes() { return toSi(require("hbm_capacity", "memory-capacity limits on batch and context")); }

    /** Peak memory bandwidth in bytes/s. */
    public double bandwidthBytesPerS() { return toSi(require("memory_bandwidth", "decode projection (MBU x bandwidth)")); }

    /**
     * Peak dense FLOP/s for a dtype: bf16 -> bf16_dense, fp8 -> fp8_dense, fp32 -> fp32_dense.
     * @throws BadInputException when the figure is missing
     */
    public double peakFlops(String dtype) {
        String metric = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16", "fp16", "f16" -> "bf16_dense";
            case "fp8", "q8", "q8_0", "int8" -> "fp8_dense";
            case "fp32", "f32" -> "fp32_dense";
            default -> throw new BadInputException("unknown dtype '" + dtype + "' (expected bf16, fp8 or fp32)");
        };
        return toSi(require(metric, "prefill projection (MFU x peak FLOP/s)"));
    }

    /** Metric name of the peak used for {@code dtype}. */
    public static String flopsMetric(String dtype) {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "fp8", "q8", "q8_0", "int8" -> "fp8_dense";
            case "fp32", "f32" -> "fp32_dense";
            default -> "bf16_dense";
        };
    }

    /** Quotes grouped by tier, cheapest first within a tier. */
    public Map<String, List<PriceQuote>> quotesByTier() {
        Map<String, List<PriceQuote>> m = new LinkedHashMap<>();
        for (PriceQuote q : prices) if (q.price().present()) m.computeIfAbsent(q.tier(), k -> new ArrayList<>()).add(q);
        for (List<PriceQuote> l : m.values()) l.sort(Comparator.comparingDouble(q -> q.price().value()));
        return m;
    }

    /** Converts a figure to SI (B, B/s, FLOP/s, W, USD) from its published unit. */
    public static double toSi(CatalogValue v) {
        double x = v.value();
        String u = v.unit().trim();
        return x * switch (u) {
            case "GB" -> 1e9;
            case "GiB" -> 1024.0 * 1024 * 1024;
            case "TB" -> 1e12;
            case "TB/s" -> 1e12;
            case "GB/s" -> 1e9;
            case "GiB/s" -> 1024.0 * 1024 * 1024;
            case "TFLOP/s", "TOPS" -> 1e12;
            case "GFLOP/s" -> 1e9;
            case "PFLOP/s" -> 1e15;
            case "W" -> 1.0;
            case "kW", "kW/GPU" -> 1e3;
            case "USD", "USD/accel-hr", "USD/h", "USD/hour" -> 1.0;
            default -> throw new BadInputException(v.origin() + ": unit '" + u + "' is not understood (expected GB, GiB, TB/s, GB/s, TFLOP/s, W, kW, USD or USD/accel-hr)");
        };
    }
}
