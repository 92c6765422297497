package dev.infercost.measure.energy;

/**
 * The few NVML calls the energy meter needs (NVML API reference, https://docs.nvidia.com/deploy/nvml-api/),
 * by device index. {@link NvmlNative} implements it over libnvidia-ml.so.1 with Java's FFM API; tests use a
 * fake. Methods throw {@link NvmlException} with NVML's return code on failure.
 */
public interface NvmlApi {
    /** nvmlDeviceGetCount_v2. */
    int deviceCount();

    /** nvmlDeviceGetName. */
    String name(int index);

    /** nvmlDeviceGetTotalEnergyConsumption: energy since the driver was loaded, mJ (Volta and newer). */
    long totalEnergyMj(int index);

    /** nvmlDeviceGetPowerUsage: board power, mW (on Ampere and newer a 1 s average). */
    long powerMw(int index);

    /** nvmlShutdown. */
    void shutdown();

    /** An NVML call returned a non-success code. */
    final class NvmlException extends RuntimeException {
        private final int code;

        public NvmlException(String call, int code, String text) {
            super(call + " failed: NVML error " + code + (text == null ? "" : " (" + text + ")"));
            this.code = code;
        }

        /** NVML return code (3 = NVML_ERROR_NOT_SUPPORTED). */
        public int code() { return code; }
    }
}
