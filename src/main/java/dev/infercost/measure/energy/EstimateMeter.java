package dev.infercost.measure.energy;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * An energy estimate, never a measurement; every figure it produces is labelled {@code estimated} with its
 * basis. Three forms:
 * <ul>
 *   <li>{@link #stated}: a stated constant wattage;</li>
 *   <li>{@link #tdp}: TDP x utilisation, the utilisation either stated or this process's CPU utilisation
 *       (process CPU time / (wall time x logical CPUs));</li>
 *   <li>{@link #perVcpu}: the Cloud Carbon Footprint model (https://www.cloudcarbonfootprint.org/docs/methodology,
 *       "Compute"): W = vCPUs x (min + utilisation x (max - min)), with CCF's AWS averages
 *       {@link #CCF_MIN_W} = 0.74 W and {@link #CCF_MAX_W} = 3.5 W per vCPU as the default for a CPU host
 *       without a counter.</li>
 * </ul>
 * Energy is accumulated at each {@link #read()} as power over the interval since the previous read.
 */
public final class EstimateMeter implements EnergyMeter {
    /** CCF AWS average watts per vCPU at 0% utilisation. */
    public static final double CCF_MIN_W = 0.74;
    /** CCF AWS average watts per vCPU at 100% utilisation. */
    public static final double CCF_MAX_W = 3.5;

    private final String device;
    private final Boundary boundary;
    private final String basis;
    private final double idleW, fullW;      // power at utilisation 0 and 1
    private final double statedUtil;        // NaN: measure process CPU utilisation
    private final LongSupplier clock;
    private final LongSupplier cpuTimeNanos;
    private final int cpus;
    private long lastT, lastCpu;
    private double energyJ;

    private EstimateMeter(String device, Boundary boundary, String basis, double idleW, double fullW, double statedUtil,
                          LongSupplier clock, LongSupplier cpuTimeNanos, int cpus) {
        this.device = device; this.boundary = boundary; this.basis = basis; this.idleW = idleW; this.fullW = fullW;
        this.statedUtil = statedUtil; this.clock = clock; this.cpuTimeNanos = cpuTimeNanos; this.cpus = cpus;
        this.lastT = clock.getAsLong();
        this.lastCpu = cpuTimeNanos.getAsLong();
    }

    /** This JVM's CPU time, ns (com.sun.management.OperatingSystemMXBean#getProcessCpuTime). */
    public static long processCpuTimeNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getProcessCpuTime();
        return 0;
    }

    /** A constant stated wattage. */
    public static EstimateMeter stated(double watts, String device, Boundary boundary, LongSupplier clock) {
        return new EstimateMeter(device, boundary, String.format(Locale.ROOT, "stated constant %.1f W", watts),
                watts, watts, 1.0, clock, () -> 0, 1);
    }

    /**
     * TDP x utilisation.
     *
     * @param util utilisation in [0,1], or NaN to use this process's measured CPU utilisation
     */
    public static EstimateMeter tdp(double tdpW, double util, String device, Boundary boundary, LongSupplier clock,
                                    LongSupplier cpuTimeNanos, int cpus) {
        String u = Double.isNaN(util) ? "measured process CPU utilisation (CPU time / wall x " + cpus + " CPUs)"
                : String.format(Locale.ROOT, "stated utilisation %.2f", util);
        return new EstimateMeter(device, boundary, String.format(Locale.ROOT, "TDP %.1f W x %s", tdpW, u),
                0, tdpW, util, clock, cpuTimeNanos, cpus);
    }

    /** Cloud Carbon Footprint per-vCPU model with measured process CPU utilisation. */
    public static EstimateMeter perVcpu(int vcpus, double minW, double maxW, LongSupplier clock, LongSupplier cpuTimeNanos) {
        String b = String.format(Locale.ROOT,
                "%d vCPUs x (%.2f W + utilisation x (%.2f - %.2f) W), Cloud Carbon Footprint AWS average coefficients, "
                        + "utilisation = measured process CPU time / (wall x %d)", vcpus, minW, maxW, minW, vcpus);
        return new EstimateMeter("cpu (" + vcpus + " vCPUs)", Boundary.CPU_PACKAGE, b, vcpus * minW, vcpus * maxW, Double.NaN,
                clock, cpuTimeNanos, vcpus);
    }

    /** Power at utilisation {@code u}, W. */
    public double powerAt(double u) { return idleW + Math.max(0, Math.min(1, u)) * (fullW - idleW); }

    @Override public String name() { return "estimate"; }
    @Override public String device() { return device; }
    @Override public Boundary boundary() { return boundary; }
    @Override public boolean estimated() { return true; }
    @Override public String basisDetail() { return basis; }
    @Override public boolean hasCounter() { return true; }
    @Override public boolean hasPower() { return false; }
    @Override public double minWindowSeconds() { return 0; }

    @Override
    public synchronized Reading read() {
        long t = clock.getAsLong();
        long cpu = cpuTimeNanos.getAsLong();
        long dt = t - lastT;
        double p = Double.NaN;
        if (dt > 0) {
            double u = Double.isNaN(statedUtil) ? (double) (cpu - lastCpu) / ((double) dt * cpus) : statedUtil;
            p = powerAt(u);
            energyJ += p * dt / 1e9;
        }
        lastT = t;
        lastCpu = cpu;
        return new Reading(t, energyJ, p);
    }
}
