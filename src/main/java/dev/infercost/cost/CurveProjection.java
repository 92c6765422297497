package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Accelerator;
import dev.infercost.results.CostCurveColumn;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The projected side of the cost stage: for a named model and precision, every catalog accelerator's calibrated
 * operating-point sweep ({@link ServingModel}, efficiency from {@link Calibrator}) becomes cost_curve.csv rows and
 * two cost.csv rows per price tier: the frontier's highest-throughput point and the frontier interpolated (PCHIP,
 * never extrapolated) at the interactivity target. Each row carries a low/high band from the calibration spread.
 * A chip measured in this run (or imported) is not projected: its measurement stands.
 */
final class CurveProjection {
    private CurveProjection() {}

    /** Interactivity target used when none is given [tok/s/user]. */
    static final double DEFAULT_TARGET = 50;

    static void run(CostStage.Builder b, ModelShape shape, Map<String, Set<String>> measuredModels) {
        Precision w = Precision.of(b.o.projectDtype() == null ? "bf16" : b.o.projectDtype());
        Precision kv = w.defaultKv();
        double usable = Tco.checkFraction(b.cat.dc("memory_usable_fraction"), "memory_usable_fraction", false).value();
        ServingModel.Setup s = new ServingModel.Setup(shape, w, kv, b.profile.isl(), b.profile.osl(), usable);
        double target = b.o.targetTokPerSUser() != null ? b.o.targetTokPerSUser() : DEFAULT_TARGET;
        b.projectionTarget = target;
        b.projectionLabel = shape.name() + " " + w.label().toUpperCase(Locale.ROOT) + " (KV " + kv.label() + ")";
        Calibrator cal = b.calibrator();
        for (Accelerator chip : b.cat.chips()) {
            if (chip.name().equals(Accelerator.CPU_HOST)) continue;
            Set<String> measured = measuredModels.getOrDefault(chip.name(), Set.of());
            if (measured.stream().anyMatch(m -> CostStage.Builder.sameModel(m, shape))) {
                note(b, "not projected: " + chip.name() + " was measured in this run with " + shape.name() + " (measured replaces the projection)");
                continue;
            }
            if (!measured.isEmpty())
                note(b, chip.name() + " was measured with " + String.join(", ", measured) + ", not " + shape.name() + ": its " + shape.name() + " row is projected");
            if (chip.get("memory_bandwidth") == null || chip.get("hbm_capacity") == null) {
                note(b, "not projected: " + chip.name() + " (catalog has no memory_bandwidth or hbm_capacity" + (chip.metrics().isEmpty() ? "; price-only reference row" : "") + ")");
                continue;
            }
            try {
                chipRows(b, chip, s, cal.estimate(chip.name(), null, shape.moe(), null), target);
            } catch (BadInputException e) {
                note(b, "not projected: " + chip.name() + ": " + e.getMessage());
            }
        }
    }

    static void note(CostStage.Builder b, String n) { if (!b.notes.contains(n)) b.notes.add(n); }

    static void chipRows(CostStage.Builder b, Accelerator chip, ServingModel.Setup s, Calibrator.Efficiency e, double target) {
        List<String> why = new ArrayList<>();
        List<ServingModel.Point> mid = ServingModel.sweep(chip, s, e.mid(), why);
        String prec = s.weights().label() + "/" + s.kv().label();
        String op0 = "projected " + s.shape().name() + " " + prec;
        if (mid.isEmpty()) {
            for (String n : why) note(b, "not projected: " + n);
            b.rows.add(new CostRow(b.runId, chip.name(), chip.vendor(), chip.silicon(), "projected", "none", op0, s.shape().name(), "n/a (shape only)", null,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    b.profile.name(), b.profile.isl(), b.profile.osl(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    "infeasible: model + KV cache do not fit at TP 1-8", why.isEmpty() ? List.of("does not fit") : why.stream().map(x -> "does not fit: " + x).toList(), List.of(), List.of(),
                    new CostRow.Extra(prec, null, target, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, e.eta(), e.basis(), null), CostRow.Accuracy.NONE));
            return;
        }
        List<ServingModel.Point> lo = ServingModel.sweep(chip, s, e.lowEff(), new ArrayList<>()), hi = ServingModel.sweep(chip, s, e.highEff(), new ArrayList<>());
        Frontier fm = new Frontier(ServingModel.asFrontier(mid, s)), fl = new Frontier(ServingModel.asFrontier(lo, s)), fh = new Frontier(ServingModel.asFrontier(hi, s));
        CostStage.Builder.Power pw = b.estimatedPower(chip);
        List<CostStage.Tier> tiers = b.tiers(chip, pw.watts(), pw.basis());
        java.util.Set<String> onFrontier = new java.util.HashSet<>();
        for (Frontier.Point p : fm.points()) onFrontier.add(p.label());
        // one row per operating point and price tier, so that curves are compared within one tier
        for (CostStage.Tier tier : tiers)
            for (int i = 0; i < mid.size(); i++) {
                ServingModel.Point p = mid.get(i);
                double u = tier.usdPerHour();
                Map<CostCurveColumn, Object> r = new EnumMap<>(CostCurveColumn.class);
                r.put(CostCurveColumn.RUN_ID, b.runId); r.put(CostCurveColumn.CHIP, chip.name()); r.put(CostCurveColumn.VENDOR, chip.vendor());
                r.put(CostCurveColumn.PROVENANCE, "projected"); r.put(CostCurveColumn.MODEL, s.shape().name()); r.put(CostCurveColumn.PRECISION, prec);
                r.put(CostCurveColumn.PROFILE, b.profile.name()); r.put(CostCurveColumn.ISL, s.isl()); r.put(CostCurveColumn.OSL, s.osl());
                r.put(CostCurveColumn.TENSOR_PARALLEL, p.tp()); r.put(CostCurveColumn.BATCH_SIZE, p.batch());
                r.put(CostCurveColumn.THROUGHPUT_PER_CHIP, p.tokPerSChip()); r.put(CostCurveColumn.THROUGHPUT_PER_CHIP_LOW, lo.get(i).tokPerSChip());
                r.put(CostCurveColumn.THROUGHPUT_PER_CHIP_HIGH, hi.get(i).tokPerSChip()); r.put(CostCurveColumn.TOK_PER_S_PER_USER, p.tokPerSUser());
                r.put(CostCurveColumn.TTFT_ESTIMATE, p.ttftMs()); r.put(CostCurveColumn.TPOT_ESTIMATE, p.tpotMs()); r.put(CostCurveColumn.DECODE_BOUND, p.bound());
                r.put(CostCurveColumn.ALLREDUCE_SHARE, p.commShare()); r.put(CostCurveColumn.ON_FRONTIER, onFrontier.contains("TP" + p.tp() + " batch=" + p.batch()));
                r.put(CostCurveColumn.TIER, tier.name()); r.put(CostCurveColumn.USD_PER_HOUR, u);
                r.put(CostCurveColumn.USD_PER_M_INPUT, perM(u, p.prefillTokPerSChip(s.isl())));
                r.put(CostCurveColumn.USD_PER_M_OUTPUT, perM(u, p.decodeTokPerSChip(s.osl())));
                r.put(CostCurveColumn.USD_PER_M_OUTPUT_LOW, perM(u, hi.get(i).decodeTokPerSChip(s.osl())));
                r.put(CostCurveColumn.USD_PER_M_OUTPUT_HIGH, perM(u, lo.get(i).decodeTokPerSChip(s.osl())));
                r.put(CostCurveColumn.EFFICIENCY, e.eta()); r.put(CostCurveColumn.CALIBRATION, e.basis()); r.put(CostCurveColumn.SOURCE, "calibration.csv");
                b.curve.add(r);
            }
        List<String> a = new ArrayList<>();
        a.add("PROJECTED: " + e.describe());
        a.add("efficiency = achieved fraction of peak memory bandwidth and of dense FLOP/s, one figure for both, independent of batch (not fitted in batch)");
        a.add(s.weights().label() + " weights, " + s.kv().label() + " KV cache; usable memory " + CostStage.pct(s.usableFraction()) + " of " + chip.get("hbm_capacity").describe());
        a.add("bandwidth " + chip.get("memory_bandwidth").describe());
        String[] pk = new String[1];
        s.weights().peakFlops(chip, pk);
        a.add(pk[0]);
        if (mid.stream().anyMatch(p -> p.tp() > 1)) a.add("TP > 1: all-reduce term MODELLED from " + (chip.get("scale_up_bandwidth") == null ? "-" : chip.get("scale_up_bandwidth").describe()) + " and an assumed 10 us latency per all-reduce");
        if (s.shape().moe()) a.add("MoE " + s.shape().experts() + " experts top-" + s.shape().topK() + ": decode reads the experts the batch touches, uniform routing assumed");
        a.addAll(why);
        // (1) highest-throughput frontier point, (2) the frontier at the interactivity target
        int best = 0;
        for (int i = 1; i < mid.size(); i++) if (mid.get(i).tokPerSChip() > mid.get(best).tokPerSChip()) best = i;
        ServingModel.Point pm = mid.get(best);
        add(b, chip, tiers, pw, s, e, a, "max throughput TP" + pm.tp() + " batch=" + pm.batch(), pm.batch(), pm.tp(), Double.NaN,
                pm.prefillTokPerSChip(s.isl()), pm.decodeTokPerSChip(s.osl()), pm.tokPerSUser(), pm.ttftMs(), pm.tpotMs(),
                hi.get(best).prefillTokPerSChip(s.isl()), hi.get(best).decodeTokPerSChip(s.osl()), lo.get(best).prefillTokPerSChip(s.isl()), lo.get(best).decodeTokPerSChip(s.osl()));
        try {
            Frontier.At atT = fm.atUserSpeed(target);
            Frontier.Point t = atT.point();
            int tp = tpAt(fm, target);
            double[] h = band(fh, target), l = band(fl, target);
            List<String> a2 = new ArrayList<>(a);
            a2.add(t.userTokPerS() > target
                    ? "target " + CostStage.fmtNum(target) + " tok/s/user met by the frontier's highest-throughput point (" + CostStage.fmtNum(t.userTokPerS()) + " tok/s/user; " + atT.method() + ")"
                    : "frontier (" + fm.points().size() + " points over TP and batch) interpolated at " + CostStage.fmtNum(target) + " tok/s/user by PCHIP, never extrapolated; TP of the next faster frontier point");
            if (Double.isNaN(h[0]) || Double.isNaN(l[0])) a2.add("band incomplete: the target lies outside the low- or high-efficiency frontier");
            add(b, chip, tiers, pw, s, e, a2, "at " + CostStage.fmtNum(target) + " tok/s/user TP" + tp, null, tp, target,
                    t.inputTokPerS(), t.outputTokPerS(), t.userTokPerS(), t.ttftP99Ms(), t.tpotP99Ms(), h[0], h[1], l[0], l[1]);
        } catch (BadInputException ex) {
            note(b, "not at target: " + chip.name() + " " + s.shape().name() + " " + prec + ", profile " + b.profile.name() + " " + b.profile.isl() + "/" + b.profile.osl() + ": "
                    + ex.getMessage().replace("the measured range", "the projected frontier's range").replace("beyond measured points", "beyond the swept points"));
        }
    }

    static int tpAt(Frontier f, double target) {
        for (Frontier.Point p : f.points()) if (p.userTokPerS() >= target) return Integer.parseInt(p.label().substring(2, p.label().indexOf(' ')));
        Frontier.Point last = f.points().get(f.points().size() - 1);
        return Integer.parseInt(last.label().substring(2, last.label().indexOf(' ')));
    }

    static double[] band(Frontier f, double target) {
        try {
            Frontier.Point p = f.atUserSpeed(target).point();
            return new double[]{p.inputTokPerS(), p.outputTokPerS()};
        } catch (BadInputException e) {
            return new double[]{Double.NaN, Double.NaN};
        }
    }

    static void add(CostStage.Builder b, Accelerator chip, List<CostStage.Tier> tiers, CostStage.Builder.Power pw, ServingModel.Setup s,
                    Calibrator.Efficiency e, List<String> a, String op, Integer batch, int tp, double target, double pre, double dec, double user,
                    double ttft, double tpot, double preFast, double decFast, double preSlow, double decSlow) {
        String prec = s.weights().label() + "/" + s.kv().label();
        for (CostStage.Tier t : tiers) {
            CostRow r = b.row(chip, "projected", t, "projected " + op, s.shape().name(), "n/a (shape only)", batch, pw, pw, pre, dec, user,
                    Double.NaN, Double.NaN, "projected: calibrated sweep x " + chip.name() + " spec", a);
            double u = t.usdPerHour();
            double qLow = perQuery(u, s, preFast, decFast), qHigh = perQuery(u, s, preSlow, decSlow);
            b.rows.add(r.with(new CostRow.Extra(prec, tp, target, ttft, tpot, perM(u, decFast), perM(u, decSlow),
                    qLow, qHigh, e.eta(), e.basis(), null)));
        }
    }

    static double perM(double usdPerHour, double tokPerS) {
        return Double.isNaN(usdPerHour) || !(tokPerS > 0) ? Double.NaN : Economics.usdPerMillionTokens(usdPerHour, tokPerS);
    }

    static double perQuery(double usdPerHour, ServingModel.Setup s, double pre, double dec) {
        if (Double.isNaN(usdPerHour) || !(pre > 0) || !(dec > 0)) return Double.NaN;
        return Economics.usdPerQuery(usdPerHour, Economics.deviceSecondsPerQuery(s.isl(), s.osl(), pre, dec));
    }
}
