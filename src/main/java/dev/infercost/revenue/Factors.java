package dev.infercost.revenue;

import java.util.List;

/**
 * Multipliers applied to the base scenario (1 = base) for sensitivity analysis, plus an optional flat take
 * rate that replaces the schedule (NaN = use the schedule) and a switch for the cumulative cap.
 *
 * @param price        provider prices (API $/M tokens and subscription $/month) [x base]
 * @param volume       all query volumes (API, subscriptions, unpaid) and hence revenue [x base]
 * @param costPerQuery every cost-table $ figure (what the provider buys and what the cloud spends) [x base]
 * @param takeRate     the revenue-share schedule [x base]
 * @param markup       the cloud's markup on compute [x base]
 * @param pue          facility PUE; scales the power part of each cost row [x base]
 * @param usdPerKwh    electricity price; scales the power part of each cost row [x base]
 */
public record Factors(double price, double volume, double costPerQuery, double takeRate, double markup,
                      double pue, double usdPerKwh, double flatTakeRate, boolean capOn) {
    /** Names of the swingable inputs, in tornado order. */
    public static final List<String> INPUTS = List.of("price", "volume", "cost_per_query", "take_rate", "markup", "pue", "usd_per_kwh");

    public static final Factors BASE = new Factors(1, 1, 1, 1, 1, 1, 1, Double.NaN, true);

    /** This set of factors with input {@code name} set to {@code m}. */
    public Factors with(String name, double m) {
        return switch (name) {
            case "price" -> new Factors(m, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, flatTakeRate, capOn);
            case "volume" -> new Factors(price, m, costPerQuery, takeRate, markup, pue, usdPerKwh, flatTakeRate, capOn);
            case "cost_per_query" -> new Factors(price, volume, m, takeRate, markup, pue, usdPerKwh, flatTakeRate, capOn);
            case "take_rate" -> new Factors(price, volume, costPerQuery, m, markup, pue, usdPerKwh, flatTakeRate, capOn);
            case "markup" -> new Factors(price, volume, costPerQuery, takeRate, m, pue, usdPerKwh, flatTakeRate, capOn);
            case "pue" -> new Factors(price, volume, costPerQuery, takeRate, markup, m, usdPerKwh, flatTakeRate, capOn);
            case "usd_per_kwh" -> new Factors(price, volume, costPerQuery, takeRate, markup, pue, m, flatTakeRate, capOn);
            default -> throw new IllegalArgumentException("unknown input " + name);
        };
    }

    /** A flat take rate for every year instead of the schedule. */
    public Factors withFlatTakeRate(double rate, boolean cap) {
        return new Factors(price, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, rate, cap);
    }

    /** Cost multiplier of a row whose power part is {@code powerShare}: power cost is proportional to PUE x $/kWh. */
    double energyFactor(double powerShare) { return 1 + powerShare * (pue * usdPerKwh - 1); }
}
