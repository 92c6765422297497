package dev.infercost.measure.energy;

import dev.infercost.BadInputException;

import java.util.function.LongSupplier;

/**
 * GPU board energy from NVML: the cumulative counter {@code nvmlDeviceGetTotalEnergyConsumption} (mJ) is the
 * figure, {@code nvmlDeviceGetPowerUsage} (mW) integrated over the window cross-checks it. The counter's
 * update period and the power reading's 1 s averaging mean short windows are unreliable; ML.ENERGY
 * (Zeus docs, "Measuring energy") and this project require at least {@link #MIN_WINDOW_S} = 5 s.
 */
public final class NvmlMeter implements EnergyMeter {
    public static final double MIN_WINDOW_S = 5.0;
    private final NvmlApi api;
    private final int index;
    private final String deviceName;
    private final LongSupplier clock;

    /**
     * @throws BadInputException when the device index does not exist or the device has no energy counter
     *                           (pre-Volta GPUs return NVML_ERROR_NOT_SUPPORTED)
     */
    public NvmlMeter(NvmlApi api, int index, LongSupplier clock) {
        int n = api.deviceCount();
        if (index < 0 || index >= n) throw new BadInputException("gpu:" + index + ": NVML sees " + n + " GPU(s)");
        this.api = api;
        this.index = index;
        this.clock = clock;
        this.deviceName = api.name(index);
        try {
            api.totalEnergyMj(index);
        } catch (NvmlApi.NvmlException e) {
            throw new BadInputException("gpu:" + index + " " + deviceName + ": no NVML energy counter (" + e.getMessage() + ")");
        }
    }

    @Override public String name() { return "nvml"; }
    @Override public String device() { return "gpu:" + index + " " + deviceName; }
    @Override public Boundary boundary() { return Boundary.GPU; }
    @Override public boolean estimated() { return false; }
    @Override public String basisDetail() { return "NVML nvmlDeviceGetTotalEnergyConsumption counter (mJ), nvmlDeviceGetPowerUsage (mW) integrated as cross-check"; }
    @Override public boolean hasCounter() { return true; }
    @Override public boolean hasPower() { return true; }
    @Override public double minWindowSeconds() { return MIN_WINDOW_S; }

    @Override
    public synchronized Reading read() {
        long t = clock.getAsLong();
        long mj = api.totalEnergyMj(index);
        double w;
        try {
            w = api.powerMw(index) / 1000.0;
        } catch (NvmlApi.NvmlException e) {
            w = Double.NaN;
        }
        return new Reading(t, mj / 1000.0, w);
    }

    @Override
    public void close() { api.shutdown(); }
}
