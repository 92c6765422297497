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
 * Fits the achieved efficiencies of {@link ServingModel} to the published points of the calibration table and
 * estimates a chip's efficiencies from the rows of its family (or, borrowed, of the nearest family: chip_families.csv).
 * Two fractions are fitted jointly per pool of rows: {@code eta_bw} (fraction of peak memory bandwidth, applied to the
 * bandwidth-bound terms) and {@code eta_flop} (fraction of dense FLOP/s, applied to the FLOP-bound terms), by least
 * squares on the log ratio projected/published over the pool's rows, plus a weak tie {@link #TIE} x (ln eta_bw -
 * ln eta_flop)^2 so that a fraction no row of the pool informs (every row dominated by the other bound) takes the
 * other's value instead of running off. Each row is still fitted alone to one figure {@code eta} for both (bisection:
 * the projected tok/s per chip equals the published figure); the pool's geometric mean of those is the reported
 * {@code eta} and their min/max relative to it scale both fractions into the low/high band. A borrowed pool has its
 * band widened to the spread of the whole table. Efficiency does not depend on batch: the published points are
 * max-throughput (large batch) points and one interactivity point, too few to fit a curve in batch.
 * The host CPU's efficiency never enters: only published accelerator measurements do.
 */
public final class Calibrator {
    private final Catalog cat;
    private final Calibration cal;
    private final double usable;
    private final Map<String, Double> fitted = new LinkedHashMap<>();
    private final Map<List<String>, ServingModel.Eff> splits = new LinkedHashMap<>();

    /**
     * Weight of the tie between the two fractions in the joint fit (in units of one row's squared log ratio). Fixed
     * a priori, small against a row: it decides only a direction that the rows leave undetermined.
     */
    public static final double TIE = 0.05;

    /**
     * An efficiency estimate with its band and where it came from.
     *
     * @param eta   geometric mean of the pool's single-figure fits (reported; sets the band's scale)
     * @param low   band low, same scale as eta
     * @param high  band high, same scale as eta
     * @param split the jointly fitted bandwidth and FLOP/s fractions the projection uses
     */
    public record Efficiency(double eta, double low, double high, String basis, boolean borrowed, List<String> ids, ServingModel.Eff split) {
        /** The fractions at the middle of the band. */
        public ServingModel.Eff mid() { return split; }

        /** The fractions at the band's low end (both scaled by low / eta). */
        public ServingModel.Eff lowEff() { return split.scaled(low / eta); }

        /** The fractions at the band's high end (both scaled by high / eta, capped at 1). */
        public ServingModel.Eff highEff() { return split.scaled(high / eta); }

        public String describe() {
            return String.format(Locale.ROOT, "efficiency bw %.3f, flop %.3f (band x%.2f-x%.2f) %s", split.bw(), split.flop(), low / eta, high / eta, basis);
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

    /** Projected output tok/s per chip at the point's operating point with efficiency eta for both (NaN if not reachable). */
    public double project(Calibration.Point p, double eta) { return project(p, ServingModel.Eff.both(eta)); }

    /** Projected output tok/s per chip at the point's operating point with efficiencies eta (NaN if not reachable). */
    public double project(Calibration.Point p, ServingModel.Eff eta) {
        Accelerator a = chipOf(p);
        ServingModel.Setup s = setup(p);
        if (Double.isNaN(p.userTarget())) return ServingModel.maxThroughput(a, s, p.tp(), eta).tokPerSChip();
        List<String> notes = new ArrayList<>();
        try {
            Frontier f = new Frontier(ServingModel.asFrontier(ServingModel.sweep(a, s, eta, notes), s));
            // a published point slower than every swept point is not reproduced by the sweep (not "met": the fit needs its throughput)
            if (p.userTarget() < f.points().get(0).userTokPerS()) return Double.NaN;
            return f.atUserSpeed(p.userTarget()).point().deviceTokPerS();
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
        ServingModel.Eff split = split(pool);
        return new Efficiency(gm, lo, Math.min(1, hi), basis + String.format(Locale.ROOT, " (bw %.3f, flop %.3f)", split.bw(), split.flop())
                + ": " + String.join(", ", ids), borrowed, ids, split);
    }

    /**
     * The joint least-squares fit of (eta_bw, eta_flop) to the rows of a pool: minimises sum over rows of
     * ln(projected / published)^2 + TIE x (ln eta_bw - ln eta_flop)^2, over a log grid of [0.02, 1]^2 refined twice
     * around the best cell (a row not reachable at some efficiencies counts ln(1e-3)^2 there).
     */
    ServingModel.Eff split(List<Calibration.Point> pool) {
        return splits.computeIfAbsent(pool.stream().map(Calibration.Point::id).toList(), k -> {
            double lo = Math.log(0.02), hi = 0, bu = 0, bv = 0, best = Double.POSITIVE_INFINITY;
            double uLo = lo, uHi = hi, vLo = lo, vHi = hi;
            for (int round = 0; round < 3; round++) {
                int n = 24;
                double du = (uHi - uLo) / n, dv = (vHi - vLo) / n;
                for (int i = 0; i <= n; i++)
                    for (int j = 0; j <= n; j++) {
                        double u = uLo + i * du, v = vLo + j * dv;
                        double f = TIE * (u - v) * (u - v);
                        ServingModel.Eff e = new ServingModel.Eff(Math.exp(u), Math.exp(v));
                        for (Calibration.Point p : pool) {
                            double x = project(p, e);
                            double r = Double.isNaN(x) || !(x > 0) ? Math.log(1e-3) : Math.log(x / p.perChip());
                            f += r * r;
                        }
                        if (f < best) { best = f; bu = u; bv = v; }
                    }
                uLo = Math.max(lo, bu - 2 * du); uHi = Math.min(hi, bu + 2 * du);
                vLo = Math.max(lo, bv - 2 * dv); vHi = Math.min(hi, bv + 2 * dv);
            }
            return new ServingModel.Eff(Math.exp(bu), Math.exp(bv));
        });
    }

    /** Leave-one-out validation of every calibration row: each projected with an efficiency fitted without it. */
    public List<Validation> validate() {
        List<Validation> out = new ArrayList<>();
        for (Calibration.Point p : cal.points()) {
            Efficiency e = estimate(p.chip(), p.stack(), ModelShape.of(p.model()).moe(), p.id());
            double v = project(p, e.mid());
            out.add(new Validation(p, v, v / p.perChip(), e));
        }
        return out;
    }

    /** The validation table as text (what {@code infercost cost --validate} prints). */
    public static String render(List<Validation> vs) {
        StringBuilder b = new StringBuilder();
        b.append("Validation: each published point projected with an efficiency fitted WITHOUT it (leave-one-out); band 0.67x-1.5x\n");
        String fmt = "%-20s %-18s %-16s %-5s %3s %9s %-15s %10s %10s %6s %6s %6s %-4s %s%n";
        b.append(String.format(Locale.ROOT, fmt, "id", "chip", "model", "prec", "TP", "ISL/OSL", "operating point", "published", "projected", "ratio", "eta_bw", "eta_fl", "ok", "efficiency from; source (date)"));
        int ok = 0;
        for (Validation v : vs) {
            Calibration.Point p = v.point();
            if (v.withinBand()) ok++;
            b.append(String.format(Locale.ROOT, fmt, p.id(), ProcurementTable.trim(p.chip(), 18), p.model(), p.weights(), p.tp() == 0 ? "any" : Integer.toString(p.tp()),
                    p.isl() + "/" + p.osl(), p.operatingPoint(), String.format(Locale.ROOT, "%.0f", p.perChip()) + (p.countsTotalTokens() ? "*" : ""),
                    Double.isNaN(v.projected()) ? "-" : String.format(Locale.ROOT, "%.0f", v.projected()), String.format(Locale.ROOT, "%.2f", v.ratio()),
                    String.format(Locale.ROOT, "%.3f", v.efficiency().split().bw()), String.format(Locale.ROOT, "%.3f", v.efficiency().split().flop()), v.withinBand() ? "yes" : "NO",
                    v.efficiency().basis() + "; " + p.sourceUrl() + " (" + p.sourceDate() + ")"));
        }
        b.append(String.format(Locale.ROOT, "%d of %d points within 0.67x-1.5x (figures are output tok/s per chip; * published as input+output"
                + " tok/s, converted by OSL / (ISL + OSL): see the row's published_metric and notes)%n", ok, vs.size()));
        return b.toString();
    }

    static double geomean(double[] v) { double s = 0; for (double x : v) s += Math.log(x); return Math.exp(s / v.length); }
    static double min(double[] v) { double m = Double.POSITIVE_INFINITY; for (double x : v) m = Math.min(m, x); return m; }
    static double max(double[] v) { double m = Double.NEGATIVE_INFINITY; for (double x : v) m = Math.max(m, x); return m; }
}
