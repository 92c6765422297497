package dev.infercost.revenue;

import dev.infercost.results.Column;
import dev.infercost.results.CsvTable;
import dev.infercost.results.DealComparisonColumn;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.RevenueColumn;
import dev.infercost.results.RevenueInputColumn;
import dev.infercost.results.RevenueSummaryColumn;
import dev.infercost.results.SensitivityColumn;
import dev.infercost.results.TableSpec;
import dev.infercost.results.TakeRateCurveColumn;
import dev.infercost.revenue.RevenueModel.Party;
import dev.infercost.revenue.RevenueModel.Year;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Everything the revenue stage computed for one scenario: per-year flows and P&L of both parties (absolute
 * costs; the calibrated what-if beside it when asked for), the cost band, the deal comparison, the cap saving and
 * the cloud's net position, break-even take rate / cap / markup per party, the maximum sustainable cloud tax, the
 * margin vs take-rate curve, the tornado and the Monte Carlo, and the provenance of every input. Tables follow
 * the contracts in {@link ResultSchemas} (units in headers).
 */
public final class RevenueResult {
    /** One cited input: where a number came from. */
    public record Input(String name, double value, String unit, String confidence, String source, String date, String note) { }

    /** One deal's terms evaluated on the same inputs. */
    public record Deal(String name, String note, RevenueModel model, RevenueModel.Outcome outcome) { }

    public static final String REVENUE_CSV = ResultSchemas.REVENUE_TABLE.file();
    public static final String SENSITIVITY_CSV = ResultSchemas.SENSITIVITY_TABLE.file();
    public static final String CURVE_CSV = ResultSchemas.TAKE_RATE_CURVE_TABLE.file();
    public static final String INPUTS_CSV = ResultSchemas.REVENUE_INPUTS_TABLE.file();
    public static final String SUMMARY_CSV = ResultSchemas.REVENUE_SUMMARY_TABLE.file();
    public static final String DEALS_CSV = ResultSchemas.DEAL_COMPARISON_TABLE.file();

    private final RevenueModel model;
    private final RevenueModel.Outcome base, bandLow, bandHigh, uncapped;
    private final RevenueModel calibratedModel;
    private final RevenueModel.Outcome calibrated;
    private final List<Deal> deals = new ArrayList<>();
    private final double breakEvenUncapped, breakEvenCapped;
    private final double[] beTake = new double[2], beCap = new double[2], beMarkup = new double[2];
    private final double targetMargin, maxTax, tax;
    private final List<Sensitivity.Swing> tornado;
    private final Sensitivity.MonteCarlo monteCarlo;
    private final List<Input> inputs;
    private final double[][] curve;

    RevenueResult(RevenueModel model, long seed, int samples) {
        this.model = model;
        this.base = model.evaluate(Factors.BASE);
        this.bandLow = model.evaluate(Factors.BASE.withBand(-1));
        this.bandHigh = model.evaluate(Factors.BASE.withBand(1));
        this.uncapped = model.evaluate(Factors.BASE.withFlatTakeRate(Double.NaN, false));
        this.calibratedModel = model.calibrated();
        this.calibrated = calibratedModel == null ? null : calibratedModel.evaluate(Factors.BASE);
        Scenario s = model.scenario;
        deals.add(new Deal(s.termsName(), "the scenario's own terms (reference)", model, base));
        for (Scenario.Deal d : s.deals) {
            RevenueModel dm = model.forDeal(d);
            deals.add(new Deal(d.name, d.note == null ? "" : d.note, dm, dm.evaluate(Factors.BASE)));
        }
        this.breakEvenUncapped = model.breakEvenTakeRateUncapped(Factors.BASE);
        this.breakEvenCapped = model.breakEvenTakeRateCapped(Factors.BASE);
        for (Party p : Party.values()) {
            beTake[p.ordinal()] = model.breakEvenTakeRate(p, model.hasCap(), Factors.BASE);
            beCap[p.ordinal()] = model.breakEvenCap(p, Factors.BASE);
            beMarkup[p.ordinal()] = model.breakEvenMarkup(p, Factors.BASE);
        }
        targetMargin = s.finance != null && s.finance.target_provider_margin != null ? s.finance.target_provider_margin.value : 0;
        maxTax = model.maxCloudTax(targetMargin, Factors.BASE);
        tax = model.cloudTax(Factors.BASE);
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
    /** The outcome at the low / high end of the cost table's $/query band (equal to base where the band is missing). */
    public RevenueModel.Outcome bandLow() { return bandLow; }
    public RevenueModel.Outcome bandHigh() { return bandHigh; }
    /** The same scenario with the cap switched off (the reported rate on every dollar). */
    public RevenueModel.Outcome uncapped() { return uncapped; }
    /** The calibrated what-if (compute.calibrate_to), or null. */
    public RevenueModel.Outcome calibrated() { return calibrated; }
    public RevenueModel calibratedModel() { return calibratedModel; }
    /** The scenario's own terms first, then each of its deals. */
    public List<Deal> deals() { return List.copyOf(deals); }
    public double breakEvenTakeRateUncapped() { return breakEvenUncapped; }
    public double breakEvenTakeRateCapped() { return breakEvenCapped; }
    /** Flat take rate at which the party's horizon profit is 0 (under the cap when there is one); NaN = none in 0..1. */
    public double breakEvenTakeRate(Party p) { return beTake[p.ordinal()]; }
    /** Cumulative cap [USD] at which the party's horizon profit is 0; NaN = none. */
    public double breakEvenCap(Party p) { return beCap[p.ordinal()]; }
    /** Markup on compute [fraction] at which the party's horizon profit is 0; NaN = none in -100%..2000%. */
    public double breakEvenMarkup(Party p) { return beMarkup[p.ordinal()]; }
    public double maxCloudTax() { return maxTax; }
    public double cloudTax() { return tax; }
    public List<Sensitivity.Swing> tornado() { return tornado; }
    public Sensitivity.MonteCarlo monteCarlo() { return monteCarlo; }
    public List<Input> inputs() { return inputs; }
    /** Rows {take rate, provider margin uncapped, provider margin capped, cloud margin uncapped, cloud margin capped}. */
    public double[][] takeRateCurve() { return curve; }

    /** Cloud's saving over the horizon if all volume ran on the custom chip instead of the Nvidia chip [USD]. */
    public double customSiliconGainAll() { return base.sum(Year::customSavingAll); }
    /** Cloud's saving over the horizon at the scenario's custom_share schedule vs all-Nvidia [USD]. */
    public double customSiliconGainRealised() { return base.sum(Year::customSavingRealised); }
    /** What the provider saves under the cap vs paying the scheduled rate uncapped, over the horizon [USD]. */
    public double capSaving() { return uncapped.sum(Year::sharePaid) - base.sum(Year::sharePaid); }
    public double capSavingPv() { return uncapped.pv(Year::sharePaid) - base.pv(Year::sharePaid); }

    // ------------------------------------------------------------------ tables

    /** Builds rows of one table by column constant. */
    private static final class Rows<C extends Enum<C> & Column> {
        final TableSpec<C> spec;
        final CsvTable table;
        final EnumMap<C, Object> cur;

        Rows(TableSpec<C> spec) {
            this.spec = spec;
            this.table = spec.newTable();
            this.cur = new EnumMap<>(spec.columns());
        }

        Rows<C> put(C c, Object v) { cur.put(c, v); return this; }

        void add() {
            Object[] row = new Object[spec.columnList().size()];
            int i = 0;
            for (C c : spec.columnList()) row[i++] = cur.get(c);
            table.add(row);
            cur.clear();
        }
    }

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
        addList.accept("provider.other_costs_usd", s.provider.other_costs_usd);
        add.accept("provider.price_elasticity", s.provider.price_elasticity);
        add.accept("provider.usd_per_m_input", s.provider.usd_per_m_input);
        add.accept("provider.usd_per_m_output", s.provider.usd_per_m_output);
        for (Scenario.Subscription sub : s.provider.subscriptions) {
            add.accept("subscription " + sub.name + ".usd_per_month", sub.usd_per_month);
            addList.accept("subscription " + sub.name + ".subscribers", sub.subscribers);
            add.accept("subscription " + sub.name + ".queries_per_subscriber_per_month", sub.queries_per_subscriber_per_month);
        }
        for (Scenario.MixEntry e : s.provider.query_mix) add.accept("query_mix." + e.label(), e.share);
        addShare(out, add, addList, s.termsName(), s.revenue_share);
        add.accept("compute.markup", s.compute.markup);
        add.accept("compute.cost_scale", s.compute.cost_scale);
        add.accept("compute.calibrate_to (what-if only)", s.compute.calibrate_to);
        addList.accept("compute.commitment_usd", s.compute.commitment_usd);
        addList.accept("compute.cost_decline", s.compute.cost_decline);
        out.add(new Input("compute.cost_scale (used)", m.costScale(), "x", s.compute.cost_scale == null ? "derived" : s.compute.cost_scale.confidence,
                "", "", m.costScaleBasis()));
        addList.accept("cloud.custom_share", s.cloud.custom_share);
        addList.accept("cloud.custom_program_usd", s.cloud.custom_program_usd);
        add.accept("cloud.equity_stake", s.cloud.equity_stake);
        add.accept("finance.discount_rate", s.discountRate());
        if (s.finance != null) add.accept("finance.target_provider_margin", s.finance.target_provider_margin);
        for (Scenario.Deal d : s.deals) {
            if (d.revenue_share != null) addShare(out, add, addList, d.name, d.revenue_share);
            add.accept("deal " + d.name + ".equity_stake", d.equity_stake);
            addList.accept("deal " + d.name + ".commitment_usd", d.commitment_usd);
            add.accept("deal " + d.name + ".markup", d.markup);
        }
        for (CostTable.Row r : m.usedRows())
            out.add(new Input("cost " + r.label(), r.usdPerQuery(), "USD/query", r.provenance(),
                    r.sources(), "", (r.pricedDespiteFailedAccuracy() ? "ACCURACY FAILED: " + r.accuracyOverride() + "; " : "") + "band " + (r.bandMissing() ? "missing (point value used for low and high)" : r.usdPerQueryLow() + " .. " + r.usdPerQueryHigh())
                    + "; in " + r.usdPerMInput() + " / out " + r.usdPerMOutput() + " $/M tok; isl " + (long) r.isl()
                    + ", osl " + (long) r.osl() + (Double.isNaN(r.tokPerSPerUser()) ? "" : ", " + r.tokPerSPerUser() + " tok/s/user") + "; " + r.basis()
                    + "; table: " + m.costs.origin()));
        for (Object[] rg : Sensitivity.ranges(s)) {
            Scenario.Swing w = s.sensitivity == null ? null : s.sensitivity.swings.get((String) rg[0]);
            out.add(new Input("sensitivity." + rg[0], Double.NaN, "x base " + rg[1] + " .. " + rg[2],
                    w == null || w.confidence == null ? "assumed" : w.confidence, w == null || w.source == null ? "" : w.source,
                    w == null || w.date == null ? "" : w.date, (String) rg[3]));
        }
        return out;
    }

    private static void addShare(List<Input> out, java.util.function.BiConsumer<String, Quantity> add,
                                 java.util.function.BiConsumer<String, List<Quantity>> addList, String terms, Scenario.RevenueShare rs) {
        String p = "[" + terms + "] revenue_share";
        addList.accept(p + ".rate", rs.rate);
        if (rs.cap != null) {
            add.accept(p + ".cap.amount_usd", rs.cap.amount_usd);
            add.accept(p + ".cap.paid_before_usd", rs.cap.paid_before_usd);
        }
        if (rs.reverse != null) {
            addList.accept(p + ".reverse.rate", rs.reverse.rate);
            addList.accept(p + ".reverse.base_usd", rs.reverse.base_usd);
        }
    }

    /** revenue.csv: one row per year and party, plus horizon totals, under the scenario's own terms. Money in USD. */
    public CsvTable revenueTable() {
        Rows<RevenueColumn> t = new Rows<>(ResultSchemas.REVENUE_TABLE);
        String name = model.scenario.name == null ? "scenario" : model.scenario.name;
        String deal = model.scenario.termsName();
        String band = model.bandMissing() ? "cost band missing for some rows (point value used)" : "cost band from the cost table";
        List<Year> ys = base.years();
        for (int i = 0; i < ys.size(); i++) {
            Year y = ys.get(i);
            double capLeft = Double.isInfinite(y.capRemaining()) ? Double.NaN : y.capRemaining();
            for (Party p : Party.values()) {
                boolean pr = p == Party.PROVIDER;
                t.put(RevenueColumn.SCENARIO, name).put(RevenueColumn.DEAL, deal).put(RevenueColumn.YEAR, String.valueOf(y.year()))
                        .put(RevenueColumn.PARTY, pr ? "provider" : "cloud").put(RevenueColumn.QUERIES, y.queries()).put(RevenueColumn.PAID_QUERIES, y.paidQueries())
                        .put(RevenueColumn.REVENUE, pr ? y.providerRevenue() : y.cloudRevenue()).put(RevenueColumn.TAKE_RATE, y.takeRate())
                        .put(RevenueColumn.REVENUE_SHARE_DUE, y.shareDue()).put(RevenueColumn.REVENUE_SHARE, y.sharePaid()).put(RevenueColumn.CAP_BINDS, y.capBinds())
                        .put(RevenueColumn.CAP_BINDS_AT, y.capBindsAt()).put(RevenueColumn.CAP_REMAINING, capLeft)
                        .put(RevenueColumn.COMPUTE_USAGE, y.computeUsage()).put(RevenueColumn.COMPUTE, y.computeBought())
                        .put(RevenueColumn.TAKE_OR_PAY_SHORTFALL, y.shortfall()).put(RevenueColumn.REVERSE_SHARE, y.reverseShare())
                        .put(RevenueColumn.COST_INDEX, y.costIndex()).put(RevenueColumn.DISCOUNT_FACTOR, y.discountFactor());
                if (pr) {
                    t.put(RevenueColumn.OTHER_COSTS, y.otherCosts()).put(RevenueColumn.PROFIT, y.providerProfit()).put(RevenueColumn.MARGIN, y.providerMargin())
                            .put(RevenueColumn.ECONOMIC_PROFIT, y.providerProfit()).put(RevenueColumn.PROFIT_PV, y.providerProfit() * y.discountFactor())
                            .put(RevenueColumn.ECONOMIC_PROFIT_PV, y.providerProfit() * y.discountFactor())
                            .put(RevenueColumn.PROFIT_COST_LOW, bandLow.years().get(i).providerProfit())
                            .put(RevenueColumn.PROFIT_COST_HIGH, bandHigh.years().get(i).providerProfit())
                            .put(RevenueColumn.BASIS, "revenue - share paid - compute (take-or-pay) + reverse share - other costs; absolute costs; " + band);
                } else {
                    t.put(RevenueColumn.COST_OF_SERVING, y.servingCost()).put(RevenueColumn.CUSTOM_PROGRAM_COST, y.customProgramCost())
                            .put(RevenueColumn.CUSTOM_SILICON_SHARE, y.customShare()).put(RevenueColumn.CUSTOM_SILICON_GAIN, y.customSavingRealised())
                            .put(RevenueColumn.EQUITY_STAKE, y.equityStake()).put(RevenueColumn.EQUITY_PICKUP, y.equityPickup())
                            .put(RevenueColumn.PROFIT, y.cloudProfit()).put(RevenueColumn.MARGIN, y.cloudMargin()).put(RevenueColumn.ECONOMIC_PROFIT, y.cloudEconomicProfit())
                            .put(RevenueColumn.PROFIT_PV, y.cloudProfit() * y.discountFactor()).put(RevenueColumn.ECONOMIC_PROFIT_PV, y.cloudEconomicProfit() * y.discountFactor())
                            .put(RevenueColumn.PROFIT_COST_LOW, bandLow.years().get(i).cloudProfit()).put(RevenueColumn.PROFIT_COST_HIGH, bandHigh.years().get(i).cloudProfit())
                            .put(RevenueColumn.BASIS, "share received + compute sold - cost of serving - custom programme - reverse share paid; economic adds equity share of provider profit; " + band);
                }
                t.add();
            }
        }
        for (Party p : Party.values()) {
            boolean pr = p == Party.PROVIDER;
            t.put(RevenueColumn.SCENARIO, name).put(RevenueColumn.DEAL, deal).put(RevenueColumn.YEAR, "total").put(RevenueColumn.PARTY, pr ? "provider" : "cloud")
                    .put(RevenueColumn.QUERIES, base.sum(Year::queries)).put(RevenueColumn.PAID_QUERIES, base.sum(Year::paidQueries))
                    .put(RevenueColumn.REVENUE, pr ? base.providerRevenue() : base.cloudRevenue())
                    .put(RevenueColumn.TAKE_RATE, base.sum(Year::sharePaid) / base.providerRevenue()).put(RevenueColumn.REVENUE_SHARE_DUE, base.sum(Year::shareDue))
                    .put(RevenueColumn.REVENUE_SHARE, base.sum(Year::sharePaid)).put(RevenueColumn.COMPUTE_USAGE, base.sum(Year::computeUsage))
                    .put(RevenueColumn.COMPUTE, base.sum(Year::computeBought)).put(RevenueColumn.TAKE_OR_PAY_SHORTFALL, base.sum(Year::shortfall))
                    .put(RevenueColumn.REVERSE_SHARE, base.sum(Year::reverseShare));
            if (pr) t.put(RevenueColumn.OTHER_COSTS, base.sum(Year::otherCosts)).put(RevenueColumn.PROFIT, base.providerProfit())
                    .put(RevenueColumn.MARGIN, base.providerMargin()).put(RevenueColumn.ECONOMIC_PROFIT, base.providerProfit())
                    .put(RevenueColumn.PROFIT_PV, base.pv(Year::providerProfit)).put(RevenueColumn.ECONOMIC_PROFIT_PV, base.pv(Year::providerProfit))
                    .put(RevenueColumn.PROFIT_COST_LOW, bandLow.providerProfit()).put(RevenueColumn.PROFIT_COST_HIGH, bandHigh.providerProfit());
            else t.put(RevenueColumn.COST_OF_SERVING, base.sum(Year::servingCost)).put(RevenueColumn.CUSTOM_PROGRAM_COST, base.sum(Year::customProgramCost))
                    .put(RevenueColumn.CUSTOM_SILICON_GAIN, customSiliconGainRealised()).put(RevenueColumn.EQUITY_PICKUP, base.sum(Year::equityPickup))
                    .put(RevenueColumn.PROFIT, base.cloudProfit()).put(RevenueColumn.MARGIN, base.cloudMargin()).put(RevenueColumn.ECONOMIC_PROFIT, base.cloudEconomicProfit())
                    .put(RevenueColumn.PROFIT_PV, base.pv(Year::cloudProfit)).put(RevenueColumn.ECONOMIC_PROFIT_PV, base.pv(Year::cloudEconomicProfit))
                    .put(RevenueColumn.PROFIT_COST_LOW, bandLow.cloudProfit()).put(RevenueColumn.PROFIT_COST_HIGH, bandHigh.cloudProfit());
            t.put(RevenueColumn.BASIS, String.format(Locale.ROOT, "horizon total; take_rate = effective (paid / revenue); *_pv at %.1f%%/yr to %d",
                    100 * model.discountRate(), base.years().get(0).year()));
            t.add();
        }
        return t.table;
    }

    /** deal_comparison.csv: every deal's flows per year and party, nominal and PV totals, change vs the reference deal. */
    public CsvTable dealTable() {
        Rows<DealComparisonColumn> t = new Rows<>(ResultSchemas.DEAL_COMPARISON_TABLE);
        Deal ref = deals.get(0);
        for (Deal d : deals) {
            List<Year> ys = d.outcome().years(), rs = ref.outcome().years();
            for (int i = 0; i <= ys.size() + 1; i++) {
                String yl = i < ys.size() ? String.valueOf(ys.get(i).year()) : i == ys.size() ? "total" : "pv";
                for (Party p : Party.values()) {
                    boolean pr = p == Party.PROVIDER;
                    ToDoubleFunction<Year> profit = pr ? Year::providerProfit : Year::cloudProfit;
                    ToDoubleFunction<Year> econ = pr ? Year::providerProfit : Year::cloudEconomicProfit;
                    int k = i;
                    java.util.function.BiFunction<RevenueModel.Outcome, ToDoubleFunction<Year>, Double> v = (o, f) ->
                            k < o.years().size() ? f.applyAsDouble(o.years().get(k)) : k == o.years().size() ? o.sum(f) : o.pv(f);
                    t.put(DealComparisonColumn.DEAL, d.name()).put(DealComparisonColumn.REFERENCE_DEAL, ref.name()).put(DealComparisonColumn.YEAR, yl)
                            .put(DealComparisonColumn.PARTY, pr ? "provider" : "cloud")
                            .put(DealComparisonColumn.REVENUE_SHARE, v.apply(d.outcome(), Year::sharePaid))
                            .put(DealComparisonColumn.REVERSE_SHARE, v.apply(d.outcome(), Year::reverseShare))
                            .put(DealComparisonColumn.COMPUTE, v.apply(d.outcome(), Year::computeBought))
                            .put(DealComparisonColumn.PROFIT, v.apply(d.outcome(), profit))
                            .put(DealComparisonColumn.ECONOMIC_PROFIT, v.apply(d.outcome(), econ))
                            .put(DealComparisonColumn.PROFIT_CHANGE, v.apply(d.outcome(), profit) - v.apply(ref.outcome(), profit))
                            .put(DealComparisonColumn.ECONOMIC_PROFIT_CHANGE, v.apply(d.outcome(), econ) - v.apply(ref.outcome(), econ))
                            .put(DealComparisonColumn.NOTE, (i == ys.size() + 1 ? String.format(Locale.ROOT, "present value at %.1f%%/yr to %d; ",
                                    100 * model.discountRate(), rs.get(0).year()) : "") + d.note());
                    t.add();
                }
            }
        }
        return t.table;
    }

    /** sensitivity.csv: tornado rows (low/high per input, each a full rerun) and Monte Carlo percentile rows. */
    public CsvTable sensitivityTable() {
        Rows<SensitivityColumn> t = new Rows<>(ResultSchemas.SENSITIVITY_TABLE);
        double pm = base.providerMargin(), cm = base.cloudMargin();
        for (Sensitivity.Swing s : tornado) {
            for (int side = 0; side < 2; side++) {
                boolean lo = side == 0;
                t.put(SensitivityColumn.METHOD, "one-at-a-time").put(SensitivityColumn.INPUT, s.input()).put(SensitivityColumn.SETTING, lo ? "low" : "high")
                        .put(SensitivityColumn.MULTIPLIER, lo ? s.low() : s.high())
                        .put(SensitivityColumn.PROVIDER_MARGIN, lo ? s.providerMarginLow() : s.providerMarginHigh())
                        .put(SensitivityColumn.CLOUD_MARGIN, lo ? s.cloudMarginLow() : s.cloudMarginHigh())
                        .put(SensitivityColumn.PROVIDER_MARGIN_CHANGE, pp((lo ? s.providerMarginLow() : s.providerMarginHigh()) - pm))
                        .put(SensitivityColumn.CLOUD_MARGIN_CHANGE, pp((lo ? s.cloudMarginLow() : s.cloudMarginHigh()) - cm))
                        .put(SensitivityColumn.PROVIDER_PROFIT, lo ? s.providerProfitLow() : s.providerProfitHigh())
                        .put(SensitivityColumn.CLOUD_PROFIT, lo ? s.cloudProfitLow() : s.cloudProfitHigh())
                        .put(SensitivityColumn.CLOUD_ECONOMIC_PROFIT, lo ? s.cloudEconomicLow() : s.cloudEconomicHigh())
                        .put(SensitivityColumn.BASIS, s.basis() + "; full model rerun");
                t.add();
            }
        }
        Sensitivity.MonteCarlo mc = monteCarlo;
        for (int i = 0; i < mc.percentiles().length; i++) {
            t.put(SensitivityColumn.METHOD, "monte-carlo").put(SensitivityColumn.INPUT, "all (triangular low,1,high)").put(SensitivityColumn.SETTING, "p" + (int) mc.percentiles()[i])
                    .put(SensitivityColumn.PROVIDER_MARGIN, mc.providerMargin()[i]).put(SensitivityColumn.CLOUD_MARGIN, mc.cloudMargin()[i])
                    .put(SensitivityColumn.PROVIDER_MARGIN_CHANGE, pp(mc.providerMargin()[i] - pm)).put(SensitivityColumn.CLOUD_MARGIN_CHANGE, pp(mc.cloudMargin()[i] - cm))
                    .put(SensitivityColumn.PROVIDER_PROFIT, mc.providerProfit()[i]).put(SensitivityColumn.CLOUD_PROFIT, mc.cloudProfit()[i])
                    .put(SensitivityColumn.BASIS, "seed " + mc.seed() + ", " + mc.samples() + " samples, each a full model rerun; each metric's own percentile");
            t.add();
        }
        return t.table;
    }

    private static void kv(Rows<RevenueSummaryColumn> t, String metric, Object value, String unit, String note) {
        t.put(RevenueSummaryColumn.METRIC, metric).put(RevenueSummaryColumn.VALUE, value).put(RevenueSummaryColumn.UNIT, unit).put(RevenueSummaryColumn.NOTE, note);
        t.add();
    }

    /** revenue_summary.csv: the key figures (horizon totals, PV, cap saving, net position, break-even, silicon gain, Monte Carlo). */
    public CsvTable summaryCsv() {
        Rows<RevenueSummaryColumn> t = new Rows<>(ResultSchemas.REVENUE_SUMMARY_TABLE);
        Scenario s = model.scenario;
        String h = s.years.get(0) + "-" + s.years.get(s.years.size() - 1);
        String pvn = String.format(Locale.ROOT, "present value at %.1f%%/yr to %d", 100 * model.discountRate(), s.years.get(0));
        kv(t, "provider revenue", base.providerRevenue(), "$", h);
        kv(t, "provider profit", base.providerProfit(), "$", "after revenue share, inference compute, reverse share received and other costs");
        kv(t, "provider profit (PV)", base.pv(Year::providerProfit), "$", pvn);
        kv(t, "provider margin", base.providerMargin(), "fraction", "absolute costs");
        kv(t, "provider profit, cost band low", bandLow.providerProfit(), "$", model.bandMissing() ? "band missing: point value" : "cost table low band");
        kv(t, "provider profit, cost band high", bandHigh.providerProfit(), "$", model.bandMissing() ? "band missing: point value" : "cost table high band");
        kv(t, "cloud revenue", base.cloudRevenue(), "$", "revenue share received + compute sold");
        kv(t, "cloud profit", base.cloudProfit(), "$", "operating: minus cost of serving, custom programme and reverse share paid");
        kv(t, "cloud margin", base.cloudMargin(), "fraction", "");
        kv(t, "cloud economic profit", base.cloudEconomicProfit(), "$", "operating profit + equity share of provider profit");
        kv(t, "cloud economic profit (PV)", base.pv(Year::cloudEconomicProfit), "$", pvn);
        kv(t, "revenue share due (no cap)", base.sum(Year::shareDue), "$", "scheduled take rate x revenue");
        kv(t, "revenue share paid", base.sum(Year::sharePaid), "$", model.hasCap() ? "after the cumulative cap" : "no cap");
        kv(t, "cap saving for the provider", capSaving(), "$", "share at the scheduled rate uncapped minus share paid under the cap");
        kv(t, "cap saving for the provider (PV)", capSavingPv(), "$", pvn);
        kv(t, "cloud equity share of the cap saving", base.sum(Year::equityPickup) - uncapped.sum(Year::equityPickup), "$", "stake x the provider's extra profit");
        kv(t, "cloud compute margin", base.sum(Year::computeBought) - base.sum(Year::servingCost) - base.sum(Year::customProgramCost), "$",
                "compute sold - cost of serving - custom programme");
        kv(t, "cloud equity share of provider profit", base.sum(Year::equityPickup), "$", "stake x provider profit");
        kv(t, "take-or-pay shortfall", base.sum(Year::shortfall), "$", "compute paid for but not used");
        kv(t, "reverse share paid to the provider", base.sum(Year::reverseShare), "$", "");
        kv(t, "break-even take rate (no cap)", breakEvenUncapped, "fraction", "flat rate at which the provider's horizon profit is 0: sum(R - C + reverse - other) / sum(R)");
        kv(t, "break-even take rate (with cap)", model.hasCap() ? breakEvenCapped : Double.NaN, "fraction",
                !model.hasCap() ? "no cap" : Double.isNaN(breakEvenCapped) ? "none in 0..1: the cap binds before the provider's profit reaches 0" : "");
        for (Party p : Party.values()) {
            String pn = p == Party.PROVIDER ? "provider" : "cloud";
            kv(t, "break-even take rate, " + pn, beTake[p.ordinal()], "fraction", (model.hasCap() ? "with the cap" : "no cap") + (Double.isNaN(beTake[p.ordinal()]) ? "; none in 0..1" : ""));
            kv(t, "break-even cap, " + pn, beCap[p.ordinal()], "$", model.hasCap() ? (Double.isNaN(beCap[p.ordinal()]) ? "none between 0 and the uncapped total" : "") : "no cap");
            kv(t, "break-even markup, " + pn, beMarkup[p.ordinal()], "fraction", Double.isNaN(beMarkup[p.ordinal()]) ? "none in -100%..2000%" : "markup on compute at cost");
        }
        kv(t, "cloud tax paid by the provider", tax, "fraction", "(share + compute paid - compute at cost) / revenue");
        kv(t, "max sustainable cloud tax", maxTax, "fraction", String.format(Locale.ROOT, "for a provider margin of %.0f%%", 100 * targetMargin));
        kv(t, "custom silicon gain (schedule)", customSiliconGainRealised(), "$", "cloud saving at custom_share vs all on " + s.cloud.nvidia.chip);
        kv(t, "custom silicon gain (all volume)", customSiliconGainAll(), "$", "if every query ran on " + s.cloud.custom.chip + " instead of " + s.cloud.nvidia.chip);
        kv(t, "provider compute price", model.providerComputePerQuery(), "$/query", s.compute.chip + " / " + s.compute.tier + " + markup, first year");
        kv(t, "cloud cost per query (" + s.cloud.nvidia.chip + ")", model.nvidiaCostPerQuery(), "$/query", "first year");
        kv(t, "cloud cost per query (" + s.cloud.custom.chip + ")", model.customCostPerQuery(), "$/query", "first year");
        kv(t, "cost_scale", model.costScale(), "x", model.costScaleBasis());
        if (calibrated != null) {
            kv(t, "WHAT-IF calibrated provider margin", calibrated.providerMargin(), "fraction", calibratedModel.costScaleBasis());
            kv(t, "WHAT-IF calibrated compute bought", calibrated.sum(Year::computeBought), "$", "cost scale x" + fmt(calibratedModel.costScale()));
            kv(t, "WHAT-IF calibrated cloud margin", calibrated.cloudMargin(), "fraction", "");
        }
        for (Deal d : deals.subList(1, deals.size())) {
            kv(t, "deal " + d.name() + ": provider profit change (PV)", d.outcome().pv(Year::providerProfit) - base.pv(Year::providerProfit), "$", "vs " + deals.get(0).name());
            kv(t, "deal " + d.name() + ": cloud economic profit change (PV)", d.outcome().pv(Year::cloudEconomicProfit) - base.pv(Year::cloudEconomicProfit), "$",
                    "vs " + deals.get(0).name());
        }
        Sensitivity.MonteCarlo mc = monteCarlo;
        String mcNote = "Monte Carlo, seed " + mc.seed() + ", " + mc.samples() + " samples";
        for (int i : new int[]{0, 2, 4}) {
            String p = "p" + (int) mc.percentiles()[i];
            kv(t, "provider margin " + p, mc.providerMargin()[i], "fraction", mcNote);
            kv(t, "cloud margin " + p, mc.cloudMargin()[i], "fraction", mcNote);
        }
        kv(t, "probability of a provider loss", mc.providerLossProbability(), "fraction", "Monte Carlo");
        kv(t, "cost table", model.costs.origin(), "", model.costs.isBundledDefault() ? "illustrative, projected (not measured)" : "");
        return t.table;
    }

    /** take_rate_curve.csv: horizon margins of both parties vs a flat take rate, with and without the cap. */
    public CsvTable curveTable() {
        Rows<TakeRateCurveColumn> t = new Rows<>(ResultSchemas.TAKE_RATE_CURVE_TABLE);
        for (double[] r : curve) {
            t.put(TakeRateCurveColumn.TAKE_RATE, r[0]).put(TakeRateCurveColumn.PROVIDER_MARGIN_UNCAPPED, r[1]).put(TakeRateCurveColumn.PROVIDER_MARGIN_CAPPED, r[2])
                    .put(TakeRateCurveColumn.CLOUD_MARGIN_UNCAPPED, r[3]).put(TakeRateCurveColumn.CLOUD_MARGIN_CAPPED, r[4]);
            t.add();
        }
        return t.table;
    }

    /** revenue_inputs.csv: every input with its source and confidence. */
    public CsvTable inputsTable() {
        Rows<RevenueInputColumn> t = new Rows<>(ResultSchemas.REVENUE_INPUTS_TABLE);
        for (Input i : inputs) {
            t.put(RevenueInputColumn.INPUT, i.name()).put(RevenueInputColumn.VALUE, i.value()).put(RevenueInputColumn.UNIT, i.unit())
                    .put(RevenueInputColumn.CONFIDENCE, i.confidence()).put(RevenueInputColumn.SOURCE, i.source()).put(RevenueInputColumn.SOURCE_DATE, i.date())
                    .put(RevenueInputColumn.NOTE, i.note());
            t.add();
        }
        return t.table;
    }

    // ------------------------------------------------------------------ text

    /** "49.52% without cap; none in 0..100% with the cap (...)" or why there is none. */
    public String breakEvenText() {
        String un;
        if (breakEvenUncapped < 0) un = "none: the provider loses money even at a 0% take rate (its costs alone exceed revenue)";
        else if (breakEvenUncapped > 1) un = "none: the provider stays profitable even at a 100% take rate";
        else un = String.format(Locale.ROOT, "%.2f%% without cap", 100 * breakEvenUncapped);
        if (!model.hasCap() || breakEvenUncapped < 0) return un;
        return un + "; " + (Double.isNaN(breakEvenCapped) ? "none in 0..100% with the cap (the cap binds before the provider's profit reaches 0)"
                : String.format(Locale.ROOT, "%.2f%% with the cap", 100 * breakEvenCapped));
    }

    private String yearTable(RevenueModel.Outcome o) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-6s %8s %9s %6s %9s %8s %9s %8s %8s %9s %6s %8s %8s %8s %9s %9s%n", "year", "queries", "prov.rev", "take",
                "share", "cap left", "compute", "short", "reverse", "serving", "custom", "prov.pft", "prov.mgn", "cloud.op", "cloud.mgn", "cloud.eco"));
        for (Year y : o.years())
            b.append(String.format(Locale.ROOT, "%-6d %8s %9s %5.1f%% %9s %8s %9s %8s %8s %9s %5.0f%% %8s %7.1f%% %8s %8.1f%% %9s%n", y.year(), count(y.queries()),
                    usd(y.providerRevenue()), 100 * y.takeRate(), usd(y.sharePaid()) + (y.capBinds() ? "*" : ""),
                    Double.isInfinite(y.capRemaining()) ? "-" : usd(y.capRemaining()), usd(y.computeBought()), usd(y.shortfall()), usd(y.reverseShare()),
                    usd(y.servingCost() + y.customProgramCost()), 100 * y.customShare(), usd(y.providerProfit()), 100 * y.providerMargin(),
                    usd(y.cloudProfit()), 100 * y.cloudMargin(), usd(y.cloudEconomicProfit())));
        b.append(String.format(Locale.ROOT, "%-6s %8s %9s %5.1f%% %9s %8s %9s %8s %8s %9s %6s %8s %7.1f%% %8s %8.1f%% %9s%n", "total", count(o.sum(Year::queries)),
                usd(o.providerRevenue()), 100 * o.sum(Year::sharePaid) / o.providerRevenue(), usd(o.sum(Year::sharePaid)),
                "", usd(o.sum(Year::computeBought)), usd(o.sum(Year::shortfall)), usd(o.sum(Year::reverseShare)),
                usd(o.sum(Year::servingCost) + o.sum(Year::customProgramCost)), "", usd(o.providerProfit()), 100 * o.providerMargin(),
                usd(o.cloudProfit()), 100 * o.cloudMargin(), usd(o.cloudEconomicProfit())));
        b.append(String.format(Locale.ROOT, "%-6s %8s %9s %6s %9s %8s %9s %8s %8s %9s %6s %8s %8s %8s %9s %9s%n", "PV", "", usd(o.pv(Year::providerRevenue)), "",
                usd(o.pv(Year::sharePaid)), "", usd(o.pv(Year::computeBought)), usd(o.pv(Year::shortfall)), usd(o.pv(Year::reverseShare)),
                usd(o.pv(y -> y.servingCost() + y.customProgramCost())), "", usd(o.pv(Year::providerProfit)), "", usd(o.pv(Year::cloudProfit)), "",
                usd(o.pv(Year::cloudEconomicProfit))));
        return b.toString();
    }

    private static String pct(double v) { return Double.isNaN(v) ? "none" : String.format(Locale.ROOT, "%.2f%%", 100 * v); }

    /**
     * The modelled first-year compute bill beside the provider's reported inference spend on the cloud (reference
     * revenue.csv), as a check of the absolute costs; never used to rescale them.
     */
    private String reportedInferenceCheck() {
        String key = "OpenAI|inference_spend_azure|Q1-Q3 2025";
        ReferenceData.Row r;
        try {
            r = ReferenceData.revenue().find(key);
        } catch (dev.infercost.BadInputException e) {
            return "";
        }
        Double v = r.numericValue();
        if (v == null || !"OpenAI".equals(model.scenario.provider.name)) return "";
        double annual = v * 1e9 * 4 / 3;
        double modelled = base.years().get(0).computeBought();
        return String.format(Locale.ROOT, "check (not a calibration): reported inference spend on the cloud Q1-Q3 2025 $%.1fB (~%s/yr annualised) [%s; %s; %s] vs modelled "
                + "compute bought in %d %s: the named served models cost x%.1f less than the reported bill%n", v, usd(annual), r.confidence(), shorten(r.sourceUrl(), 70),
                r.sourceDate(), base.years().get(0).year(), usd(modelled), annual / modelled);
    }

    private static String sign(double profit) { return profit > 0 ? "profitable" : "loss-making"; }

    private String cite(String inputPrefix) {
        for (Input i : inputs)
            if (i.name().startsWith(inputPrefix))
                return "[" + i.confidence() + (i.source().isEmpty() ? "" : "; " + shorten(i.source(), 80)) + (i.date().isEmpty() ? "" : "; " + i.date()) + "]";
        return "[assumed]";
    }

    /** The printed summary (what `infercost revenue` shows). */
    public String summaryTable() {
        StringBuilder b = new StringBuilder();
        Scenario s = model.scenario;
        b.append("Revenue share: ").append(s.name).append(" (").append(s.provider.name).append(" -> ").append(s.cloud.name).append("), terms: ")
                .append(s.termsName()).append('\n');
        b.append("cost table: ").append(model.costs.origin()).append('\n');
        b.append("served workload (query mix -> cost rows; absolute $/query, first year):\n");
        for (Scenario.MixEntry e : s.provider.query_mix) b.append(String.format(Locale.ROOT, "  %4.0f%% %s%n", 100 * e.share.value, e.label()));
        b.append(String.format(Locale.ROOT, "compute: provider buys %s / %s at $%.6f/query (band %.6f .. %.6f%s) +%.0f%% markup = $%.6f/query; cloud serves on %s $%.6f/query, %s $%.6f/query (cost_scale %.3g: %s)%n",
                s.compute.chip, s.compute.tier, model.computeCostPerQuery(0), model.computeCostPerQuery(-1), model.computeCostPerQuery(1),
                model.bandMissing() ? ", band missing for some rows" : "", 100 * model.markup, model.providerComputePerQuery(), s.cloud.nvidia.chip,
                model.nvidiaCostPerQuery(), s.cloud.custom.chip, model.customCostPerQuery(), model.costScale(), model.costScaleBasis()));
        b.append(String.format(Locale.ROOT, "yearly flows (absolute costs; PV at %.1f%%/yr to %d %s):%n", 100 * model.discountRate(), s.years.get(0), cite("finance.discount_rate")));
        b.append(yearTable(base));
        b.append("  (* = cumulative cap binds; short = take-or-pay shortfall; cloud.op = operating profit; cloud.eco = + equity share of provider profit)\n");
        for (Year y : base.years())
            if (!Double.isNaN(y.capBindsAt()))
                b.append(y.capBindsAt() > 0 ? String.format(Locale.ROOT, "  the cap is reached %.0f%% into %d (in %s, revenue accruing evenly): %s paid of %s due%n",
                        100 * y.capBindsAt(), y.year(), java.time.Month.of(Math.min(12, 1 + (int) Math.floor(12 * y.capBindsAt()))).getDisplayName(java.time.format.TextStyle.FULL, Locale.ROOT),
                        usd(y.sharePaid()), usd(y.shareDue()))
                        : String.format(Locale.ROOT, "  the cap is exhausted before %d: nothing paid of %s due%n", y.year(), usd(y.shareDue())));
        if (base.sum(Year::shortfall) > 0)
            for (Year y : base.years())
                if (y.shortfall() > 0)
                    b.append(String.format(Locale.ROOT, "  take-or-pay binds in %d: usage %s < commitment %s, shortfall %s paid for unused compute%n", y.year(),
                            usd(y.computeUsage()), usd(y.commitment()), usd(y.shortfall())));
        b.append(String.format(Locale.ROOT, "cost band (cost table low / high $/query): provider profit %s / %s, cloud operating profit %s / %s%s%n",
                usd(bandLow.providerProfit()), usd(bandHigh.providerProfit()), usd(bandLow.cloudProfit()), usd(bandHigh.cloudProfit()),
                model.bandMissing() ? " (band missing for some rows: point value used there)" : ""));
        if (calibrated != null)
            b.append(String.format(Locale.ROOT, "WHAT-IF (compute.calibrate_to, not the result above): costs x%s -> compute bought %s, provider margin %.1f%%, cloud margin %.1f%% [%s]%n",
                    fmt(calibratedModel.costScale()), usd(calibrated.sum(Year::computeBought)), 100 * calibrated.providerMargin(), 100 * calibrated.cloudMargin(),
                    calibratedModel.costScaleBasis()));
        if (model.hasCap()) {
            b.append(String.format(Locale.ROOT, "cap: the provider saves %s (PV %s) vs the uncapped scheduled rate (%s uncapped, %s paid) %s %s%n",
                    usd(capSaving()), usd(capSavingPv()), usd(uncapped.sum(Year::sharePaid)), usd(base.sum(Year::sharePaid)),
                    cite("[" + s.termsName() + "] revenue_share.cap.amount_usd"), cite("[" + s.termsName() + "] revenue_share.rate")));
        }
        if (model.hasCap() && s.revenue_share.cap.amount_usd.note.contains("saving"))
            b.append("  reported beside it: ").append(shorten(s.revenue_share.cap.amount_usd.note, 160)).append('\n');
        b.append(reportedInferenceCheck());
        double eqGain = base.sum(Year::equityPickup) - uncapped.sum(Year::equityPickup);
        double computeMargin = base.sum(Year::computeBought) - base.sum(Year::servingCost) - base.sum(Year::customProgramCost);
        b.append(String.format(Locale.ROOT, "cloud net position: share lost to the cap %s vs compute margin %s (sold %s - serving and custom programme %s) and equity share "
                        + "of provider profit %s %s, %s of which comes from the provider's cap saving; net effect of the cap on the cloud %s; reverse share paid %s; "
                        + "economic profit %s%n",
                usd(capSaving()), usd(computeMargin), usd(base.sum(Year::computeBought)), usd(base.sum(Year::servingCost) + base.sum(Year::customProgramCost)),
                usd(base.sum(Year::equityPickup)), cite("cloud.equity_stake"), usd(eqGain), usd(base.cloudEconomicProfit() - uncapped.cloudEconomicProfit()),
                usd(base.sum(Year::reverseShare)), usd(base.cloudEconomicProfit())));
        if (deals.size() > 1) {
            b.append(String.format(Locale.ROOT, "deal comparison (same volumes and costs; change vs \"%s\"; PV at %.1f%%/yr):%n", deals.get(0).name(), 100 * model.discountRate()));
            b.append(String.format(Locale.ROOT, "  %-44s %9s %9s %9s %10s %10s %10s %11s %11s%n", "deal", "share", "reverse", "compute", "prov.pft", "cloud.eco",
                    "prov.PV", "d prov.PV", "d cloud.PV"));
            for (Deal d : deals) {
                RevenueModel.Outcome o = d.outcome();
                b.append(String.format(Locale.ROOT, "  %-44s %9s %9s %9s %10s %10s %10s %11s %11s%n", shorten(d.name(), 44), usd(o.sum(Year::sharePaid)),
                        usd(o.sum(Year::reverseShare)), usd(o.sum(Year::computeBought)), usd(o.providerProfit()), usd(o.cloudEconomicProfit()),
                        usd(o.pv(Year::providerProfit)), usd(o.pv(Year::providerProfit) - base.pv(Year::providerProfit)),
                        usd(o.pv(Year::cloudEconomicProfit) - base.pv(Year::cloudEconomicProfit))));
            }
            b.append("  provider profit change vs reference per year:");
            for (Year y : base.years()) b.append(' ').append(y.year());
            b.append('\n');
            for (Deal d : deals.subList(1, deals.size())) {
                b.append(String.format(Locale.ROOT, "    %-40s", shorten(d.name(), 40)));
                for (int i = 0; i < base.years().size(); i++)
                    b.append(' ').append(usd(d.outcome().years().get(i).providerProfit() - base.years().get(i).providerProfit()));
                b.append("   cloud economic:");
                for (int i = 0; i < base.years().size(); i++)
                    b.append(' ').append(usd(d.outcome().years().get(i).cloudEconomicProfit() - base.years().get(i).cloudEconomicProfit()));
                b.append('\n');
            }
        }
        b.append(String.format(Locale.ROOT, "profit over horizon: provider %s (PV %s), cloud operating %s, cloud economic %s (PV %s)%n", usd(base.providerProfit()),
                usd(base.pv(Year::providerProfit)), usd(base.cloudProfit()), usd(base.cloudEconomicProfit()), usd(base.pv(Year::cloudEconomicProfit))));
        b.append("break-even flat take rate for the provider: ").append(breakEvenText()).append('\n');
        b.append("break-even per party (" + (model.hasCap() ? "under the cap" : "no cap") + "; horizon profit = 0):\n");
        for (Party p : Party.values()) {
            int i = p.ordinal();
            b.append(String.format(Locale.ROOT, "  %-8s take rate %s, cap %s, markup on compute %s%n", p == Party.PROVIDER ? "provider" : "cloud",
                    Double.isNaN(beTake[i]) ? "none in 0..100% (" + sign(model.evaluate(Factors.BASE.withFlatTakeRate(0, model.hasCap())).profit(p)) + " throughout)" : pct(beTake[i]),
                    !model.hasCap() ? "n/a (no cap)" : Double.isNaN(beCap[i]) ? "none (" + sign(model.evaluate(Factors.BASE.withCapUsd(0)).profit(p)) + " throughout)" : usd(beCap[i]),
                    Double.isNaN(beMarkup[i]) ? "none in -100..2000% (" + sign(model.evaluate(Factors.BASE.withMarkup(-1)).profit(p)) + " throughout)" : pct(beMarkup[i])));
        }
        b.append(String.format(Locale.ROOT, "cloud tax (share + markup + shortfall, of provider revenue): %.2f%% paid; maximum sustainable for a %.0f%% provider margin: %.2f%%%n",
                100 * tax, 100 * targetMargin, 100 * maxTax));
        b.append(String.format(Locale.ROOT, "custom silicon gain for the cloud: %s at the custom_share schedule; %s if all volume ran on %s instead of %s%n",
                usd(customSiliconGainRealised()), usd(customSiliconGainAll()), s.cloud.custom.chip, s.cloud.nvidia.chip));
        b.append("sensitivity (one at a time, each a full rerun; horizon margin change in percentage points, cloud economic profit change in $, at low / high):\n");
        for (Sensitivity.Swing w : tornado)
            b.append(String.format(Locale.ROOT, "  %-15s x%.2f / x%.2f   provider %+6.1f / %+6.1f pp   cloud %+6.1f / %+6.1f pp   cloud economic %9s / %9s   [%s]%n", w.input(),
                    w.low(), w.high(), 100 * (w.providerMarginLow() - base.providerMargin()), 100 * (w.providerMarginHigh() - base.providerMargin()),
                    100 * (w.cloudMarginLow() - base.cloudMargin()), 100 * (w.cloudMarginHigh() - base.cloudMargin()),
                    usd(w.cloudEconomicLow() - base.cloudEconomicProfit()), usd(w.cloudEconomicHigh() - base.cloudEconomicProfit()), shorten(w.basis(), 60)));
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
