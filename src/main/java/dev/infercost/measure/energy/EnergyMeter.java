package dev.infercost.measure.energy;

/**
 * A source of energy readings for one device. Implementations: {@link NvmlMeter} (GPU energy counter and
 * power through NVML), {@link RaplMeter} (Linux powercap RAPL package counters), {@link NvidiaSmiMeter}
 * (sampled GPU power from {@code nvidia-smi}), {@link EstimateMeter} (a stated wattage or TDP x utilisation,
 * always labelled estimated). {@link #read()} may be called from a sampler thread and the caller's thread;
 * implementations are thread-safe.
 */
public interface EnergyMeter extends AutoCloseable {
    /** Meter name as written to the {@code meter} column: nvml, rapl, nvidia-smi, estimate. */
    String name();

    /** The device measured, human-readable, e.g. "gpu:0 NVIDIA H100 80GB HBM3", "cpu packages [package-0]". */
    String device();

    Boundary boundary();

    /** True when figures are estimated (no physical counter or power reading behind them). */
    boolean estimated();

    /** How figures are obtained, e.g. "NVML total energy counter (mJ), power usage (mW) cross-check". */
    String basisDetail();

    /** True when {@link Reading#energyJ()} is a cumulative counter. */
    boolean hasCounter();

    /** True when {@link Reading#powerW()} is an independent power reading (used to cross-check the counter). */
    boolean hasPower();

    /** Shortest window, in seconds, over which this meter's energy can be trusted (NVML: 5 s). */
    double minWindowSeconds();

    /** Reads the meter now. */
    Reading read();

    @Override
    default void close() {}
}
