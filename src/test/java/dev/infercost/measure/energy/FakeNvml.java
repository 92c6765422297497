package dev.infercost.measure.energy;

import java.util.ArrayDeque;
import java.util.Deque;

/** NVML behind the same interface, returning scripted readings. */
final class FakeNvml implements NvmlApi {
    final Deque<long[]> readings = new ArrayDeque<>();   // {energy mJ, power mW}
    long[] current = {0, 0};
    boolean energySupported = true;
    boolean shutdown;

    FakeNvml push(long energyMj, long powerMw) { readings.add(new long[]{energyMj, powerMw}); return this; }

    @Override public int deviceCount() { return 1; }
    @Override public String name(int index) { return "Fake H100"; }

    @Override public long totalEnergyMj(int index) {
        if (!energySupported) throw new NvmlException("nvmlDeviceGetTotalEnergyConsumption", 3, "Not Supported");
        if (!readings.isEmpty()) current = readings.poll();
        return current[0];
    }

    @Override public long powerMw(int index) { return current[1]; }
    @Override public void shutdown() { shutdown = true; }
}
