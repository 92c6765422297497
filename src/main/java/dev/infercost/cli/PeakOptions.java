package dev.infercost.cli;

import picocli.CommandLine.Option;

/** Picocli mixin: the measuring CPU host's peak figures for MBU and MFU (default: the catalog's assumed values). */
public final class PeakOptions {
    @Option(names = "--host-peak-bandwidth", paramLabel = "GB/s", description = "peak memory bandwidth of the measuring CPU host (for MBU; default: catalog's assumed value)")
    Double hostBandwidth;

    @Option(names = "--host-peak-tflops", paramLabel = "TFLOP/s", description = "peak FP32 TFLOP/s of the measuring CPU host (for MFU; default: catalog's assumed value)")
    Double hostTflops;

    /** @return peak bandwidth [GB/s], or null for the catalog's */
    public Double hostBandwidth() { return hostBandwidth; }

    /** @return peak FP32 [TFLOP/s], or null for the catalog's */
    public Double hostTflops() { return hostTflops; }
}
