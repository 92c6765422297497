package dev.infercost.measure.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the readings of one window into an {@link EnergyMeasurement} with validity reasons. Pure function of
 * its inputs so it can be checked against hand-computed values.
 *
 * <p>Method (after ML.ENERGY's Zeus, https://ml.energy/zeus, which measures GPU energy with the NVML
 * cumulative counter over steady-state windows): the energy is the counter delta where a counter exists,
 * otherwise the trapezoidal integral of the power readings. Where both exist the integral cross-checks the
 * counter. Rules (each failed one is a reason, and makes the figure invalid unless marked "note"):
 * <ul>
 *   <li>fewer than 2 readings;</li>
 *   <li>window shorter than the meter can resolve ({@link EnergyMeter#minWindowSeconds()}, 5 s for NVML);</li>
 *   <li>counter and integrated power disagree by more than {@link #MAX_DISAGREEMENT} (5%);</li>
 *   <li>a sampling gap longer than {@link #GAP_FACTOR} x the nominal interval (invalid when the figure rests on
 *       sampled power; a note when a counter carries it);</li>
 *   <li>the counter went backwards;</li>
 *   <li>estimated figures are never valid measurements;</li>
 *   <li>note: idle baseline not measured (the figure includes idle power).</li>
 * </ul>
 */
public final class EnergyAnalysis {
    private EnergyAnalysis() {}

    /** Largest allowed relative difference between counter and integrated power. */
    public static final double MAX_DISAGREEMENT = 0.05;
    /** A gap between readings longer than this many nominal intervals is a sampling gap. */
    public static final double GAP_FACTOR = 3.0;

    /**
     * @param meter            the meter that produced the readings (for its name, boundary, capabilities)
     * @param readings         readings in time order
     * @param nominalIntervalS the sampler's intended interval, s (0: do not check gaps)
     * @param idlePowerW       idle baseline power, W, or NaN when none was measured
     * @param pue              power usage effectiveness to scale to the facility boundary, or NaN / 0 to keep the
     *                         meter's boundary
     */
    public static EnergyMeasurement analyze(EnergyMeter meter, List<Reading> readings, double nominalIntervalS,
                                            double idlePowerW, double pue) {
        List<String> reasons = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int n = readings.size();
        if (n < 2) {
            reasons.add("fewer than 2 readings (" + n + ")");
            return new EnergyMeasurement(meter.name(), meter.device(), meter.boundary().label(), meter.estimated(),
                    meter.basisDetail(), 0, Double.NaN, Double.NaN, Double.NaN, idlePowerW, Double.NaN, n, false, reasons);
        }
        Reading first = readings.getFirst(), last = readings.getLast();
        double duration = (last.nanos() - first.nanos()) / 1e9;

        double counter = Double.NaN;
        if (meter.hasCounter()) {
            counter = last.energyJ() - first.energyJ();
            if (counter < 0) reasons.add(String.format(Locale.ROOT, "counter went backwards by %.3f J", -counter));
        }
        double integrated = Double.NaN;
        if (meter.hasPower()) integrated = integrate(readings);

        double maxGap = 0;
        for (int i = 1; i < n; i++) maxGap = Math.max(maxGap, (readings.get(i).nanos() - readings.get(i - 1).nanos()) / 1e9);
        if (nominalIntervalS > 0 && maxGap > GAP_FACTOR * nominalIntervalS) {
            String g = String.format(Locale.ROOT, "sampling gap of %.3f s (nominal interval %.3f s)", maxGap, nominalIntervalS);
            if (meter.hasCounter()) notes.add(g + " affects only the power cross-check");
            else reasons.add(g);
        }
        if (meter.hasPower()) {
            int missing = 0;
            for (Reading r : readings) if (Double.isNaN(r.powerW())) missing++;
            if (missing > 0) {
                String m = missing + " of " + n + " power readings missing or stale";
                if (meter.hasCounter()) notes.add(m); else reasons.add(m);
            }
        }

        double energy = meter.hasCounter() ? counter : integrated;
        if (duration < meter.minWindowSeconds())
            reasons.add(String.format(Locale.ROOT, "window %.3f s shorter than the %s counter can resolve (>= %.1f s)",
                    duration, meter.name(), meter.minWindowSeconds()));
        if (meter.hasCounter() && meter.hasPower() && !Double.isNaN(integrated) && counter > 0) {
            double rel = Math.abs(counter - integrated) / counter;
            if (rel > MAX_DISAGREEMENT)
                reasons.add(String.format(Locale.ROOT, "counter %.3f J and integrated power %.3f J disagree by %.1f%% (> %.0f%%)",
                        counter, integrated, rel * 100, MAX_DISAGREEMENT * 100));
        }
        if (Double.isNaN(energy)) reasons.add("no energy figure (neither counter nor power readings)");
        if (meter.estimated()) reasons.add("estimated, not measured: " + meter.basisDetail());

        String boundary = meter.boundary().label();
        String basis = meter.basisDetail();
        double idle = idlePowerW;
        if (pue > 0 && !Double.isNaN(pue)) {
            energy *= pue;
            idle *= pue;
            boundary = Boundary.FACILITY.label();
            basis = basis + String.format(Locale.ROOT, "; x PUE %.3f (facility boundary over %s)", pue, meter.boundary().label());
        }
        double aboveIdle = Double.NaN;
        if (Double.isNaN(idlePowerW)) notes.add("idle baseline not measured (figures include idle power)");
        else aboveIdle = energy - idle * duration;

        List<String> all = new ArrayList<>(reasons);
        for (String s : notes) all.add("note: " + s);
        return new EnergyMeasurement(meter.name(), meter.device(), boundary, meter.estimated(), basis,
                duration, energy, counter, integrated, idle, aboveIdle, n, reasons.isEmpty(), List.copyOf(all));
    }

    /** Trapezoidal integral of power over time, J; intervals with a missing (NaN) end are skipped. */
    public static double integrate(List<Reading> readings) {
        double e = 0;
        boolean any = false;
        for (int i = 1; i < readings.size(); i++) {
            Reading a = readings.get(i - 1), b = readings.get(i);
            if (Double.isNaN(a.powerW()) || Double.isNaN(b.powerW())) continue;
            e += 0.5 * (a.powerW() + b.powerW()) * (b.nanos() - a.nanos()) / 1e9;
            any = true;
        }
        return any ? e : Double.NaN;
    }
}
