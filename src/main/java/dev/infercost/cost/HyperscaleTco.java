package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.CatalogValue;
import dev.infercost.hardware.PriceQuote;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Owner cost of one accelerator per owned hour on a hyperscale basis, every term from the catalog and shown, so it can
 * be set beside InferenceX's published owner $/GPU-hour (SemiAnalysis AI Cloud TCO model, tco_owner_hyperscaler rows):
 * <pre>
 *   IT capex / GPU     = (unit price + non-GPU server BOM / 8) / (1 - cluster interconnect share)
 *                        (GB200: system cost per GPU, rack included, no BOM term)
 *   capex $/h          = annuity(IT capex, cost of capital, hyperscaler server life 6 y) / 8760
 *   facility $/h       = annuity(capex_facility $/MW x IT kW, cost of capital, facility life) / 8760,  IT kW = all-in kW / PUE
 *   power $/h          = all-in kW (IT + facility, SemiAnalysis) x $/kWh
 *   other opex $/h     = other_opex_fraction x capex $/h
 * </pre>
 * Per owned hour (utilisation enters through throughput, as in InferenceX's $/M = $/GPU-hour / tok/s form).
 * PUE 1.2 (hyperscale; Epoch's figure in datacenter.csv), not the 1.56 industry average.
 */
public record HyperscaleTco(String chip, double itCapex, double capexPerHour, double facilityPerHour, double powerPerHour,
                            double otherOpexPerHour, double inferencex, List<String> terms) {

    /** ASSUMED facility life [years]: shells and electrical plant outlive servers (no figure in shared/reference). */
    public static final double FACILITY_LIFE_YEARS = 15;

    public double usdPerHour() { return capexPerHour + facilityPerHour + powerPerHour + otherOpexPerHour; }

    /** Ratio to InferenceX's owner $/GPU-hour (NaN when the catalog has none). */
    public double ratio() { return usdPerHour() / inferencex; }

    /** The GPU unit price that would make this basis equal InferenceX, the other terms unchanged. */
    public double impliedUnitPrice(Catalog cat) {
        double perDollar = capexPerHour / itCapex * (1 + cat.dc("other_opex_fraction").value());
        double need = inferencex - facilityPerHour - powerPerHour;
        double it = need / perDollar;
        double ic = cat.dc("cluster_interconnect_share").value();
        boolean system = terms.stream().anyMatch(t -> t.startsWith("system cost"));
        return it * (1 - ic) - (system ? 0 : cat.dc("non_gpu_bom", "DGX H100 non-GPU bill of materials").value() / 8);
    }

    /** @throws BadInputException when the chip lacks a price, all-in power or a parameter is missing */
    public static HyperscaleTco of(Accelerator chip, Catalog cat) {
        List<String> t = new ArrayList<>();
        CatalogValue price = chip.get("unit_price"), system = chip.get("system_cost_per_gpu");
        double gpu, bom;
        CatalogValue nonGpu = cat.dc("non_gpu_bom", "DGX H100 non-GPU bill of materials");
        if (price != null) {
            gpu = Accelerator.toSi(price);
            bom = nonGpu.value() / 8;
            t.add("unit price " + price.describe());
            t.add("non-GPU server BOM " + nonGpu.describe() + " / 8 GPUs");
        } else if (system != null) {
            gpu = Accelerator.toSi(system);
            bom = 0;
            t.add("system cost per GPU " + system.describe() + " (rack included: no BOM term)");
        } else throw new BadInputException(chip.name() + ": no unit_price or system_cost_per_gpu for the hyperscale TCO");
        CatalogValue ic = cat.dc("cluster_interconnect_share"), r = cat.dc("cost_of_capital");
        CatalogValue life = cat.dc("server_depreciation_life", "Microsoft servers & network equipment");
        CatalogValue pue = cat.dc("pue", "Epoch ChatGPT energy estimate");
        CatalogValue fac = cat.dc("capex_facility", "US DC construction avg, 19 markets (Cushman & Wakefield 2025)");
        CatalogValue kwh = cat.dc("electricity_price"), opex = cat.dc("other_opex_fraction");
        CatalogValue allIn = chip.require("all_in_power", "hyperscale TCO power and facility terms");
        double kw = Accelerator.toSi(allIn) / 1000;
        double it = (gpu + bom) / (1 - ic.value());
        double capexH = Economics.annuity(it, r.value(), life.value()) / Economics.HOURS_PER_YEAR;
        double facH = Economics.annuity(fac.value() * 1e6 / 1000 * kw / pue.value(), r.value(), FACILITY_LIFE_YEARS) / Economics.HOURS_PER_YEAR;
        double powH = kw * kwh.value();
        t.add("cluster interconnect share " + ic.describe());
        t.add("cost of capital " + r.describe() + ", server life " + life.describe());
        t.add("facility " + fac.describe() + " x IT " + CatalogValue.fmt(kw / pue.value()) + " kW (all-in " + allIn.describe() + " / PUE " + pue.describe() + "), life " + CatalogValue.fmt(FACILITY_LIFE_YEARS) + " y ASSUMED");
        t.add("power " + allIn.describe() + " x " + kwh.describe());
        t.add("other opex " + opex.describe() + " of capex");
        double ix = chip.prices().stream().filter(q -> q.tier().equals("inferencex-owner")).mapToDouble(q -> q.price().value()).findFirst().orElse(Double.NaN);
        return new HyperscaleTco(chip.name(), it, capexH, facH, powH, opex.value() * capexH, ix, t);
    }

    /** The check table for the six chips InferenceX prices, each term shown, and the named difference. */
    public static String render(Catalog cat) {
        StringBuilder b = new StringBuilder("Owner $/GPU-hour, hyperscale basis (catalog inputs) vs InferenceX owner $/GPU-hour (SemiAnalysis, 2025-08)\n");
        String fmt = "%-36s %8s %8s %8s %8s %8s %9s %6s  %s%n";
        b.append(String.format(Locale.ROOT, fmt, "chip", "capex", "facility", "power", "opex", "total", "InferenceX", "ratio", "difference"));
        for (String name : List.of("H100 SXM", "H200 SXM", "B200 (HGX 1000W)", "GB200 (per Blackwell GPU in NVL72)", "MI300X", "MI355X")) {
            Accelerator a = cat.find(name);
            try {
                HyperscaleTco h = of(a, cat);
                String diff = Math.abs(h.ratio() - 1) <= 0.10 ? "within 10%"
                        : String.format(Locale.ROOT, "unit price term: InferenceX implies $%,.0f per GPU under these terms vs catalog %s", h.impliedUnitPrice(cat), h.terms().get(0));
                b.append(String.format(Locale.ROOT, fmt, name, m(h.capexPerHour()), m(h.facilityPerHour()), m(h.powerPerHour()), m(h.otherOpexPerHour()),
                        m(h.usdPerHour()), m(h.inferencex()), String.format(Locale.ROOT, "%.2f", h.ratio()), diff));
            } catch (BadInputException e) {
                b.append(name).append(": ").append(e.getMessage()).append('\n');
            }
        }
        b.append("terms: ").append(String.join("; ", of(cat.find("H100 SXM"), cat).terms())).append('\n');
        return b.toString();
    }

    static String m(double v) { return String.format(Locale.ROOT, "%.3f", v); }
}
