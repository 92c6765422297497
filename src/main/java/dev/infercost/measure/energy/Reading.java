package dev.infercost.measure.energy;

/**
 * One reading of an {@link EnergyMeter}.
 *
 * @param nanos   monotonic timestamp ({@link System#nanoTime()} or a test clock), ns
 * @param energyJ cumulative energy since an arbitrary origin, J (NaN when the meter has no counter)
 * @param powerW  instantaneous (or short-window average) power, W (NaN when the meter has no power reading
 *                or the reading is stale)
 */
public record Reading(long nanos, double energyJ, double powerW) {}
