package dev.infercost.hardware;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Peak figures of the measured device, the denominators of MBU (achieved / peak memory bandwidth) and MFU
 * (achieved / peak FLOP/s); MBU as defined in Databricks, "LLM Inference Performance Engineering: Best
 * Practices" (2023), MFU as in Chowdhery et al., "PaLM" (2022), Appendix B.
 *
 * <p>For a CPU host without options {@link #cpuHostDefault()} reads the catalog's {@code cpu-host} entry, whose
 * figures are labelled assumptions (not a spec sheet for this host); the basis string says so.
 *
 * @param deviceClass catalog id of the device, e.g. "cpu-host", "H100-SXM"
 * @param peakGBps    peak memory bandwidth, GB/s (10^9 B/s)
 * @param peakTflops  peak dense FLOP/s at the engine's precision, TFLOP/s
 * @param basis       where the figures come from
 */
public record PeakFigures(String deviceClass, double peakGBps, double peakTflops, String basis) {

    /**
     * The CPU host's peaks from the bundled hardware catalog's {@code cpu-host} entry (labelled assumptions
     * there, with their basis: see {@code dev/infercost/reference/host.csv}), so MBU/MFU here, in
     * engine_bench.csv and in the cost stage use one set of figures.
     */
    public static PeakFigures cpuHostDefault() {
        dev.infercost.hardware.Accelerator host = dev.infercost.hardware.Catalog.bundled().find(dev.infercost.hardware.Accelerator.CPU_HOST);
        dev.infercost.hardware.CatalogValue bw = host.require("memory_bandwidth", "MBU of the CPU host");
        dev.infercost.hardware.CatalogValue fl = host.require(dev.infercost.hardware.Accelerator.flopsMetric("fp32"), "MFU of the CPU host");
        String basis = "catalog cpu-host (assumed, override with --host-peak-bandwidth/--host-peak-tflops): bandwidth " + bw.describe()
                + "; fp32 " + fl.describe();
        return new PeakFigures(dev.infercost.hardware.Accelerator.CPU_HOST, dev.infercost.hardware.Accelerator.toSi(bw) / 1e9,
                dev.infercost.hardware.Accelerator.toSi(fl) / 1e12, basis);
    }

    /**
     * Replaces figures the user gave (NaN / null keep this one's).
     *
     * @throws BadInputException non-positive peaks
     */
    public PeakFigures override(String deviceClass, double gbps, double tflops) {
        if (!Double.isNaN(gbps) && !(gbps > 0)) throw new BadInputException("peak memory bandwidth " + gbps + " GB/s (--host-peak-bandwidth, --peak-bandwidth): must be > 0");
        if (!Double.isNaN(tflops) && !(tflops > 0)) throw new BadInputException("peak " + tflops + " TFLOP/s (--host-peak-tflops, --peak-tflops): must be > 0");
        if (deviceClass == null && Double.isNaN(gbps) && Double.isNaN(tflops)) return this;
        String b = (Double.isNaN(gbps) && Double.isNaN(tflops)) ? basis
                : String.format(Locale.ROOT, "user-given: %s%s; rest: %s",
                    Double.isNaN(gbps) ? "" : "peak " + gbps + " GB/s ", Double.isNaN(tflops) ? "" : "peak " + tflops + " TFLOP/s", basis);
        return new PeakFigures(deviceClass == null ? this.deviceClass : deviceClass,
                Double.isNaN(gbps) ? peakGBps : gbps, Double.isNaN(tflops) ? peakTflops : tflops, b);
    }

    /** Model bandwidth utilisation of {@code bytes} moved in {@code seconds}. */
    public double mbu(double bytes, double seconds) { return bytes / seconds / (peakGBps * 1e9); }

    /** Model FLOP/s utilisation of {@code flops} in {@code seconds}. */
    public double mfu(double flops, double seconds) { return flops / seconds / (peakTflops * 1e12); }
}
