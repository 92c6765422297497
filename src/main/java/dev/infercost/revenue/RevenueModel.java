package dev.infercost.revenue;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The revenue-share model: a scenario resolved against a cost table into per-year flows between a model
 * provider and its cloud, evaluated under {@link Factors}. All money in USD, volumes in queries. Costs are
 * absolute: the cost table's $/query for the named served model(s), times {@code compute.cost_scale} (default
 * 1); a calibration to a reported margin ({@code compute.calibrate_to}) is a separate what-if model
 * ({@link #calibrated()}), never the default.
 *
 * <p>Per year y (index i; f = factors, all 1 at base; k_y = cost index):
 * <pre>
 *   rpq        = sum_m w_m (isl_m price_in + osl_m price_out) / 1e6                 API revenue per query
 *   S_y, U_y   = sum_s subscribers x usd_per_month x 12,  sum_s subscribers x queries_per_month x 12
 *   A_y        = api_queries_y, or (revenue_usd_y - S_y) / rpq                       (derived at base prices)
 *   v          = f_vol f_price^-e                                                    paid volume factor (e = elasticity)
 *   Q_y        = v (A_y + U_y) + f_vol unpaid_y                                      queries served
 *   R_y        = v f_price (S_y + A_y rpq)                                           provider revenue
 *   k_y        = k_(y-1) (1 - d_y f_decline), k_first = 1                            cost per token index
 *   c_buy      = scale f_cost k_y sum_m w_m q_m E(ps_m)                              $/query (compute chip/tier row)
 *   usage_y    = Q_y c_buy (1 + markup f_markup);  compute_y = max(usage_y, commitment_y)  take-or-pay
 *   due_y      = rate_y f_take R_y;  paid_y = min(due_y, cap f_cap - paid so far) in the cap window
 *                (paid so far starts at cap.paid_before_usd; revenue accrues evenly, so a binding cap binds at
 *                 paid_y / due_y of the year)
 *   reverse_y  = reverse_rate_y x reverse_base_y x (share of year y before reverse.ends)   cloud -> provider
 *   serve_y    = Q_y scale f_cost k_y ((1 - c_y) cpq_nv E + c_y cpq_custom E);  program_y = custom_program_usd_y
 *   provider:  profit = R - paid - compute + reverse - other_costs,   margin = profit / R
 *   cloud:     revenue = paid + compute, operating profit = paid + compute - serve - program - reverse,
 *              margin = operating profit / revenue, economic profit = operating profit + stake f_stake x provider profit
 *   E(ps)      = 1 + ps (f_pue f_kwh - 1)   (ps = power share of the row's $/h: power cost ~ PUE x $/kWh)
 *   PV         = sum_y x_y (1 + r)^-(y - first year)
 * </pre>
 * Provider profit is after revenue share, inference compute and {@code provider.other_costs_usd} (0 when not given).
 */
public final class RevenueModel {
    /** The two parties. */
    public enum Party { PROVIDER, CLOUD }

    /** Per-year outcome. Money in USD. capBindsAt: fraction of the year at which the cap is reached (NaN when it does not bind). */
    public record Year(int year, double queries, double paidQueries, double providerRevenue, double takeRate, double shareDue,
                       double sharePaid, double capRemaining, double capBindsAt, double computeUsage, double computeBought,
                       double commitment, double reverseShare, double servingCost, double customProgramCost, double customShare,
                       double customSavingAll, double customSavingRealised, double otherCosts, double equityStake,
                       double costIndex, double discountFactor) {
        public double providerProfit() { return providerRevenue - sharePaid - computeBought + reverseShare - otherCosts; }
        public double providerMargin() { return providerRevenue == 0 ? Double.NaN : providerProfit() / providerRevenue; }
        public double cloudRevenue() { return sharePaid + computeBought; }
        /** The cloud's operating profit from the deal (before its equity share of provider profit). */
        public double cloudProfit() { return cloudRevenue() - servingCost - customProgramCost - reverseShare; }
        public double cloudMargin() { return cloudRevenue() == 0 ? Double.NaN : cloudProfit() / cloudRevenue(); }
        /** The cloud's share of provider profit through its equity stake. */
        public double equityPickup() { return equityStake * providerProfit(); }
        /** The cloud's total economic result: operating profit + equity share of provider profit. */
        public double cloudEconomicProfit() { return cloudProfit() + equityPickup(); }
        /** What the provider paid for compute it did not use (take-or-pay). */
        public double shortfall() { return computeBought - computeUsage; }
        public boolean capBinds() { return sharePaid < shareDue - 1e-6 * Math.max(1, shareDue); }
    }

    /** Outcome over the horizon. */
    public record Outcome(List<Year> years) {
        public double sum(ToDoubleFunction<Year> f) {
            double s = 0;
            for (Year y : years) s += f.applyAsDouble(y);
            return s;
        }
        /** Present value at the scenario's discount rate (to the first year). */
        public double pv(ToDoubleFunction<Year> f) {
            double s = 0;
            for (Year y : years) s += f.applyAsDouble(y) * y.discountFactor();
            return s;
        }
        public double providerRevenue() { return sum(Year::providerRevenue); }
        public double providerProfit() { return sum(Year::providerProfit); }
        public double providerMargin() { return providerProfit() / providerRevenue(); }
        public double cloudRevenue() { return sum(Year::cloudRevenue); }
        public double cloudProfit() { return sum(Year::cloudProfit); }
        public double cloudMargin() { return cloudProfit() / cloudRevenue(); }
        public double cloudEconomicProfit() { return sum(Year::cloudEconomicProfit); }
        public double profit(Party p) { return p == Party.PROVIDER ? providerProfit() : cloudProfit(); }
    }

    final Scenario scenario;
    final CostTable costs;
    final int n;
    final int[] years;
    final double[] apiQueries, subsRevenue, subsQueries, unpaidQueries, rate, customShare, commitment, decline,
            reverse, otherCosts, customProgram, discount;
    final double revenuePerApiQuery, elasticity, equityStake, discountRate;
    /** Per band (index band + 1): weighted $/query and weighted $/query x power share, of the compute / nvidia / custom rows. */
    final double[] buyQ = new double[3], buyQP = new double[3], nvQ = new double[3], nvQP = new double[3], cuQ = new double[3], cuQP = new double[3];
    final double markup, costScale;
    final String costScaleBasis;
    final double capAmount, capPaidBefore;
    final int capFirst, capLast;
    final boolean hasCap, bandMissing;
    /** The cost-table rows used (for provenance). */
    final List<CostTable.Row> usedRows = new ArrayList<>();

    /** Absolute costs: cost-table $ x compute.cost_scale (1 when not given). */
    public RevenueModel(Scenario s, CostTable costs) { this(s, costs, Double.NaN, null); }

    private RevenueModel(Scenario s, CostTable costs, double scaleOverride, String scaleBasis) {
        this.scenario = s;
        this.costs = costs;
        n = s.years.size();
        years = s.years.stream().mapToInt(Integer::intValue).toArray();
        Scenario.Provider p = s.provider;
        double rpq = 0;
        boolean missing = false;
        for (Scenario.MixEntry m : p.query_mix) {
            double w = m.share.value;
            double tps = m.min_tok_per_s_per_user == null ? Double.NaN : m.min_tok_per_s_per_user;
            String op = m.operating_point;
            CostTable.Row b = costs.select(s.compute.chip, s.compute.tier, op != null ? op : s.compute.operating_point, m.profile, m.model, tps,
                    "compute (" + m.label() + ")");
            CostTable.Row rn = costs.select(s.cloud.nvidia.chip, s.cloud.nvidia.tier, op != null ? op : s.cloud.nvidia.operating_point, m.profile,
                    m.model, tps, "cloud.nvidia (" + m.label() + ")");
            CostTable.Row rc = costs.select(s.cloud.custom.chip, s.cloud.custom.tier, op != null ? op : s.cloud.custom.operating_point, m.profile,
                    m.model, tps, "cloud.custom (" + m.label() + ")");
            for (CostTable.Row r : List.of(b, rn, rc)) {
                if (!usedRows.contains(r)) usedRows.add(r);
                missing |= r.bandMissing();
            }
            rpq += w * (b.isl() * p.usd_per_m_input.value + b.osl() * p.usd_per_m_output.value) / 1e6;
            for (int k = -1; k <= 1; k++) {
                buyQ[k + 1] += w * b.usdPerQuery(k);
                buyQP[k + 1] += w * b.usdPerQuery(k) * b.powerShare();
                nvQ[k + 1] += w * rn.usdPerQuery(k);
                nvQP[k + 1] += w * rn.usdPerQuery(k) * rn.powerShare();
                cuQ[k + 1] += w * rc.usdPerQuery(k);
                cuQP[k + 1] += w * rc.usdPerQuery(k) * rc.powerShare();
            }
        }
        bandMissing = missing;
        revenuePerApiQuery = rpq;
        markup = s.compute.markup.value;
        elasticity = p.price_elasticity == null ? 0 : p.price_elasticity.value;
        equityStake = s.cloud.equity_stake == null ? 0 : s.cloud.equity_stake.value;
        discountRate = s.discountRate().value;

        subsRevenue = new double[n];
        subsQueries = new double[n];
        apiQueries = new double[n];
        unpaidQueries = new double[n];
        rate = new double[n];
        customShare = new double[n];
        commitment = new double[n];
        decline = new double[n];
        reverse = new double[n];
        otherCosts = new double[n];
        customProgram = new double[n];
        discount = new double[n];
        Scenario.Reverse rev = s.revenue_share.reverse;
        java.time.LocalDate revEnds = rev == null || rev.ends == null ? null : java.time.LocalDate.parse(rev.ends);
        for (int i = 0; i < n; i++) {
            for (Scenario.Subscription sub : p.subscriptions) {
                double subs = Scenario.at(sub.subscribers, i).value;
                subsRevenue[i] += subs * sub.usd_per_month.value * 12;
                subsQueries[i] += subs * sub.queries_per_subscriber_per_month.value * 12;
            }
            if (p.api_queries_per_year != null) {
                apiQueries[i] = Scenario.at(p.api_queries_per_year, i).value;
            } else {
                double apiRevenue = Scenario.at(p.revenue_usd, i).value - subsRevenue[i];
                if (apiRevenue < -1e-6)
                    throw new BadInputException("scenario: provider.revenue_usd for " + years[i] + " (" + Scenario.at(p.revenue_usd, i).value
                            + ") is below subscription revenue (" + subsRevenue[i] + "); lower subscribers or raise revenue_usd");
                if (apiRevenue > 0 && rpq <= 0)
                    throw new BadInputException("scenario: API prices are 0, so API queries cannot be derived from revenue_usd");
                apiQueries[i] = apiRevenue <= 0 ? 0 : apiRevenue / rpq;
            }
            unpaidQueries[i] = p.unpaid_queries_per_year == null ? 0 : Scenario.at(p.unpaid_queries_per_year, i).value;
            rate[i] = Scenario.at(s.revenue_share.rate, i).value;
            customShare[i] = Scenario.at(s.cloud.custom_share, i).value;
            commitment[i] = s.compute.commitment_usd == null ? 0 : Scenario.at(s.compute.commitment_usd, i).value;
            decline[i] = s.compute.cost_decline == null || i == 0 ? 0 : Scenario.at(s.compute.cost_decline, i).value;
            otherCosts[i] = p.other_costs_usd == null ? 0 : Scenario.at(p.other_costs_usd, i).value;
            customProgram[i] = s.cloud.custom_program_usd == null ? 0 : Scenario.at(s.cloud.custom_program_usd, i).value;
            if (rev != null) {
                double active = 1;
                if (revEnds != null) {
                    if (years[i] > revEnds.getYear()) active = 0;
                    else if (years[i] == revEnds.getYear()) active = (revEnds.getDayOfYear() - 1) / (double) revEnds.lengthOfYear();
                }
                reverse[i] = Scenario.at(rev.rate, i).value * Scenario.at(rev.base_usd, i).value * active;
            }
            discount[i] = Math.pow(1 + discountRate, -(years[i] - years[0]));
        }
        Scenario.Cap cap = s.revenue_share.cap;
        hasCap = cap != null;
        capAmount = hasCap ? cap.amount_usd.value : Double.POSITIVE_INFINITY;
        capPaidBefore = hasCap && cap.paid_before_usd != null ? cap.paid_before_usd.value : 0;
        capFirst = hasCap && cap.first_year != null ? cap.first_year : Integer.MIN_VALUE;
        capLast = hasCap && cap.last_year != null ? cap.last_year : Integer.MAX_VALUE;

        if (!Double.isNaN(scaleOverride)) {
            costScale = scaleOverride;
            costScaleBasis = scaleBasis;
        } else if (s.compute.cost_scale != null) {
            costScale = s.compute.cost_scale.value;
            costScaleBasis = "cost_scale " + s.compute.cost_scale.citation();
        } else {
            costScale = 1;
            costScaleBasis = "1 (absolute: cost-table $/query of the named served models)";
        }
    }

    /**
     * The explicit what-if of {@code compute.calibrate_to}: the same scenario with every cost scaled so that compute
     * bought for PAID queries in the first year is (1 - margin) x revenue. Null when the scenario asks for none.
     * @throws BadInputException when there is nothing to calibrate against (no paid queries, revenue or compute price)
     */
    public RevenueModel calibrated() {
        Quantity m = scenario.compute.calibrate_to;
        if (m == null) return null;
        double paidQ = apiQueries[0] + subsQueries[0];
        double revenue0 = subsRevenue[0] + apiQueries[0] * revenuePerApiQuery;
        double unit = paidQ * buyQ[1] * (1 + markup);
        if (!(unit > 0) || !(revenue0 > 0))
            throw new BadInputException("scenario: compute.calibrate_to needs paid queries, revenue and a non-zero compute price in " + years[0]);
        double scale = (1 - m.value) * revenue0 / unit;
        return new RevenueModel(scenario, costs, scale, String.format(java.util.Locale.ROOT,
                "WHAT-IF calibrated: compute bought for paid queries in %d = (1 - %.2f) x revenue (%s)", years[0], m.value, m.citation()));
    }

    /** The same inputs under another deal's terms. */
    public RevenueModel forDeal(Scenario.Deal d) { return new RevenueModel(scenario.withDeal(d), costs, costScale, costScaleBasis); }

    /** The multiplier on cost-table $ figures (1 = absolute). */
    public double costScale() { return costScale; }

    public String costScaleBasis() { return costScaleBasis; }

    public double revenuePerApiQuery() { return revenuePerApiQuery; }

    /** Cloud's own serving cost per query on the Nvidia / custom option in the first year [USD/query], scale applied. */
    public double nvidiaCostPerQuery() { return nvQ[1] * costScale; }

    public double customCostPerQuery() { return cuQ[1] * costScale; }

    /** Cost-table $/query of the compute rows (no markup) in the first year, band -1/0/+1, scale applied. */
    public double computeCostPerQuery(int band) { return buyQ[band + 1] * costScale; }

    /** Provider's compute price per query in the first year, markup and scale applied [USD/query]. */
    public double providerComputePerQuery() { return buyQ[1] * costScale * (1 + markup); }

    /** True when some cost row used has no low/high band (the point value stands in for it). */
    public boolean bandMissing() { return bandMissing; }

    public double discountRate() { return discountRate; }

    public List<CostTable.Row> usedRows() { return List.copyOf(usedRows); }

    public int[] years() { return years.clone(); }

    public boolean hasCap() { return hasCap; }

    public boolean hasReverseShare() { return scenario.revenue_share.reverse != null; }

    public double capAmount() { return capAmount; }

    /** Evaluates the scenario under the given factors: the whole model, every year, recomputed. */
    public Outcome evaluate(Factors f) {
        List<Year> out = new ArrayList<>(n);
        double cum = capPaidBefore;
        double mk = Double.isNaN(f.markupAbs()) ? markup * f.markup() : f.markupAbs();
        double cap = Double.isNaN(f.capUsd()) ? capAmount * f.cap() : f.capUsd();
        double paidVol = f.volume() * Math.pow(f.price(), -elasticity);
        double stake = Math.max(0, Math.min(1, equityStake * f.equityStake()));
        double pk = f.pue() * f.usdPerKwh() - 1;
        int b = f.band() + 1;
        double unitBuy = costScale * f.costPerQuery() * (buyQ[b] + pk * buyQP[b]);
        double unitNv = costScale * f.costPerQuery() * (nvQ[b] + pk * nvQP[b]);
        double unitCu = costScale * f.costPerQuery() * (cuQ[b] + pk * cuQP[b]);
        double k = 1;
        for (int i = 0; i < n; i++) {
            k *= 1 - Math.min(1, decline[i] * f.costDecline());
            double paidQ = paidVol * (apiQueries[i] + subsQueries[i]);
            double q = paidQ + f.volume() * unpaidQueries[i];
            double revenue = paidVol * f.price() * (subsRevenue[i] + apiQueries[i] * revenuePerApiQuery);
            double r = Double.isNaN(f.flatTakeRate()) ? rate[i] * f.takeRate() : f.flatTakeRate();
            r = Math.max(0, Math.min(1, r));
            double due = r * revenue;
            double paid = due;
            double remaining = Double.POSITIVE_INFINITY;
            double bindsAt = Double.NaN;
            boolean inWindow = hasCap && f.capOn() && years[i] >= capFirst && years[i] <= capLast;
            if (inWindow) {
                paid = Math.min(due, Math.max(0, cap - cum));
                cum += paid;
                remaining = Math.max(0, cap - cum);
                if (paid < due - 1e-6 * Math.max(1, due)) bindsAt = paid / due;
            }
            double c = customShare[i];
            double usage = q * unitBuy * k * (1 + mk);
            double compute = Math.max(usage, commitment[i]);
            double nv = unitNv * k, cu = unitCu * k;
            double serve = q * ((1 - c) * nv + c * cu);
            double savingAll = q * (nv - cu);
            out.add(new Year(years[i], q, paidQ, revenue, r, due, paid, remaining, bindsAt, usage, compute, commitment[i], reverse[i], serve,
                    customProgram[i], c, savingAll, c * savingAll, otherCosts[i], stake, k, discount[i]));
        }
        return new Outcome(out);
    }

    /**
     * The flat take rate at which the provider's profit over the horizon is zero with no cap:
     * sum(R - C + reverse - other) / sum(R) (exact, since none of those depends on the rate).
     */
    public double breakEvenTakeRateUncapped(Factors f) {
        Outcome o = evaluate(f.withFlatTakeRate(0, false));
        return o.providerProfit() / o.providerRevenue();
    }

    /**
     * The flat take rate in [0, 1] at which the provider's profit over the horizon is zero with the cap applied
     * (bisection; profit is non-increasing in the rate), or NaN when there is none in [0, 1].
     */
    public double breakEvenTakeRateCapped(Factors f) {
        if (!hasCap) return breakEvenTakeRateUncapped(f);
        return breakEvenTakeRate(Party.PROVIDER, true, f);
    }

    /** The flat take rate in [0, 1] at which {@code party}'s horizon profit is zero (bisection), NaN when none. */
    public double breakEvenTakeRate(Party party, boolean capOn, Factors f) {
        return bisect(t -> evaluate(f.withFlatTakeRate(t, capOn)).profit(party), 0, 1);
    }

    /** The cumulative cap in [0, uncapped total due] at which {@code party}'s horizon profit is zero, NaN when none (or no cap). */
    public double breakEvenCap(Party party, Factors f) {
        if (!hasCap) return Double.NaN;
        double max = evaluate(f.withFlatTakeRate(Double.NaN, false)).sum(Year::shareDue) + capPaidBefore;
        return bisect(c -> evaluate(f.withCapUsd(c)).profit(party), 0, max);
    }

    /** The markup on compute in [-1, 20] at which {@code party}'s horizon profit is zero, NaN when none. */
    public double breakEvenMarkup(Party party, Factors f) {
        return bisect(m -> evaluate(f.withMarkup(m)).profit(party), -1, 20);
    }

    /**
     * The provider's maximum sustainable cloud tax for a target margin: the largest (share paid + compute paid -
     * compute at cost) / revenue over the horizon that leaves the provider at {@code targetMargin}:
     * 1 - target - (compute at cost + other costs - reverse share) / revenue. Compute at cost = usage / (1 + markup).
     */
    public double maxCloudTax(double targetMargin, Factors f) {
        Outcome o = evaluate(f);
        double mk = Double.isNaN(f.markupAbs()) ? markup * f.markup() : f.markupAbs();
        double atCost = o.sum(Year::computeUsage) / (1 + mk);
        return 1 - targetMargin - (atCost + o.sum(Year::otherCosts) - o.sum(Year::reverseShare)) / o.providerRevenue();
    }

    /** The cloud tax the provider pays at these factors: (share paid + compute paid - compute at cost) / revenue. */
    public double cloudTax(Factors f) {
        Outcome o = evaluate(f);
        double mk = Double.isNaN(f.markupAbs()) ? markup * f.markup() : f.markupAbs();
        double atCost = o.sum(Year::computeUsage) / (1 + mk);
        return (o.sum(Year::sharePaid) + o.sum(Year::computeBought) - atCost) / o.providerRevenue();
    }

    /** A root of g in [lo, hi] by bisection (g monotone), or NaN when g(lo) and g(hi) have the same strict sign. */
    static double bisect(DoubleUnaryOperator g, double lo, double hi) {
        double glo = g.applyAsDouble(lo), ghi = g.applyAsDouble(hi);
        if (glo == 0) return lo;
        if (ghi == 0) return hi;
        if (Math.signum(glo) == Math.signum(ghi)) return Double.NaN;
        for (int k = 0; k < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); k++) {
            double mid = (lo + hi) / 2;
            double gm = g.applyAsDouble(mid);
            if (Math.signum(gm) == Math.signum(glo)) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
