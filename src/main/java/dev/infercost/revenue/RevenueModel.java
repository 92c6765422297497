package dev.infercost.revenue;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * The revenue-share model: a scenario resolved against a cost table into per-year numbers, evaluated
 * under {@link Factors}. All money in USD, volumes in queries.
 *
 * <p>Per year y (f = factors, all 1 at base):
 * <pre>
 *   rpq        = sum_p mix_p (isl_p * price_in + osl_p * price_out) / 1e6          API revenue per query
 *   S_y, U_y   = sum_s subscribers * usd_per_month * 12,  sum_s subscribers * queries_per_month * 12
 *   A_y        = api_queries_y, or (revenue_usd_y - S_y) / rpq                      (derived at base prices)
 *   Q_y        = f_vol (A_y + U_y + unpaid_y)                                       queries served
 *   R_y        = f_vol f_price (S_y + A_y rpq)                                      provider revenue
 *   buy        = scale f_cost sum_p mix_p (isl_p m_in_p + osl_p m_out_p) / 1e6 * E(ps) * (1 + markup f_markup)
 *   C_y        = Q_y buy                                                            compute bought = sold
 *   due_y      = rate_y f_take R_y;  paid_y = min(due_y, cap - paid so far) inside the cap window
 *   serve_y    = Q_y scale f_cost ((1 - c_y) cpq_nv E(ps_nv) + c_y cpq_custom E(ps_custom))
 *   provider:  profit = R - paid - C,        margin = profit / R
 *   cloud:     revenue = paid + C, profit = paid + C - serve, margin = profit / (paid + C)
 *   E(ps)      = 1 + ps (f_pue f_kwh - 1)   (ps = power share of the row's $/h: power cost ~ PUE x $/kWh)
 * </pre>
 * Provider margin here is after revenue share and inference compute only (no training, staff, other opex).
 */
public final class RevenueModel {
    /** Per-year outcome. Money in USD. */
    public record Year(int year, double queries, double paidQueries, double providerRevenue, double takeRate, double shareDue,
                       double sharePaid, double capRemaining, double computeBought, double servingCost, double customShare,
                       double customSavingAll, double customSavingRealised) {
        public double providerProfit() { return providerRevenue - sharePaid - computeBought; }
        public double providerMargin() { return providerRevenue == 0 ? Double.NaN : providerProfit() / providerRevenue; }
        public double cloudRevenue() { return sharePaid + computeBought; }
        public double cloudProfit() { return cloudRevenue() - servingCost; }
        public double cloudMargin() { return cloudRevenue() == 0 ? Double.NaN : cloudProfit() / cloudRevenue(); }
        public boolean capBinds() { return sharePaid < shareDue - 1e-6 * Math.max(1, shareDue); }
    }

    /** Outcome over the horizon. */
    public record Outcome(List<Year> years) {
        public double sum(java.util.function.ToDoubleFunction<Year> f) {
            double s = 0;
            for (Year y : years) s += f.applyAsDouble(y);
            return s;
        }
        public double providerRevenue() { return sum(Year::providerRevenue); }
        public double providerProfit() { return sum(Year::providerProfit); }
        public double providerMargin() { return providerProfit() / providerRevenue(); }
        public double cloudRevenue() { return sum(Year::cloudRevenue); }
        public double cloudProfit() { return sum(Year::cloudProfit); }
        public double cloudMargin() { return cloudProfit() / cloudRevenue(); }
    }

    final Scenario scenario;
    final CostTable costs;
    final int n;
    final int[] years;
    final double[] apiQueries, subsRevenue, subsQueries, unpaidQueries, rate, customShare;
    final double revenuePerApiQuery;
    /** Provider's compute price per query before markup (cost-table $/M tokens x mix), and its power share. */
    final double buyPerQuery, buyPowerShare;
    final double nvidiaPerQuery, nvidiaPowerShare, customPerQuery, customPowerShare;
    final double markup, costScale;
    final String costScaleBasis;
    final double capAmount, capPaidBefore;
    final int capFirst, capLast;
    final boolean hasCap;
    /** The cost-table rows used (for provenance). */
    final List<CostTable.Row> usedRows = new ArrayList<>();

    public RevenueModel(Scenario s, CostTable costs) {
        this.scenario = s;
        this.costs = costs;
        n = s.years.size();
        years = s.years.stream().mapToInt(Integer::intValue).toArray();
        Scenario.Provider p = s.provider;
        // query mix against the compute rows (what the provider buys)
        double rpq = 0, buy = 0, buyPower = 0, nv = 0, nvPower = 0, cu = 0, cuPower = 0;
        for (Scenario.MixEntry m : p.query_mix) {
            double w = m.share.value;
            CostTable.Row b = costs.select(s.compute.chip, s.compute.tier, s.compute.operating_point, m.profile, "compute");
            CostTable.Row rn = costs.select(s.cloud.nvidia.chip, s.cloud.nvidia.tier, s.cloud.nvidia.operating_point, m.profile, "cloud.nvidia");
            CostTable.Row rc = costs.select(s.cloud.custom.chip, s.cloud.custom.tier, s.cloud.custom.operating_point, m.profile, "cloud.custom");
            for (CostTable.Row r : List.of(b, rn, rc)) if (!usedRows.contains(r)) usedRows.add(r);
            rpq += w * (b.isl() * p.usd_per_m_input.value + b.osl() * p.usd_per_m_output.value) / 1e6;
            double bq = w * (b.isl() * b.usdPerMInput() + b.osl() * b.usdPerMOutput()) / 1e6;
            buy += bq;
            buyPower += bq * b.powerShare();
            nv += w * rn.usdPerQuery();
            nvPower += w * rn.usdPerQuery() * rn.powerShare();
            cu += w * rc.usdPerQuery();
            cuPower += w * rc.usdPerQuery() * rc.powerShare();
        }
        revenuePerApiQuery = rpq;
        buyPerQuery = buy;
        buyPowerShare = buy > 0 ? buyPower / buy : 0;
        nvidiaPerQuery = nv;
        nvidiaPowerShare = nv > 0 ? nvPower / nv : 0;
        customPerQuery = cu;
        customPowerShare = cu > 0 ? cuPower / cu : 0;
        markup = s.compute.markup.value;

        subsRevenue = new double[n];
        subsQueries = new double[n];
        apiQueries = new double[n];
        unpaidQueries = new double[n];
        rate = new double[n];
        customShare = new double[n];
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
        }
        Scenario.Cap cap = s.revenue_share.cap;
        hasCap = cap != null;
        capAmount = hasCap ? cap.amount_usd.value : Double.POSITIVE_INFINITY;
        capPaidBefore = hasCap && cap.paid_before_usd != null ? cap.paid_before_usd.value : 0;
        capFirst = hasCap && cap.first_year != null ? cap.first_year : Integer.MIN_VALUE;
        capLast = hasCap && cap.last_year != null ? cap.last_year : Integer.MAX_VALUE;

        if (s.compute.calibrate_compute_margin != null) {
            double m = s.compute.calibrate_compute_margin.value;
            double paidQ = apiQueries[0] + subsQueries[0];
            double revenue0 = subsRevenue[0] + apiQueries[0] * rpq;
            double unit = paidQ * buy * (1 + markup);
            if (!(unit > 0) || !(revenue0 > 0))
                throw new BadInputException("scenario: compute.calibrate_compute_margin needs paid queries, revenue and a non-zero compute price in " + years[0]);
            costScale = (1 - m) * revenue0 / unit;
            costScaleBasis = String.format(java.util.Locale.ROOT,
                    "calibrated: compute bought for paid queries in %d = (1 - %.2f) x revenue (%s)", years[0], m,
                    s.compute.calibrate_compute_margin.citation());
        } else if (s.compute.cost_scale != null) {
            costScale = s.compute.cost_scale.value;
            costScaleBasis = "cost_scale " + s.compute.cost_scale.citation();
        } else {
            costScale = 1;
            costScaleBasis = "1 (costed model = served model)";
        }
    }

    /** The multiplier from the costed model to the served model actually used. */
    public double costScale() { return costScale; }

    public String costScaleBasis() { return costScaleBasis; }

    public double revenuePerApiQuery() { return revenuePerApiQuery; }

    /** Cloud's own serving cost per query on the Nvidia / custom option at base [USD/query], scale applied. */
    public double nvidiaCostPerQuery() { return nvidiaPerQuery * costScale; }

    public double customCostPerQuery() { return customPerQuery * costScale; }

    /** Provider's compute price per query at base, markup and scale applied [USD/query]. */
    public double providerComputePerQuery() { return buyPerQuery * costScale * (1 + markup); }

    public List<CostTable.Row> usedRows() { return List.copyOf(usedRows); }

    public int[] years() { return years.clone(); }

    /** Evaluates the scenario under the given factors. */
    public Outcome evaluate(Factors f) {
        List<Year> out = new ArrayList<>(n);
        double cum = capPaidBefore;
        double buy = buyPerQuery * costScale * f.costPerQuery() * f.energyFactor(buyPowerShare) * (1 + markup * f.markup());
        double nv = nvidiaPerQuery * costScale * f.costPerQuery() * f.energyFactor(nvidiaPowerShare);
        double cu = customPerQuery * costScale * f.costPerQuery() * f.energyFactor(customPowerShare);
        for (int i = 0; i < n; i++) {
            double paidQ = f.volume() * (apiQueries[i] + subsQueries[i]);
            double q = paidQ + f.volume() * unpaidQueries[i];
            double revenue = f.volume() * f.price() * (subsRevenue[i] + apiQueries[i] * revenuePerApiQuery);
            double r = Double.isNaN(f.flatTakeRate()) ? rate[i] * f.takeRate() : f.flatTakeRate();
            r = Math.max(0, Math.min(1, r));
            double due = r * revenue;
            double paid = due;
            double remaining = Double.POSITIVE_INFINITY;
            boolean inWindow = hasCap && f.capOn() && years[i] >= capFirst && years[i] <= capLast;
            if (inWindow) {
                paid = Math.min(due, Math.max(0, capAmount - cum));
                cum += paid;
                remaining = Math.max(0, capAmount - cum);
            }
            double c = customShare[i];
            double compute = q * buy;
            double serve = q * ((1 - c) * nv + c * cu);
            double savingAll = q * (nv - cu);
            out.add(new Year(years[i], q, paidQ, revenue, r, due, paid, remaining, compute, serve, c, savingAll, c * savingAll));
        }
        return new Outcome(out);
    }

    /**
     * The flat take rate at which the provider's profit over the horizon is zero with no cap:
     * sum(R - C) / sum(R) (exact, since revenue R and compute C do not depend on the rate).
     */
    public double breakEvenTakeRateUncapped(Factors f) {
        Outcome o = evaluate(f.withFlatTakeRate(0, false));
        return o.sum(y -> y.providerRevenue() - y.computeBought()) / o.providerRevenue();
    }

    /**
     * The flat take rate in [0, 1] at which the provider's profit over the horizon is zero with the cap
     * applied (bisection; profit is non-increasing in the rate), or NaN when even a 100% rate leaves
     * the provider profitable because the cap binds first, or a 0% rate loses money.
     */
    public double breakEvenTakeRateCapped(Factors f) {
        if (!hasCap) return breakEvenTakeRateUncapped(f);
        double lo = 0, hi = 1;
        if (evaluate(f.withFlatTakeRate(lo, true)).providerProfit() < 0) return Double.NaN;
        if (evaluate(f.withFlatTakeRate(hi, true)).providerProfit() > 0) return Double.NaN;
        for (int k = 0; k < 200 && hi - lo > 1e-12; k++) {
            double mid = (lo + hi) / 2;
            if (evaluate(f.withFlatTakeRate(mid, true)).providerProfit() > 0) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    public boolean hasCap() { return hasCap; }
}
