package dev.infercost.measure.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A measurement window over one meter: {@link #start} takes a reading and starts a daemon sampler thread that
 * reads the meter every {@code intervalMs}; {@link #stop} takes a final reading and analyses the window with
 * {@link EnergyAnalysis}. Sampling keeps RAPL's wrap-around accounting current and gives the power readings
 * that cross-check a counter.
 */
public final class EnergyWindow {
    private final EnergyMeter meter;
    private final long intervalNanos;
    private final List<Reading> readings = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    private EnergyWindow(EnergyMeter meter, long intervalMs) {
        this.meter = meter;
        this.intervalNanos = intervalMs * 1_000_000L;
        add(meter.read());
        sampler = Thread.ofPlatform().daemon().name("energy-sampler-" + meter.name()).unstarted(this::sample);
        if (intervalMs > 0) sampler.start();
    }

    /** Starts a window; {@code intervalMs} 0 takes only the start and stop readings. */
    public static EnergyWindow start(EnergyMeter meter, long intervalMs) { return new EnergyWindow(meter, intervalMs); }

    private synchronized void add(Reading r) { readings.add(r); }

    private void sample() {
        long next = System.nanoTime() + intervalNanos;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            if (!running) break;
            try {
                add(meter.read());
            } catch (RuntimeException e) {
                // a failed read is a gap; the analysis reports it
            }
            next += intervalNanos;
            long now = System.nanoTime();
            if (next < now) next = now + intervalNanos;
        }
    }

    /**
     * Ends the window.
     *
     * @param idlePowerW idle baseline power, W (NaN: none measured)
     * @param pue        PUE for the facility boundary (NaN or 0: none)
     */
    public EnergyMeasurement stop(double idlePowerW, double pue) {
        running = false;
        if (sampler.isAlive()) {
            LockSupport.unpark(sampler);
            try {
                sampler.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        add(meter.read());
        List<Reading> copy;
        synchronized (this) { copy = List.copyOf(readings); }
        return EnergyAnalysis.analyze(meter, copy, intervalNanos / 1e9, idlePowerW, pue);
    }

    /**
     * Measures the idle baseline: a window of {@code seconds} during which the caller runs no work.
     *
     * @return the window's measurement; its {@link EnergyMeasurement#avgPowerW()} is the idle power
     */
    public static EnergyMeasurement idleBaseline(EnergyMeter meter, double seconds, long intervalMs) {
        EnergyWindow w = start(meter, intervalMs);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) LockSupport.parkNanos(end - System.nanoTime());
        return w.stop(Double.NaN, Double.NaN);
    }
}
