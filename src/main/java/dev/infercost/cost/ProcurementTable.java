package dev.infercost.cost;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The procurement view printed by {@code infercost cost}: per price tier (never mixed in one ranking), the
 * projected chips at the interactivity target for the named model and precision, then the measured rows at the chosen
 * operating point (decode batch, or a serving target), cheapest first, each headline naming model, profile and
 * operating point, with each line's provenance and price basis and the cheapest custom silicon vs the cheapest
 * Nvidia within the tier; then the chips that could not be costed and why, and every user override.
 */
final class ProcurementTable {
    private ProcurementTable() {}

    /** Tiers in the order their rankings are printed (any other tier follows). */
    static final List<String> TIER_ORDER = List.of("owner-tco", "inferencex-owner", "cloud-on-demand", "cloud-reserved", "neocloud",
            "inferencex-neocloud", "inferencex-3yr", "market-rental", "user");

    static String render(List<CostRow> all, Integer batch, QueryProfile profile, List<String> notes, Path written, String projection, double target) {
        StringBuilder b = new StringBuilder();
        if (projection != null) b.append(projected(all, profile, notes, projection, target));
        List<CostRow> measured = all.stream().filter(r -> !r.provenance().equals("projected")).toList();
        if (measured.isEmpty()) return b.toString();
        b.append(String.format("%nMeasured rows (one ranking per price tier):%n"));
        b.append(render(measured, batch, profile, notes, written));
        return b.toString();
    }

    /** One ranking per price tier of the projected rows at the interactivity target, the model named in each headline. */
    static String projected(List<CostRow> all, QueryProfile profile, List<String> notes, String projection, double target) {
        return projected(all, profile, notes, projection, target, null);
    }

    /**
     * The tier a profile's short ranking uses (as the report's headline picks it): the one pricing the most projected
     * chips at the target, ties in {@link #TIER_ORDER}; null when none.
     */
    static String widestTier(List<CostRow> all) {
        Map<String, java.util.Set<String>> chips = new LinkedHashMap<>();
        for (String t : TIER_ORDER) for (CostRow r : all) if (r.tier().equals(t) && r.operatingPoint().startsWith("projected at ") && !Double.isNaN(r.usdPerQuery()))
            chips.computeIfAbsent(t, k -> new LinkedHashSet<>()).add(r.chip());
        return chips.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size())).map(Map.Entry::getKey).orElse(null);
    }

    /**
     * A further profile's lines: its projected ranking in one tier ({@link #widestTier}) and its measured rows at the
     * table's operating point, each with $/M output and $/query.
     */
    static String otherProfile(List<CostRow> all, Integer batch, QueryProfile profile, List<String> notes, String projection, double target) {
        StringBuilder b = new StringBuilder();
        String tier = widestTier(all);
        if (projection != null && tier != null) b.append(projected(all, profile, notes.stream().filter(n -> n.contains("profile " + profile.name() + " ")).toList(), projection, target, tier));
        List<CostRow> measured = all.stream().filter(r -> !r.provenance().equals("projected") && r.priced() && !Double.isNaN(r.usdPerHour())
                && (batch == null || batch.equals(r.batchSize()))).sorted(Comparator.comparingDouble(ProcurementTable::key)).toList();
        if (!measured.isEmpty()) {
            b.append(String.format(Locale.ROOT, "Measured rows, profile %s %d/%d%s:%n", profile.name(), profile.isl(), profile.osl(), batch == null ? "" : ", decode batch " + batch));
            for (CostRow r : measured)
                b.append(String.format(Locale.ROOT, "  %-34s %-9s %-20s $/M in %s, $/M out %s, $/query %s%n", trim(r.chip(), 34), r.provenance(), r.tier(),
                        money(r.usdPerMInput()), money(r.usdPerMOutput()), money(r.usdPerQuery())));
        }
        return b.toString();
    }

    static String projected(List<CostRow> all, QueryProfile profile, List<String> notes, String projection, double target, String onlyTier) {
        StringBuilder b = new StringBuilder();
        List<CostRow> at = all.stream().filter(r -> r.operatingPoint().startsWith("projected at ") && !Double.isNaN(r.usdPerHour())).toList();
        Map<String, List<CostRow>> byTier = new LinkedHashMap<>();
        for (String t : TIER_ORDER) for (CostRow r : at) if (r.tier().equals(t)) byTier.computeIfAbsent(t, k -> new ArrayList<>()).add(r);
        for (CostRow r : at) byTier.computeIfAbsent(r.tier(), k -> new ArrayList<>()).add(r);
        if (onlyTier != null) byTier.keySet().retainAll(java.util.Set.of(onlyTier));
        String fmt = "%3s  %-34s %-7s %3s %10s %8s %9s %9s %-17s %9s %-21s %s%n";
        for (Map.Entry<String, List<CostRow>> e : byTier.entrySet()) {
            List<CostRow> rs = new ArrayList<>(new LinkedHashSet<>(e.getValue()));
            // ranked as the report's headline ranks: $/query of the profile (a query's input and output tokens together)
            rs.sort(Comparator.comparingDouble(ProcurementTable::key).thenComparing(CostRow::chip));
            b.append(String.format(Locale.ROOT, "%n%s, profile %s %d/%d, at >= %s tok/s/user: tier %s, cheapest $/query first (PROJECTED, calibrated; band low-high)%n",
                    projection, profile.name(), profile.isl(), profile.osl(), dev.infercost.hardware.CatalogValue.fmt(target), e.getKey()));
            b.append(String.format(Locale.ROOT, fmt, "#", "chip", "silicon", "TP", "tok/s/chip", "$/h", "$/M in", "$/M out", "$/M out band", "$/query", "$/query band", "efficiency from"));
            int i = 1;
            for (CostRow r : rs) {
                CostRow.Extra x = r.extra();
                b.append(String.format(Locale.ROOT, fmt, i++, trim(r.chip(), 34), r.silicon(), x.tensorParallel() == null ? "-" : x.tensorParallel(),
                        num(chipTps(r)), money(r.usdPerHour()), money(r.usdPerMInput()), money(r.usdPerMOutput()),
                        band(x.outLow(), x.outHigh()), money(r.usdPerQuery()), band(x.queryLow(), x.queryHigh()), x.calibration()));
            }
            CostRow nv = rs.stream().filter(r -> r.silicon().equals("nvidia")).findFirst().orElse(null);
            CostRow cu = rs.stream().filter(r -> r.silicon().equals("custom")).findFirst().orElse(null);
            if (nv != null && cu != null)
                b.append(String.format(Locale.ROOT, "  %s, profile %s, tier %s: cheapest custom silicon (%s, $/query %s) costs %.2fx the cheapest Nvidia (%s, $/query %s) per query%n",
                        projection, profile.name(), e.getKey(), cu.chip(), money(cu.usdPerQuery()), cu.usdPerQuery() / nv.usdPerQuery(), nv.chip(), money(nv.usdPerQuery())));
        }
        List<String> miss = notes.stream().filter(n -> n.startsWith("not projected") || (n.startsWith("not at target") && n.contains(", profile " + profile.name() + " "))).toList();
        if (!miss.isEmpty()) {
            b.append(String.format("%nNot in the %s rankings of profile %s:%n", projection, profile.name()));
            for (String n : miss) b.append("  ").append(n).append('\n');
        }
        return b.toString();
    }

    /** Output tok/s per chip of a projected row: output tokens per query / chip-seconds per query. */
    static double chipTps(CostRow r) {
        double secs = r.profileIsl() / r.prefillTokPerS() + r.profileOsl() / r.decodeTokPerS();
        return r.profileOsl() / secs;
    }

    static String render(List<CostRow> all, Integer batch, QueryProfile profile, List<String> notes, Path written) {
        StringBuilder b = new StringBuilder();
        // with a target tok/s/user, rank every chip at that service level instead of at one batch size
        boolean targetMode = all.stream().anyMatch(r -> r.operatingPoint().startsWith("decode target"));
        List<CostRow> shown = new ArrayList<>();
        for (CostRow r : all) {
            boolean servingTarget = r.operatingPoint().startsWith("serving target") || r.operatingPoint().startsWith("serving SLO");
            boolean servingPoint = batch == null && r.operatingPoint().startsWith("serving"); // no engine rows: show the sweep
            if (servingTarget || servingPoint || (targetMode ? r.operatingPoint().startsWith("decode target") : r.batchSize() != null && r.batchSize().equals(batch))) shown.add(r);
        }
        // rank only rows of one model: with --project-model, measured rows of another model get their own section
        String rankModel = shown.stream().filter(r -> r.provenance().equals("projected")).map(CostRow::model).findFirst()
                .orElse(shown.isEmpty() ? "" : shown.get(0).model());
        List<CostRow> otherModel = shown.stream().filter(r -> !r.model().equals(rankModel) && !Double.isNaN(r.usdPerHour())).toList();
        shown = new ArrayList<>(shown.stream().filter(r -> r.model().equals(rankModel)).toList());
        List<CostRow> priced = new ArrayList<>(shown.stream().filter(r -> !Double.isNaN(r.usdPerHour()) && r.priced()).toList());
        priced.sort(Comparator.comparingDouble((CostRow r) -> key(r)).thenComparing(CostRow::chip));
        String at = targetMode ? all.stream().filter(r -> r.operatingPoint().startsWith("decode target")).findFirst().get().operatingPoint().substring(7)
                : batch == null ? "serving sweep points" : "decode batch " + batch;
        String weights = shown.stream().filter(r -> r.model().equals(rankModel)).map(CostRow::weights).filter(w -> w != null && !w.isBlank()).findFirst().orElse("");
        String fmt = "%3s  %-34s %-7s %-9s %-20s %9s %10s %10s %9s %9s %11s %9s  %s%n";
        // one ranking per price tier (tiers are never mixed in one ranking), the model, weights and operating point in each headline
        Map<String, List<CostRow>> byTier = new LinkedHashMap<>();
        for (String t : TIER_ORDER) for (CostRow r : priced) if (r.tier().equals(t)) byTier.computeIfAbsent(t, k -> new ArrayList<>()).add(r);
        for (CostRow r : priced) byTier.computeIfAbsent(r.tier(), k -> new ArrayList<>()).add(r);
        if (byTier.isEmpty())
            b.append(String.format(Locale.ROOT, "Procurement table: model %s, profile %s (ISL %d / OSL %d tokens), %s: no priced row%n",
                    rankModel, profile.name(), profile.isl(), profile.osl(), at));
        for (Map.Entry<String, List<CostRow>> e : byTier.entrySet()) {
            List<CostRow> rs = new ArrayList<>(new LinkedHashSet<>(e.getValue()));
            b.append(String.format(Locale.ROOT, "Procurement table: model %s%s, profile %s (ISL %d / OSL %d tokens), %s: tier %s, cheapest $/query first%n",
                    rankModel, weights.isEmpty() ? "" : " (" + weights + " weights)", profile.name(), profile.isl(), profile.osl(), at, e.getKey()));
            b.append(String.format(Locale.ROOT, fmt, "#", "chip", "silicon", "prov", "tier", "$/h", "prefill/s", "decode/s", "$/M in", "$/M out", "$/query", "Wh/query", "basis"));
            int i = 1;
            for (CostRow r : rs)
                b.append(String.format(Locale.ROOT, fmt, i++, trim(r.chip(), 34), r.silicon(), r.provenance(),
                        trim(r.tier(), 20), money(r.usdPerHour()), num(r.prefillTokPerS()), num(r.decodeTokPerS()),
                        money(r.usdPerMInput()), money(r.usdPerMOutput()), money(r.usdPerQuery()), num(r.whPerQuery()), shortBasis(r)));
            CostRow n = rs.stream().filter(r -> r.silicon().equals("nvidia") && !Double.isNaN(r.usdPerQuery())).findFirst().orElse(null);
            CostRow c = rs.stream().filter(r -> r.silicon().equals("custom") && !Double.isNaN(r.usdPerQuery())).findFirst().orElse(null);
            if (n != null && c != null)
                b.append(String.format(Locale.ROOT, "  model %s, tier %s: cheapest custom %s $/query %s vs cheapest Nvidia %s $/query %s: %.2fx%n",
                        rankModel, e.getKey(), c.chip(), money(c.usdPerQuery()), n.chip(), money(n.usdPerQuery()), c.usdPerQuery() / n.usdPerQuery()));
            b.append('\n');
        }
        if (!otherModel.isEmpty()) {
            b.append(String.format("Measured on this machine (model %s; not ranked against the projections of %s):%n", otherModel.get(0).model(), rankModel));
            for (CostRow r : otherModel)
                b.append(String.format(Locale.ROOT, fmt, "-", trim(r.chip(), 34), r.silicon(), r.provenance(),
                        trim(r.tier(), 20), money(r.usdPerHour()), num(r.prefillTokPerS()), num(r.decodeTokPerS()),
                        money(r.usdPerMInput()), money(r.usdPerMOutput()), money(r.usdPerQuery()), num(r.whPerQuery()), shortBasis(r)));
        }
        Set<String> unpriced = new LinkedHashSet<>();
        for (CostRow r : shown) if (r.basis().startsWith("infeasible")) unpriced.add(r.chip() + ": " + lastAssumption(r));
        Set<String> pricedChips = new LinkedHashSet<>();
        for (CostRow r : priced) pricedChips.add(r.chip());
        for (CostRow r : shown)
            if (!pricedChips.contains(r.chip()) && !r.basis().startsWith("infeasible")) unpriced.add(r.chip() + ": no $/hour (no price in the catalog; add one with --catalog)"
                        + (Double.isNaN(r.decodeTokPerS()) ? "" : "; " + r.provenance() + " decode " + num(r.decodeTokPerS()) + " tok/s, prefill " + num(r.prefillTokPerS()) + " tok/s"
                        + (Double.isNaN(r.whPerQuery()) ? "" : ", " + num(r.whPerQuery()) + " Wh/query")));
        if (!unpriced.isEmpty() || notes.stream().anyMatch(n -> n.startsWith("not projected") || n.startsWith("not costed") || n.startsWith("serving target") || n.startsWith("decode target") || n.startsWith("noisy"))) {
            b.append(String.format("%nNot costed at this operating point:%n"));
            for (String u : unpriced) b.append("  ").append(u).append('\n');
            for (String n : notes) if (n.startsWith("not costed") || n.startsWith("serving target") || n.startsWith("decode target") || n.startsWith("noisy")) b.append("  ").append(n).append('\n');
        }
        List<String> caveats = notes.stream().filter(n -> n.startsWith("projections scale") || n.startsWith("profile ") || n.startsWith("encoder rows")).toList();
        if (!caveats.isEmpty()) {
            b.append(String.format("%nRead with care:%n"));
            for (String n : caveats) b.append("  - ").append(n).append('\n');
        }
        List<String> ov = notes.stream().filter(n -> n.startsWith("overridden")).toList();
        if (!ov.isEmpty()) {
            b.append(String.format("%nOverridden catalog values:%n"));
            for (String n : ov) b.append("  ").append(n).append('\n');
        }
        for (String n : notes) if (n.contains("never overwritten") || n.contains("without a complete price")) b.append('\n').append(n);
        b.append('\n');
        b.append(String.format("%nprov: measured = this run's device and model (or measured (imported) from the named file); projected = calibrated sweep of the chip's%n"
                + "spec sheet with an efficiency fitted to published measurements (calibration.csv; band from their spread), never a measurement and never this host's MBU.%n"
                + "Prices: owner-tco = infercost TCO from catalog capex/power/opex; other tiers are published quotes (provider, date in cost.csv);%n"
                + "[assumed]/[LOW CONFIDENCE]/[RANGE] flags follow the catalog. Wh/query at facility boundary (x server factor x PUE). All assumptions per row: %s%n", written));
        return b.toString();
    }

    static double key(CostRow r) { return Double.isNaN(r.usdPerQuery()) ? 1e9 + r.usdPerMOutput() : r.usdPerQuery(); }

    static String lastAssumption(CostRow r) {
        for (String a : r.assumptions()) if (a.startsWith("does not fit")) return a;
        return r.basis();
    }

    static String shortBasis(CostRow r) {
        String b = r.basis();
        int i = b.indexOf("; price ");
        String price = i >= 0 ? b.substring(i + 8) : "";
        String what = r.provenance().equals("measured") ? (r.operatingPoint().startsWith("serving") ? r.operatingPoint() : "engine_bench") : "MBU/MFU x spec";
        if (r.tier().equals("owner-tco"))
            price = String.format(Locale.ROOT, "owner TCO = capex %s + power %s (%s) + other opex %s $/h", money(r.capexPerHour()), money(r.powerCostPerHour()),
                    r.powerBasis().startsWith("estimated") ? "TDP-based" : r.powerBasis(), money(r.otherOpexPerHour()));
        return what + "; " + price;
    }

    static String trim(String s, int n) { return s.length() <= n ? s : s.substring(0, n - 1) + "~"; }

    /** "lo .. hi", or "n/a" when either end is missing (never a bare dash that reads like a minus sign). */
    static String band(double lo, double hi) {
        return Double.isNaN(lo) || Double.isNaN(hi) ? "n/a" : money(lo) + " .. " + money(hi);
    }

    static String money(double v) {
        if (Double.isNaN(v)) return "-";
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 1) return String.format(Locale.ROOT, "%.3f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String num(double v) {
        if (Double.isNaN(v)) return "-";
        if (v >= 1000) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
