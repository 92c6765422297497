package dev.infercost.revenue;

import java.util.List;

/**
 * How one evaluation departs from the scenario as written: multipliers of base inputs (1 = base) for
 * sensitivity, plus overrides the break-even solvers use. Every field changes an input of the model, which is
 * then recomputed in full ({@link RevenueModel#evaluate}); nothing is held fixed from a base run.
 *
 * @param price        provider prices (API $/M tokens and subscription $/month) [x base]; paid volume moves by
 *                     price^-elasticity when the scenario gives one
 * @param volume       all query volumes (API, subscriptions, unpaid) [x base]
 * @param costPerQuery every cost-table $ figure (what the provider buys and what the cloud spends) [x base]
 * @param takeRate     the revenue-share schedule [x base]
 * @param markup       the cloud's markup on compute [x base]
 * @param pue          facility PUE; scales the power part of each cost row [x base]
 * @param usdPerKwh    electricity price; scales the power part of each cost row [x base]
 * @param cap          the cumulative cap amount [x base]
 * @param equityStake  the cloud's equity stake [x base]
 * @param costDecline  the yearly decline in cost per token [x base]
 * @param band         cost band position: -1 = low, 0 = point, +1 = high ($/query of the cost table's band)
 * @param flatTakeRate a flat take rate for every year instead of the schedule [fraction]; NaN = schedule
 * @param capOn        false = ignore the cap
 * @param capUsd       cap amount replacing the scenario's [USD]; NaN = the scenario's (x cap)
 * @param markupAbs    markup replacing the scenario's [fraction]; NaN = the scenario's (x markup)
 */
public record Factors(double price, double volume, double costPerQuery, double takeRate, double markup,
                      double pue, double usdPerKwh, double cap, double equityStake, double costDecline, int band,
                      double flatTakeRate, boolean capOn, double capUsd, double markupAbs) {
    /** Names of the swingable inputs, in tornado order. */
    public static final List<String> INPUTS = List.of("price", "volume", "cost_per_query", "take_rate", "markup", "pue", "usd_per_kwh",
            "cap", "equity_stake", "cost_decline");

    public static final Factors BASE = new Factors(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, Double.NaN, true, Double.NaN, Double.NaN);

    /** This set of factors with input {@code name} set to {@code m} [x base]. @throws IllegalArgumentException for an unknown name */
    public Factors with(String name, double m) {
        double[] v = {price, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, cap, equityStake, costDecline};
        int i = INPUTS.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("unknown input " + name);
        v[i] = m;
        return new Factors(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], band, flatTakeRate, capOn, capUsd, markupAbs);
    }

    /** A flat take rate for every year instead of the schedule, with or without the cap. */
    public Factors withFlatTakeRate(double rate, boolean cap) {
        return new Factors(price, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, this.cap, equityStake, costDecline, band, rate, cap, capUsd, markupAbs);
    }

    /** The cap set to {@code usd} (cap on). */
    public Factors withCapUsd(double usd) {
        return new Factors(price, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, cap, equityStake, costDecline, band, flatTakeRate, true, usd, markupAbs);
    }

    /** The markup set to {@code m} [fraction]. */
    public Factors withMarkup(double m) {
        return new Factors(price, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, cap, equityStake, costDecline, band, flatTakeRate, capOn, capUsd, m);
    }

    /** Cost band position -1 (low), 0 (point), +1 (high). */
    public Factors withBand(int b) {
        return new Factors(price, volume, costPerQuery, takeRate, markup, pue, usdPerKwh, cap, equityStake, costDecline, b, flatTakeRate, capOn, capUsd, markupAbs);
    }

    /** Cost multiplier of a row whose power part is {@code powerShare}: power cost is proportional to PUE x $/kWh. */
    double energyFactor(double powerShare) { return 1 + powerShare * (pue * usdPerKwh - 1); }
}
