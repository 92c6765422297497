package dev.infercost.measure.loadgen;

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
 * <p>The full device catalog belongs to the cost stage; here the peaks are options. For a CPU host without
 * options {@link #cpuHostDefault()} gives labelled assumptions: FP32 peak = logical CPUs x clock (from
 * /proc/cpuinfo "cpu MHz") x FLOP/cycle (64 with AVX-512: 2 FMA units x 16 lanes x 2; 32 with AVX2+FMA;
 * 8 otherwise) and memory bandwidth 51.2 GB/s (two DDR4-3200 channels x 25.6 GB/s, JEDEC JESD79-4). Neither is
 * a spec-sheet figure for this host; the basis string says so.
 *
 * @param deviceClass catalog id of the device, e.g. "cpu-host", "H100-SXM"
 * @param peakGBps    peak memory bandwidth, GB/s (10^9 B/s)
 * @param peakTflops  peak dense FLOP/s at the engine's precision, TFLOP/s
 * @param basis       where the figures come from
 */
public record PeakFigures(String deviceClass, double peakGBps, double peakTflops, String basis) {

    /** Labelled assumed defaults for the CPU host running this JVM (see the class doc). */
    public static PeakFigures cpuHostDefault() {
        int cpus = Runtime.getRuntime().availableProcessors();
        double ghz = Double.NaN;
        String flags = "";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (Double.isNaN(ghz) && l.startsWith("cpu MHz")) ghz = Double.parseDouble(l.substring(l.indexOf(':') + 1).trim()) / 1000;
                if (flags.isEmpty() && l.startsWith("flags")) flags = " " + l.substring(l.indexOf(':') + 1) + " ";
            }
        } catch (IOException | NumberFormatException ignored) { }
        if (Double.isNaN(ghz)) ghz = 2.0;
        int fpc;
        String why;
        if (flags.contains(" avx512f ")) { fpc = 64; why = "AVX-512: 2 FMA x 16 lanes x 2"; }
        else if (flags.contains(" avx2 ") && flags.contains(" fma ")) { fpc = 32; why = "AVX2: 2 FMA x 8 lanes x 2"; }
        else { fpc = 8; why = "no AVX2/FMA flags found: 8"; }
        double tflops = cpus * ghz * fpc / 1000;
        String basis = String.format(Locale.ROOT,
                "assumed CPU-host defaults, not a spec sheet (override with --peak-gbps/--peak-tflops): FP32 %d CPUs x %.2f GHz x %d FLOP/cycle (%s) = %.4f TFLOP/s; memory 51.2 GB/s (2 x DDR4-3200 channels, JEDEC)",
                cpus, ghz, fpc, why, tflops);
        return new PeakFigures("cpu-host", 51.2, tflops, basis);
    }

    /**
     * Replaces figures the user gave (NaN / null keep this one's).
     *
     * @throws BadInputException non-positive peaks
     */
    public PeakFigures override(String deviceClass, double gbps, double tflops) {
        if (!Double.isNaN(gbps) && !(gbps > 0)) throw new BadInputException("--peak-gbps " + gbps + ": must be > 0");
        if (!Double.isNaN(tflops) && !(tflops > 0)) throw new BadInputException("--peak-tflops " + tflops + ": must be > 0");
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
