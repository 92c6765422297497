package dev.infercost.revenue;

import dev.infercost.results.CsvTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything the revenue stage computed for one scenario: per-year P&L of both parties, break-even take
 * rates, the margin vs take-rate curve, the custom-silicon gain, the tornado and the Monte Carlo
 * percentiles, and the provenance of every input. Tables carry units in their headers.
 */
public final class RevenueResult {
    /** One cited input: where a number came from. */
    public record Input(String name, double value, String unit, String confidence, String source, String date, String note) { }

    public static final String REVENUE_CSV = "revenue.csv";
    public static final String SENSITIVITY_CSV = "sensitivity.csv";
    public static final String CURVE_CSV = "take_rate_curve.csv";
    public static final String INPUTS_CSV = "revenue_inputs.csv";
    public static final String SUMMARY_CSV = "revenue_summary.csv";

    private final RevenueModel model;
    private final RevenueModel.Outcome base;
    private final double breakEvenUncapped, breakEvenCapped;
    private final List<Sensitivity.Swing> tornado;
    private final Sensitivity.MonteCarlo monteCarlo;
    private final List<Input> inputs;
    private final double[][] curve;

    RevenueResult(RevenueModel model, long seed, int samples) {
        this.model = model;
        this.base = model.evaluate(Factors.BASE);
        this.breakEvenUncapped = model.breakEvenTakeRateUncapped(Factors.BASE);
        this.breakEvenCapped = model.breakEvenTakeRateCapped(Factors.BASE);
        this.tornado = Sensitivity.tornado(model);
        this.monteCarlo = Sensitivity.monteCarlo(model, seed, samples);
        this.inputs = collectInputs(model);
        int steps = 51;
        curve = new double[steps][];
        for (int i = 0; i < steps; i++) {
            double t = i * 0.01;
            RevenueModel.Outcome un = model.evaluate(Factors.BASE.withFlatTakeRate(t, false));
            RevenueModel.Outcome ca = model.evaluate(Factors.BASE.withFlatTakeRate(t, true));
            curve[i] = new double[]{t, un.providerMargin(), ca.providerMargin(), un.cloudMargin(), ca.cloudMargin()};
        }
    }

    public RevenueModel model() { return model; }
    public RevenueModel.Outcome base() { return base; }
    public double breakEvenTakeRateUncapped() { return breakEvenUncapped; }
    public double breakEvenTakeRateCapped() { return breakEvenCapped; }
    public List<Sensitivity.Swing> tornado() { return tornado; }
    public Sensitivity.MonteCarlo monteCarlo() { return monteCarlo; }
    public List<Input> inputs() { return inputs; }
    /** Rows {take rate, provider margin uncapped, provider margin capped, cloud margin uncapped, cloud margin capped}. */
    public double[][] takeRateCurve() { return curve; }

    /** Cloud's saving over the horizon if all volume ran on the custom chip instead of the Nvidia chip [USD]. */
    public double customSiliconGainAll() { return base.sum(RevenueModel.Year::customSavingAll); }
    /** Cloud's saving over the horizon at the scenario's custom_share schedule vs all-Nvidia [USD]. */
    public double customSiliconGainRealised() { return base.sum(RevenueModel.Year::customSavingRealised); }

    private static List<Input> collectInputs(RevenueModel m) {
        Scenario s = m.scenario;
        List<Input> out = new ArrayList<>();
        java.util.function.BiConsumer<String, Quantity> add = (name, q) -> {
            if (q != null) out.add(new Input(name, q.value, q.unit, q.confidence, q.source, q.date, q.note));
        };
        java.util.function.BiConsumer<String, List<Quantity>> addList = (name, list) -> {
            if (list == null) return;
            for (int i = 0; i < list.size(); i++)
                add.accept(name + (list.size() == 1 ? "" : "[" + s.years.get(i) + "]"), list.get(i));
        };
        addList.accept("provider.revenue_usd", s.provider.revenue_usd);
        addList.accept("provider.api_queries_per_year", s.provider.api_queries_per_year);
        addList.accept("provider.unpaid_queries_per_year", s.provider.unpaid_queries_per_year);
        add.accept("provider.usd_per_m_input", s.provider.usd_per_m_input);
        add.accept("provider.usd_per_m_output", s.provider.usd_per_m_output);
        for (Scenario.Subscription sub : s.provider.subscriptions) {
            add.accept("subscription " + sub.name + ".usd_per_month", sub.usd_per_month);
            addList.accept("subscription " + sub.name + ".subscribers", sub.subscribers);
            add.accept("subscription " + sub.name + ".queries_per_subscriber_per_month", sub.queries_per_subscriber_per_month);
        }
        for (Scenario.MixEntry e : s.provider.query_mix) add.accept("query_mix." + e.profile, e.share);
        addList.accept("revenue_share.rate", s.revenue_share.rate);
        if (s.revenue_share.cap != null) {
            add.accept("revenue_share.cap.amount_usd", s.revenue_share.cap.amount_usd);
            add.accept("revenue_share.cap.paid_before_usd", s.revenue_share.cap.paid_before_usd);
        }
        add.accept("compute.markup", s.compute.markup);
        add.accept("compute.cost_scale", s.compute.cost_scale);
        add.accept("compute.calibrate_compute_margin", s.compute.calibrate_compute_margin);
        out.add(new Input("compute.cost_scale (used)", m.costScale(), "x", s.compute.cost_scale == null && s.compute.calibrate_compute_margin == null ? "assumed" : "derived",
                "", "", m.costScaleBasis()));
        addList.accept("cloud.custom_share", s.cloud.custom_share);
        for (CostTable.Row r : m.usedRows())
            out.add(new Input("cost " + r.label(), r.usdPerQuery(), "USD/query (costed model, before cost_scale)", r.provenance(),
                    r.sources(), "", "in " + r.usdPerMInput() + " / out " + r.usdPerMOutput() + " $/M tok; isl " + (long) r.isl()
                    + ", osl " + (long) r.osl() + "; " + r.basis() + "; table: " + m.costs.origin()));
        for (Object[] rg : Sensitivity.ranges(s)) {
            Scenario.Swing w = s.sensitivity == null ? null : s.sensitivity.swings.get((String) rg[0]);
            out.add(new Input("sensitivity." + rg[0], Double.NaN, "x base " + rg[1] + " .. " + rg[2],
                    w == null || w.confidence == null ? "assumed" : w.confidence, w == null || w.source == null ? "" : w.source,
                    w == null || w.date == null ? "" : w.date, (String) rg[3]));
        }
        return out;
    }

    /** revenue.csv: one row per year and party, plus totals. Money in USD. */
    public CsvTable revenueTable() {
        CsvTable t = new CsvTable("scenario", "year", "party", "queries [query]", "paid_queries [query]", "revenue [$]",
                "take_rate", "revenue_share_due [$]", "revenue_share [$]", "cap_binds", "cap_remaining [$]",
                "compute [$]", "cost_of_serving [$]", "custom_silicon_share", "custom_silicon_gain [$]", "profit [$]", "margin", "basis");
        String name = model.scenario.name == null ? "scenario" : model.scenario.name;
        for (RevenueModel.Year y : base.years()) {
            double capLeft = Double.isInfinite(y.capRemaining()) ? Double.NaN : y.capRemaining();
            t.add(name, String.valueOf(y.year()), "provider", y.queries(), y.paidQueries(), y.providerRevenue(), y.takeRate(), y.shareDue(),
                    y.sharePaid(), y.capBinds(), capLeft, y.computeBought(), null, null, null, y.providerProfit(), y.providerMargin(),
                    "revenue share paid; compute bought");
            t.add(name, String.valueOf(y.year()), "cloud", y.queries(), y.paidQueries(), y.cloudRevenue(), y.takeRate(), y.shareDue(),
                    y.sharePaid(), y.capBinds(), capLeft, y.computeBought(), y.servingCost(), y.customShare(), y.customSavingRealised(),
                    y.cloudProfit(), y.cloudMargin(), "revenue share received; compute sold; cost of serving on own silicon");
        }
        t.add(name, "total", "provider", base.sum(RevenueModel.Year::queries), base.sum(RevenueModel.Year::paidQueries), base.providerRevenue(),
                base.sum(RevenueModel.Year::sharePaid) / base.providerRevenue(), base.sum(RevenueModel.Year::shareDue),
                base.sum(RevenueModel.Year::sharePaid), null, null, base.sum(RevenueModel.Year::computeBought), null, null, null,
                base.providerProfit(), base.providerMargin(), "horizon total; take_rate = effective (paid / revenue)");
        t.add(name, "total", "cloud", base.sum(RevenueModel.Year::queries), base.sum(RevenueModel.Year::paidQueries), base.cloudRevenue(),
                base.sum(RevenueModel.Year::sharePaid) / base.providerRevenue(), base.sum(RevenueModel.Year::shareDue),
                base.sum(RevenueModel.Year::sharePaid), null, null, base.sum(RevenueModel.Year::computeBought),
                base.sum(RevenueModel.Year::servingCost), null, customSiliconGainRealised(), base.cloudProfit(), base.cloudMargin(),
                "horizon total");
        return t;
    }

    /** sensitivity.csv: tornado rows (low/high per input) and Monte Carlo percentile rows. */
    public CsvTable sensitivityTable() {
        CsvTable t = new CsvTable("method", "input", "setting", "multiplier [x base]", "provider_margin", "cloud_margin",
                "provider_margin_change [pp]", "cloud_margin_change [pp]", "provider_profit [$]", "cloud_profit [$]", "basis");
        double pm = base.providerMargin(), cm = base.cloudMargin();
        for (Sensitivity.Swing s : tornado) {
            t.add("one-at-a-time", s.input(), "low", s.low(), s.providerMarginLow(), s.cloudMarginLow(), pp(s.providerMarginLow() - pm),
                    pp(s.cloudMarginLow() - cm), s.providerProfitLow(), s.cloudProfitLow(), s.basis());
            t.add("one-at-a-time", s.input(), "high", s.high(), s.providerMarginHigh(), s.cloudMarginHigh(), pp(s.providerMarginHigh() - pm),
                    pp(s.cloudMarginHigh() - cm), s.providerProfitHigh(), s.cloudProfitHigh(), s.basis());
        }
        Sensitivity.MonteCarlo mc = monteCarlo;
        for (int i = 0; i < mc.percentiles().length; i++)
            t.add("monte-carlo", "all (triangular low,1,high)", "p" + (int) mc.percentiles()[i], null, mc.providerMargin()[i], mc.cloudMargin()[i],
                    pp(mc.providerMargin()[i] - pm), pp(mc.cloudMargin()[i] - cm), mc.providerProfit()[i], mc.cloudProfit()[i],
                    "seed " + mc.seed() + ", " + mc.samples() + " samples; each metric's own percentile");
        return t;
    }

    /** revenue_summary.csv: the key figures a decision-maker reads first (horizon totals, break-even, silicon gain, Monte Carlo). */
    public CsvTable summaryCsv() {
        CsvTable t = new CsvTable("metric", "value", "unit", "note");
        Scenario s = model.scenario;
        String h = s.years.get(0) + "-" + s.years.get(s.years.size() - 1);
        t.add("provider revenue", base.providerRevenue(), "$", h);
        t.add("provider profit", base.providerProfit(), "$", "after revenue share and inference compute only");
        t.add("provider margin", base.providerMargin(), "fraction", "");
        t.add("cloud revenue", base.cloudRevenue(), "$", "revenue share received + compute sold");
        t.add("cloud profit", base.cloudProfit(), "$", "minus cost of serving on its own silicon");
        t.add("cloud margin", base.cloudMargin(), "fraction", "");
        t.add("revenue share due (no cap)", base.sum(RevenueModel.Year::shareDue), "$", "scheduled take rate x revenue");
        t.add("revenue share paid", base.sum(RevenueModel.Year::sharePaid), "$", model.hasCap() ? "after the cumulative cap" : "no cap");
        t.add("break-even take rate (no cap)", breakEvenUncapped, "fraction", "flat rate at which the provider's horizon profit is 0: sum(R - C) / sum(R)");
        t.add("break-even take rate (with cap)", model.hasCap() ? breakEvenCapped : Double.NaN, "fraction",
                !model.hasCap() ? "no cap" : Double.isNaN(breakEvenCapped) ? "none in 0..1: the cap binds before the provider's profit reaches 0" : "");
        t.add("custom silicon gain (schedule)", customSiliconGainRealised(), "$", "cloud saving at custom_share vs all on " + s.cloud.nvidia.chip);
        t.add("custom silicon gain (all volume)", customSiliconGainAll(), "$", "if every query ran on " + s.cloud.custom.chip + " instead of " + s.cloud.nvidia.chip);
        t.add("provider compute price", model.providerComputePerQuery(), "$/query", s.compute.chip + " / " + s.compute.tier + " + markup, x cost_scale");
        t.add("cloud cost per query (" + s.cloud.nvidia.chip + ")", model.nvidiaCostPerQuery(), "$/query", "x cost_scale");
        t.add("cloud cost per query (" + s.cloud.custom.chip + ")", model.customCostPerQuery(), "$/query", "x cost_scale");
        t.add("cost_scale", model.costScale(), "x", model.costScaleBasis());
        Sensitivity.MonteCarlo mc = monteCarlo;
        String mcNote = "Monte Carlo, seed " + mc.seed() + ", " + mc.samples() + " samples";
        for (int i : new int[]{0, 2, 4}) {
            String p = "p" + (int) mc.percentiles()[i];
            t.add("provider margin " + p, mc.providerMargin()[i], "fraction", mcNote);
            t.add("cloud margin " + p, mc.cloudMargin()[i], "fraction", mcNote);
        }
        t.add("probability of a provider loss", mc.providerLossProbability(), "fraction", "Monte Carlo");
        t.add("cost table", model.costs.origin(), "", model.costs.isBundledDefault() ? "illustrative, not measured" : "");
        return t;
    }

    /** take_rate_curve.csv: horizon margins of both parties vs a flat take rate, with and without the cap. */
    public CsvTable curveTable() {
        CsvTable t = new CsvTable("take_rate", "provider_margin_uncapped", "provider_margin_capped", "cloud_margin_uncapped", "cloud_margin_capped");
        for (double[] r : curve) t.add(r[0], r[1], r[2], r[3], r[4]);
        return t;
    }

    /** revenue_inputs.csv: every input with its source and confidence. */
    public CsvTable inputsTable() {
        CsvTable t = new CsvTable("input", "value", "unit", "confidence", "source", "source_date", "note");
        for (Input i : inputs) t.add(i.name(), i.value(), i.unit(), i.confidence(), i.source(), i.date(), i.note());
        return t;
    }

    /** "49.52% without cap; none in 0..100% with the cap (...)" or why there is none. */
    public String breakEvenText() {
        String un;
        if (breakEvenUncapped < 0) un = "none: the provider loses money even at a 0% take rate (compute alone exceeds revenue)";
        else if (breakEvenUncapped > 1) un = "none: the provider stays profitable even at a 100% take rate";
        else un = String.format(Locale.ROOT, "%.2f%% without cap", 100 * breakEvenUncapped);
        if (!model.hasCap() || breakEvenUncapped < 0) return un;
        return un + "; " + (Double.isNaN(breakEvenCapped) ? "none in 0..100% with the cap (the cap binds before the provider's profit reaches 0)"
                : String.format(Locale.ROOT, "%.2f%% with the cap", 100 * breakEvenCapped));
    }

    /** The plain-text summary the CLI prints. */
    public String summaryTable() {
        StringBuilder b = new StringBuilder();
        Scenario s = model.scenario;
        b.append("Revenue share: ").append(s.name).append(" (").append(s.provider.name).append(" -> ").append(s.cloud.name).append(")\n");
        b.append("cost table: ").append(model.costs.origin()).append('\n');
        b.append(String.format(Locale.ROOT, "compute: provider buys %s / %s at +%.0f%% markup = $%.5f/query; cloud serves on %s $%.5f/query, %s $%.5f/query (cost_scale %.3g: %s)%n",
                s.compute.chip, s.compute.tier, 100 * model.markup, model.providerComputePerQuery(), s.cloud.nvidia.chip,
                model.nvidiaCostPerQuery(), s.cloud.custom.chip, model.customCostPerQuery(), model.costScale(), model.costScaleBasis()));
        b.append(String.format(Locale.ROOT, "%-6s %9s %10s %6s %9s %9s %10s %10s %7s %9s %9s%n", "year", "queries", "prov.rev", "take",
                "share", "cap left", "compute", "serving", "custom", "prov.mgn", "cloud.mgn"));
        for (RevenueModel.Year y : base.years())
            b.append(String.format(Locale.ROOT, "%-6d %9s %10s %5.1f%% %9s %9s %10s %10s %6.0f%% %8.1f%% %8.1f%%%n", y.year(), count(y.queries()),
                    usd(y.providerRevenue()), 100 * y.takeRate(), usd(y.sharePaid()) + (y.capBinds() ? "*" : ""),
                    Double.isInfinite(y.capRemaining()) ? "-" : usd(y.capRemaining()), usd(y.computeBought()), usd(y.servingCost()),
                    100 * y.customShare(), 100 * y.providerMargin(), 100 * y.cloudMargin()));
        b.append(String.format(Locale.ROOT, "%-6s %9s %10s %5.1f%% %9s %9s %10s %10s %7s %8.1f%% %8.1f%%%n", "total", count(base.sum(RevenueModel.Year::queries)),
                usd(base.providerRevenue()), 100 * base.sum(RevenueModel.Year::sharePaid) / base.providerRevenue(), usd(base.sum(RevenueModel.Year::sharePaid)),
                "", usd(base.sum(RevenueModel.Year::computeBought)), usd(base.sum(RevenueModel.Year::servingCost)), "",
                100 * base.providerMargin(), 100 * base.cloudMargin()));
        b.append("  (* = cumulative cap binds; provider margin = after revenue share and inference compute only)\n");
        b.append(String.format(Locale.ROOT, "profit over horizon: provider %s, cloud %s%n", usd(base.providerProfit()), usd(base.cloudProfit())));
        b.append("break-even flat take rate for the provider: ").append(breakEvenText()).append('\n');
        b.append(String.format(Locale.ROOT, "custom silicon gain for the cloud: %s at the custom_share schedule; %s if all volume ran on %s instead of %s%n",
                usd(customSiliconGainRealised()), usd(customSiliconGainAll()), s.cloud.custom.chip, s.cloud.nvidia.chip));
        b.append("sensitivity (one at a time; horizon margin change in percentage points at low / high):\n");
        for (Sensitivity.Swing w : tornado)
            b.append(String.format(Locale.ROOT, "  %-15s x%.2f / x%.2f   provider %+6.1f / %+6.1f pp   cloud %+6.1f / %+6.1f pp   [%s]%n", w.input(), w.low(), w.high(),
                    100 * (w.providerMarginLow() - base.providerMargin()), 100 * (w.providerMarginHigh() - base.providerMargin()),
                    100 * (w.cloudMarginLow() - base.cloudMargin()), 100 * (w.cloudMarginHigh() - base.cloudMargin()), shorten(w.basis(), 60)));
        Sensitivity.MonteCarlo mc = monteCarlo;
        b.append(String.format(Locale.ROOT, "monte carlo (seed %d, %d samples): provider margin p5/p50/p95 %.1f%% / %.1f%% / %.1f%%; cloud margin %.1f%% / %.1f%% / %.1f%%; P(provider loss) %.1f%%%n",
                mc.seed(), mc.samples(), 100 * mc.providerMargin()[0], 100 * mc.providerMargin()[2], 100 * mc.providerMargin()[4],
                100 * mc.cloudMargin()[0], 100 * mc.cloudMargin()[2], 100 * mc.cloudMargin()[4], 100 * mc.providerLossProbability()));
        b.append("inputs (value [confidence; source; date]):\n");
        for (Input i : inputs) {
            if (i.name().startsWith("sensitivity.")) continue;
            b.append(String.format(Locale.ROOT, "  %-58s %-12s %s%n", shorten(i.name(), 58), fmt(i.value()),
                    "[" + i.confidence() + (i.source().isEmpty() ? "" : "; " + shorten(i.source(), 90)) + (i.date().isEmpty() ? "" : "; " + i.date()) + "]"));
        }
        return b.toString();
    }

    /** Percentage points with floating-point noise (|x| < 1e-9 pp) shown as 0. */
    static double pp(double fractionDelta) {
        double v = 100 * fractionDelta;
        return Math.abs(v) < 1e-9 ? 0 : v;
    }

    static String shorten(String s, int n) { return s.length() <= n ? s : s.substring(0, n - 1) + "…"; }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "";
        double a = Math.abs(v);
        if (a >= 1e9) return String.format(Locale.ROOT, "%.4gB", v / 1e9);
        if (a >= 1e6) return String.format(Locale.ROOT, "%.4gM", v / 1e6);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** $12.3B, $450M, $12.0K. */
    public static String usd(double v) {
        double a = Math.abs(v);
        String sign = v < 0 ? "-" : "";
        if (a >= 1e9) return String.format(Locale.ROOT, "%s$%.2fB", sign, a / 1e9);
        if (a >= 1e6) return String.format(Locale.ROOT, "%s$%.1fM", sign, a / 1e6);
        if (a >= 1e3) return String.format(Locale.ROOT, "%s$%.1fK", sign, a / 1e3);
        return String.format(Locale.ROOT, "%s$%.2f", sign, a);
    }

    static String count(double v) {
        if (v >= 1e12) return String.format(Locale.ROOT, "%.2fT", v / 1e12);
        if (v >= 1e9) return String.format(Locale.ROOT, "%.1fB", v / 1e9);
        if (v >= 1e6) return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
