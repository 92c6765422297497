package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.Calibration;
import dev.infercost.hardware.Catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fits the achieved efficiency {@code eta} of {@link ServingModel} to each published point of the calibration table
 * (bisection: the projected tok/s per chip at that point's model, precision, TP, ISL/OSL and operating point equals
 * the published figure), and estimates a chip's efficiency from the rows of its family: the geometric mean of the
 * family's fitted efficiencies, with the family's min and max as the low/high band. A chip whose family has no row
 * borrows the nearest family's (chip_families.csv), with the assumption stated and the band widened to the spread of
 * the whole table. One efficiency for bandwidth and FLOP/s, independent of batch: the published points are
 * max-throughput (large batch) points and one interactivity point, too few to fit a curve in batch.
 * The host CPU's efficiency never enters: only published accelerator measurements do.
 */
public final class Calibrator {
    private final Catalog cat;
    private final Calibration cal;
    private final double usable;
    private final Map<String, Double> fitted = new LinkedHashMap<>();

    /** An efficiency estimate with its band and where it came from. */
    public record Efficiency(double eta, double low, double high, String basis, boolean borrowed, List<String> ids) {
        public String describe() {
            return String.format(Locale.ROOT, "efficiency %.3f (band %.3f-%.3f) %s", eta, low, high, basis);
        }
    }

    /** One line of the validation table. */
    public record Validation(Calibration.Point point, double projected, double ratio, Efficiency efficiency) {
        public boolean withinBand() { return ratio >= 0.67 && ratio <= 1.5; }
    }

    public Calibrator(Catalog cat, Calibration cal) {
        this.cat = cat;
        this.cal = cal;
        this.usable = cat.dc("memory_usable_fraction").value();
    }

    public Calibration calibration() { return cal; }

    Accelerator chipOf(Calibration.Point p) {
        Accelerator a = cat.find(p.chip());
        if (a == null) throw new BadInputException("calibration row " + p.id() + ": chip '" + p.chip() + "' is not in the catalog");
        return a;
    }

    ServingModel.Setup setup(Calibration.Point p) {
        return new ServingModel.Setup(ModelShape.of(p.model()), Precision.of(p.weights()), Precision.of(p.kv()), p.isl(), p.osl(), usable);
    }

    /** Projected output tok/s per chip at the point's operating point with efficiency eta (NaN if not reachable). */
    public double project(Calibration.Point p, double eta) {
        Accelerator a = chipOf(p);
        ServingModel.Setup s = setup(p);
        if (Double.isNaN(p.userTarget())) return ServingModel.maxThroughput(a, s, p.tp(), eta).tokPerSChip();
        List<String> notes = new ArrayList<>();
        try {
            return new Frontier(ServingModel.asFrontier(ServingModel.sweep(a, s, eta, notes), s)).atUserSpeed(p.userTarget()).point().deviceTokPerS();
        } catch (BadInputException e) {
            return Double.NaN;
        }
    }

    /** The efficiency at which the projection reproduces the published figure (capped at 1). */
    public double fit(Calibration.Point p) {
        return fitted.computeIfAbsent(p.id(), k -> {
            double lo = 0.005, hi = 1.0, target = p.perChip();
            if (value(p, hi) <= target) return hi;
            for (int i = 0; i < 60; i++) {
                double mid = Math.sqrt(lo * hi);
                if (value(p, mid) < target) lo = mid; else hi = mid;
            }
            return Math.sqrt(lo * hi);
        });
    }

    private double value(Calibration.Point p, double eta) {
        double v = project(p, eta);
        return Double.isNaN(v) ? 0 : v;
    }

    /**
     * The efficiency for a chip (and optionally a stack), from the calibration rows other than {@code excludeId}:
     * same family and stack, else same family, else the nearest family (borrowed), else every row (borrowed).
     */
    public Efficiency estimate(String chip, String stack, String excludeId) { return estimate(chip, stack, null, excludeId); }

    /**
     * As {@link #estimate(String, String, String)}, preferring rows of the same model class ({@code moe} true/false;
     * null = either): MoE serving (grouped expert GEMMs, routing, expert parallel) reaches a lower fraction of peak
     * than dense serving on the same chip and stack. Order: family + stack + class, family + stack, family + class,
     * family, nearest family + class, nearest family, every row.
     */
    public Efficiency estimate(String chip, String stack, Boolean moe, String excludeId) {
        Calibration.Family fam = cal.family(chip);
        List<Calibration.Point> others = cal.points().stream().filter(p -> !p.id().equals(excludeId)).toList();
        String cls = moe == null ? "" : moe ? "MoE" : "dense";
        List<Calibration.Point> pool = List.of();
        String basis = "";
        boolean borrowed = false;
        record Try(String family, String stack, boolean byClass, boolean borrowed, String label) {}
        List<Try> tries = new ArrayList<>();
        if (stack != null) {
            tries.add(new Try(fam.family(), stack, true, false, fam.family() + " / " + stack + " " + cls + " rows"));
            tries.add(new Try(fam.family(), stack, false, false, fam.family() + " / " + stack + " rows"));
        }
        tries.add(new Try(fam.family(), null, true, false, fam.family() + " " + cls + " rows" + (stack == null ? "" : " (no other " + stack + " row)")));
        tries.add(new Try(fam.family(), null, false, false, fam.family() + " rows" + (stack == null ? "" : " (no other " + stack + " row)")));
        if (!fam.nearest().isEmpty()) {
            String why = fam.why().isEmpty() ? "no row for " + fam.family() : fam.why();
            tries.add(new Try(fam.nearest(), null, true, true, "ASSUMED: borrowed from " + fam.nearest() + " " + cls + " rows (" + why + ")"));
            tries.add(new Try(fam.nearest(), null, false, true, "ASSUMED: borrowed from " + fam.nearest() + " rows (" + why + ")"));
        }
        for (Try t : tries) {
            if (t.byClass() && moe == null) continue;
            pool = others.stream().filter(p -> p.family(cal).equals(t.family()) && (t.stack() == null || p.stack().equals(t.stack()))
                    && (!t.byClass() || ModelShape.of(p.model()).moe() == moe)).toList();
            if (!pool.isEmpty()) { basis = "fitted to " + t.label(); borrowed = t.borrowed(); break; }
        }
        if (pool.isEmpty()) {
            pool = others;
            borrowed = true;
            basis = "ASSUMED: no row for " + fam.family() + " or a nearest family: mean of every calibration row";
        }
        if (basis.startsWith("fitted to ASSUMED")) basis = basis.substring("fitted to ".length());
        if (pool.isEmpty()) throw new BadInputException("calibration table has no usable row for " + chip);
        double[] e = pool.stream().mapToDouble(this::fit).toArray();
        double gm = geomean(e), lo = min(e), hi = max(e);
        double[] all = others.stream().mapToDouble(this::fit).toArray();
        double gAll = geomean(all);
        if (pool.size() < 2 || borrowed) {
            lo = Math.min(lo, gm * min(all) / gAll);
            hi = Math.max(hi, gm * max(all) / gAll);
        }
        List<String> ids = pool.stream().map(Calibration.Point::id).toList();
        return new Efficiency(gm, lo, Math.min(1, hi), basis + ": " + String.join(", ", ids), borrowed, ids);
    }

    /** Leave-one-out validation of every calibration row: each projected with an efficiency fitted without it. */
    public List<Validation> validate() {
        List<Validation> out = new ArrayList<>();
        for (Calibration.Point p : cal.points()) {
            Efficiency e = estimate(p.chip(), p.stack(), ModelShape.of(p.model()).moe(), p.id());
            double v = project(p, e.eta());
            out.add(new Validation(p, v, v / p.perChip(), e));
        }
        return out;
    }

    /** The validation table as text (what {@code infercost cost --validate} prints). */
    public static String render(List<Validation> vs) {
        StringBuilder b = new StringBuilder();
        b.append("Validation: each published point projected with an efficiency fitted WITHOUT it (leave-one-out); band 0.67x-1.5x\n");
        String fmt = "%-20s %-18s %-16s %-5s %3s %9s %-15s %10s %10s %6s %6s %-4s %s%n";
        b.append(String.format(Locale.ROOT, fmt, "id", "chip", "model", "prec", "TP", "ISL/OSL", "operating point", "published", "projected", "ratio", "eta", "ok", "efficiency from; source (date)"));
        int ok = 0;
        for (Validation v : vs) {
            Calibration.Point p = v.point();
            if (v.withinBand()) ok++;
            b.append(String.format(Locale.ROOT, fmt, p.id(), ProcurementTable.trim(p.chip(), 18), p.model(), p.weights(), p.tp() == 0 ? "any" : Integer.toString(p.tp()),
                    p.isl() + "/" + p.osl(), p.operatingPoint(), String.format(Locale.ROOT, "%.0f", p.perChip()),
                    Double.isNaN(v.projected()) ? "-" : String.format(Locale.ROOT, "%.0f", v.projected()), String.format(Locale.ROOT, "%.2f", v.ratio()),
                    String.format(Locale.ROOT, "%.3f", v.efficiency().eta()), v.withinBand() ? "yes" : "NO",
                    v.efficiency().basis() + "; " + p.sourceUrl() + " (" + p.sourceDate() + ")"));
        }
        b.append(String.format(Locale.ROOT, "%d of %d points within 0.67x-1.5x (figures are output tok/s per chip)%n", ok, vs.size()));
        return b.toString();
    }

    static double geomean(double[] v) { double s = 0; for (double x : v) s += Math.log(x); return Math.exp(s / v.length); }
    static double min(double[] v) { double m = Double.POSITIVE_INFINITY; for (double x : v) m = Math.min(m, x); return m; }
    static double max(double[] v) { double m = Double.NEGATIVE_INFINITY; for (double x : v) m = Math.max(m, x); return m; }
}
