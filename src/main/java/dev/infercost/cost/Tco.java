package dev.infercost.cost;

import dev.infercost.hardware.CatalogValue;

import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.Accelerator;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * Owner TCO of one accelerator per utilised hour, each term shown:
 * <pre>
 *   capex           = per-accelerator server cost / (1 - interconnect share)
 *                     where server cost = unit_price x server_cost_multiplier  (Epoch AI, training-cost-trends),
 *                     or server_cost_per_gpu / system_cost_per_gpu where no unit price is published (GB200)
 *   capex/hour      = annuity(capex, cost_of_capital, life) / (8760 x utilisation)
 *   power/hour      = W x chip_to_server_power x PUE x $/kWh / 1000
 *   other opex/hour = other_opex_fraction x annuity / (8760 x utilisation)
 *   $/hour          = capex/hour + power/hour + other opex/hour
 * </pre>
 * Power is the draw while serving (measured watts where the run measured them, else TDP x power_draw_fraction,
 * labelled); idle hours are not charged power.
 *
 * @param capex            USD per accelerator incl. server and network share
 * @param annuityPerYear   USD/year
 * @param utilisedHours    hours/year the accelerator serves
 * @param capexPerHour     USD per utilised hour
 * @param powerCostPerHour USD per utilised hour
 * @param otherOpexPerHour USD per utilised hour
 * @param assumptions      each input with its provenance
 * @param sources          source URLs
 * @param overridden       names of user-overridden inputs
 */
public record Tco(double capex, double annuityPerYear, double utilisedHours, double capexPerHour, double powerCostPerHour,
                  double otherOpexPerHour, List<String> assumptions, List<String> sources, List<String> overridden) {

    public double usdPerHour() { return capexPerHour + powerCostPerHour + otherOpexPerHour; }

    /**
     * Pure arithmetic form (for hand checks): all inputs explicit.
     *
     * @throws BadInputException for negative price, utilisation outside (0,1], life &lt;= 0, PUE &lt; 1, negative power
     */
    public static Tco compute(double serverCapexPerAccel, double interconnectShare, double costOfCapital, double lifeYears,
                              double utilisation, double watts, double serverPowerFactor, double pue, double usdPerKwh,
                              double otherOpexFraction) {
        if (!(serverCapexPerAccel >= 0)) throw new BadInputException("capex " + serverCapexPerAccel + " USD: expected a non-negative price");
        if (!(interconnectShare >= 0 && interconnectShare < 1)) throw new BadInputException("cluster_interconnect_share=" + interconnectShare + ": expected a fraction in [0, 1)");
        if (!(lifeYears > 0)) throw new BadInputException("server_depreciation_life=" + lifeYears + " years: expected > 0");
        if (!(utilisation > 0 && utilisation <= 1)) throw new BadInputException("gpu_utilisation=" + utilisation + ": expected a fraction in (0, 1]");
        if (!(pue >= 1)) throw new BadInputException("pue=" + pue + ": expected >= 1");
        if (!(usdPerKwh >= 0)) throw new BadInputException("electricity_price=" + usdPerKwh + " USD/kWh: expected a non-negative price");
        if (!(watts >= 0)) throw new BadInputException("power=" + watts + " W: expected >= 0");
        if (!(otherOpexFraction >= 0)) throw new BadInputException("other_opex_fraction=" + otherOpexFraction + ": expected >= 0");
        double capex = serverCapexPerAccel / (1 - interconnectShare);
        double annuity = Economics.annuity(capex, costOfCapital, lifeYears);
        double hours = Economics.HOURS_PER_YEAR * utilisation;
        double power = watts / 1000.0 * serverPowerFactor * pue * usdPerKwh;
        return new Tco(capex, annuity, hours, annuity / hours, power, otherOpexFraction * annuity / hours, List.of(), List.of(), List.of());
    }

    /**
     * TCO of a catalog chip with the catalog's data-centre parameters.
     *
     * @param watts      power while serving (device boundary)
     * @param powerBasis how {@code watts} was obtained (measured ..., estimated TDP x fraction)
     * @param serverPowerFactor node W per device W (chip_to_server_power for accelerators; 1 for the host)
     * @throws BadInputException when the chip has no price figure (unit_price / server_cost_per_gpu /
     *                           system_cost_per_gpu) or a parameter is invalid (naming field and row)
     */
    public static Tco forChip(Accelerator chip, Catalog cat, double watts, String powerBasis, double serverPowerFactor) {
        List<String> a = new ArrayList<>(), s = new ArrayList<>(), o = new ArrayList<>();
        // One basis for every chip with a published unit price (unit price x Epoch's server-cost multiplier), so
        // chips compare like for like; a chip-specific server/system cost per GPU only where no unit price exists.
        CatalogValue price = chip.get("unit_price");
        double serverCost;
        if (price != null) {
            CatalogValue mult = cat.dc("server_cost_multiplier");
            serverCost = Accelerator.toSi(price) * mult.value();
            note(a, s, o, "unit price", price);
            note(a, s, o, "server_cost_multiplier", mult);
            CatalogValue server = chip.get("server_cost_per_gpu");
            if (server != null) a.add("cross-check: published server cost per accelerator " + server.describe() + " (not used, for a like-for-like basis)");
        } else {
            CatalogValue server = chip.get("server_cost_per_gpu");
            if (server == null) server = chip.get("system_cost_per_gpu");
            if (server == null) chip.require("unit_price", "owner TCO (no unit_price, server_cost_per_gpu or system_cost_per_gpu)");
            serverCost = Accelerator.toSi(server);
            note(a, s, o, "server cost per accelerator (no unit price published)", server);
        }
        CatalogValue ic = checkFraction(cat.dc("cluster_interconnect_share"), "cluster_interconnect_share", true);
        CatalogValue r = cat.dc("cost_of_capital");
        CatalogValue life = cat.dc("server_depreciation_life");
        CatalogValue u = checkFraction(cat.dc("gpu_utilisation"), "gpu_utilisation", false);
        CatalogValue pue = cat.dc("pue");
        CatalogValue kwh = cat.dc("electricity_price");
        CatalogValue opex = cat.dc("other_opex_fraction");
        if (!(life.value() > 0)) throw new BadInputException("server_depreciation_life=" + life.raw() + " (" + life.origin() + "): expected > 0 years");
        if (kwh.value() < 0) throw new BadInputException("electricity_price=" + kwh.raw() + " (" + kwh.origin() + "): expected a non-negative price");
        if (pue.value() < 1) throw new BadInputException("pue=" + pue.raw() + " (" + pue.origin() + "): expected >= 1");
        for (var e : List.of(java.util.Map.entry("cluster_interconnect_share", ic), java.util.Map.entry("cost_of_capital", r),
                java.util.Map.entry("server_depreciation_life", life), java.util.Map.entry("gpu_utilisation", u),
                java.util.Map.entry("pue", pue), java.util.Map.entry("electricity_price", kwh), java.util.Map.entry("other_opex_fraction", opex)))
            note(a, s, o, e.getKey(), e.getValue());
        a.add("power " + CatalogValue.fmt(watts) + " W (" + powerBasis + ") x server factor " + CatalogValue.fmt(serverPowerFactor));
        Tco t = compute(serverCost, ic.value(), r.value(), life.value(), u.value(), watts, serverPowerFactor, pue.value(), kwh.value(), opex.value());
        return new Tco(t.capex, t.annuityPerYear, t.utilisedHours, t.capexPerHour, t.powerCostPerHour, t.otherOpexPerHour, a, s, o);
    }

    static CatalogValue checkFraction(CatalogValue v, String field, boolean zeroAllowed) {
        boolean ok = zeroAllowed ? v.value() >= 0 && v.value() < 1 : v.value() > 0 && v.value() <= 1;
        if (!ok) throw new BadInputException(field + "=" + v.raw() + " (" + v.origin() + "): expected a fraction in " + (zeroAllowed ? "[0, 1)" : "(0, 1]"));
        return v;
    }

    static void note(List<String> a, List<String> s, List<String> o, String what, CatalogValue v) {
        a.add(what + " = " + v.describe());
        if (!v.sourceUrl().isEmpty()) s.add(v.sourceUrl());
        if (v.overridden()) o.add(what);
    }
}
