package dev.infercost.revenue;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The revenue-share model against hand-computed cases (fixtures/scenario-two-year.yaml + cost-simple.csv):
 * <pre>
 *  revenue/query  = (1000 x $2 + 500 x $8) / 1e6 = $0.006      -> R = $6M (2026), $12M (2027)
 *  compute price  = (1000 x $1 + 500 x $4) / 1e6 x 1.5 = $0.0045/query -> C = $4.5M, $9M
 *  share due 20%  = $1.2M, $2.4M; cap $3M -> paid $1.2M, $1.8M (binds in 2027)
 *  serving        = 1e9 x $0.003 = $3M;  2e9 x (0.5 x 0.003 + 0.5 x 0.001) = $4M
 *  provider profit= 6 - 1.2 - 4.5 = $0.3M (5%);   12 - 1.8 - 9 = $1.2M (10%)
 *  cloud profit   = 1.2 + 4.5 - 3 = $2.7M;        1.8 + 9 - 4 = $6.8M
 * </pre>
 */
class RevenueModelTest {
    static final double EPS = 1e-6;

    static RevenueModel model(String yamlOverride) {
        Scenario s = yamlOverride == null ? Scenario.load(Fixtures.path("scenario-two-year.yaml"))
                : Scenario.parse(new ByteArrayInputStream(yamlOverride.getBytes(StandardCharsets.UTF_8)), "test scenario");
        return new RevenueModel(s, CostTable.read(Fixtures.path("cost-simple.csv")));
    }

    static String fixtureText() throws Exception {
        return Files.readString(Fixtures.path("scenario-two-year.yaml"));
    }

    @Test
    void twoYearScenarioWithCapBindingInYearTwo() {
        RevenueModel m = model(null);
        assertEquals(0.006, m.revenuePerApiQuery(), 1e-15);
        RevenueModel.Outcome o = m.evaluate(Factors.BASE);
        RevenueModel.Year y1 = o.years().get(0), y2 = o.years().get(1);
        assertEquals(6e6, y1.providerRevenue(), EPS);
        assertEquals(12e6, y2.providerRevenue(), EPS);
        assertEquals(1.2e6, y1.sharePaid(), EPS);
        assertFalse(y1.capBinds());
        assertEquals(1.8e6, y1.capRemaining(), EPS);
        assertEquals(2.4e6, y2.shareDue(), EPS);
        assertEquals(1.8e6, y2.sharePaid(), EPS);
        assertTrue(y2.capBinds());
        assertEquals(0, y2.capRemaining(), EPS);
        assertEquals(4.5e6, y1.computeBought(), EPS);
        assertEquals(9e6, y2.computeBought(), EPS);
        assertEquals(3e6, y1.servingCost(), EPS);
        assertEquals(4e6, y2.servingCost(), EPS);
        assertEquals(0.3e6, y1.providerProfit(), EPS);
        assertEquals(0.05, y1.providerMargin(), 1e-12);
        assertEquals(1.2e6, y2.providerProfit(), EPS);
        assertEquals(0.10, y2.providerMargin(), 1e-12);
        assertEquals(2.7e6, y1.cloudProfit(), EPS);
        assertEquals(6.8e6, y2.cloudProfit(), EPS);
        assertEquals(6.8e6 / 10.8e6, y2.cloudMargin(), 1e-12);
        assertEquals(1.5e6 / 18e6, o.providerMargin(), 1e-12);
        assertEquals(9.5e6 / 16.5e6, o.cloudMargin(), 1e-12);
        // custom silicon: $0.002/query saved on every query moved; 2027 moves half of 2e9
        assertEquals(2e6, y1.customSavingAll(), EPS);
        assertEquals(0, y1.customSavingRealised(), EPS);
        assertEquals(4e6, y2.customSavingAll(), EPS);
        assertEquals(2e6, y2.customSavingRealised(), EPS);
    }

    @Test
    void cheapestOperatingPointIsPickedAndNamedOneCanBeForced() throws Exception {
        assertEquals(0.003, model(null).nvidiaCostPerQuery(), 1e-15);
        RevenueModel forced = model(fixtureText().replace("nvidia: {chip: NV-1, tier: owner-tco}",
                "nvidia: {chip: NV-1, tier: owner-tco, operating_point: \"decode batch=1\"}"));
        assertEquals(0.006, forced.nvidiaCostPerQuery(), 1e-15);
    }

    @Test
    void breakEvenTakeRateIsExactForTheLinearCase() throws Exception {
        RevenueModel m = model(null);
        // sum(R - C) / sum(R) = (1.5 + 3) / 18 = 0.25
        assertEquals(0.25, m.breakEvenTakeRateUncapped(Factors.BASE), 1e-15);
        assertEquals(0, m.evaluate(Factors.BASE.withFlatTakeRate(0.25, false)).providerProfit(), 1e-6);
        // with the $3M cap the provider never pays more than 3M < 4.5M of margin: no break-even in [0, 1]
        assertTrue(Double.isNaN(m.breakEvenTakeRateCapped(Factors.BASE)));
        // a $6M cap: profit = 4.5M - min(18M t, 6M) = 0 at t = 0.25
        RevenueModel loose = model(fixtureText().replace("amount_usd: 3.0e6", "amount_usd: 6.0e6"));
        assertEquals(0.25, loose.breakEvenTakeRateCapped(Factors.BASE), 1e-9);
    }

    @Test
    void sensitivitySignsFollowTheEconomics() throws Exception {
        RevenueModel m = model(fixtureText().replace("  cap: {amount_usd: 3.0e6, first_year: 2026, last_year: 2027}\n", ""));
        RevenueModel.Outcome base = m.evaluate(Factors.BASE);
        RevenueModel.Outcome moreTake = m.evaluate(Factors.BASE.with("take_rate", 1.2));
        assertTrue(moreTake.providerMargin() < base.providerMargin(), "higher take rate lowers provider margin");
        assertTrue(moreTake.cloudMargin() > base.cloudMargin(), "higher take rate raises cloud margin");
        RevenueModel.Outcome dearer = m.evaluate(Factors.BASE.with("cost_per_query", 1.5));
        assertTrue(dearer.providerMargin() < base.providerMargin());
        assertTrue(m.evaluate(Factors.BASE.with("price", 1.2)).providerMargin() > base.providerMargin());
        RevenueModel.Outcome markup = m.evaluate(Factors.BASE.with("markup", 2));
        assertTrue(markup.providerMargin() < base.providerMargin());
        assertTrue(markup.cloudMargin() > base.cloudMargin());
        assertTrue(m.evaluate(Factors.BASE.with("pue", 1.3)).cloudMargin() < base.cloudMargin());
        assertTrue(m.evaluate(Factors.BASE.with("usd_per_kwh", 1.5)).cloudMargin() < base.cloudMargin());
        // PUE x1.2 on rows whose power share is 0.25: costs x1.05 exactly
        RevenueModel.Outcome pue = m.evaluate(Factors.BASE.with("pue", 1.2));
        assertEquals(base.sum(RevenueModel.Year::servingCost) * 1.05, pue.sum(RevenueModel.Year::servingCost), 1e-6);
        assertEquals(base.sum(RevenueModel.Year::computeBought) * 1.05, pue.sum(RevenueModel.Year::computeBought), 1e-6);

        List<Sensitivity.Swing> t = Sensitivity.tornado(m);
        assertEquals(Factors.INPUTS.size(), t.size());
        Sensitivity.Swing take = t.stream().filter(s -> s.input().equals("take_rate")).findFirst().orElseThrow();
        assertEquals(0.5, take.low());
        assertTrue(take.providerMarginHigh() < take.providerMarginLow());
        assertTrue(take.cloudMarginHigh() > take.cloudMarginLow());
        Sensitivity.Swing price = t.stream().filter(s -> s.input().equals("price")).findFirst().orElseThrow();
        assertEquals(Sensitivity.DEFAULT_LOW, price.low(), "no range stated -> default swing");
        for (int i = 1; i < t.size(); i++) assertTrue(t.get(i - 1).providerRange() >= t.get(i).providerRange(), "tornado sorted by range");
    }

    @Test
    void monteCarloIsReproducibleWithItsSeed() {
        RevenueModel m = model(null);
        Sensitivity.MonteCarlo a = Sensitivity.monteCarlo(m, 42, 2000), b = Sensitivity.monteCarlo(m, 42, 2000);
        Sensitivity.MonteCarlo c = Sensitivity.monteCarlo(m, 43, 2000);
        assertArrayEquals(a.providerMargin(), b.providerMargin(), 0.0);
        assertArrayEquals(a.cloudProfit(), b.cloudProfit(), 0.0);
        assertNotEquals(a.providerMargin()[2], c.providerMargin()[2]);
        for (int i = 1; i < a.percentiles().length; i++) assertTrue(a.providerMargin()[i] >= a.providerMargin()[i - 1]);
        // the median stays near the base case (ranges are centred-ish multipliers)
        assertEquals(m.evaluate(Factors.BASE).providerMargin(), a.providerMargin()[2], 0.1);
    }

    @Test
    void triangularInverseCdfMatchesClosedForm() {
        assertEquals(0.5, Sensitivity.triangular(0, 0.5, 1, 2), 1e-12);
        assertEquals(1.0, Sensitivity.triangular(1.0 / 3, 0.5, 1, 2), 1e-12); // F(c) = (c-a)/(b-a) = 1/3
        assertEquals(2.0, Sensitivity.triangular(1 - 1e-16, 0.5, 1, 2), 1e-6);
    }

    @Test
    void revenueModeDerivesApiQueriesAfterSubscriptions() throws Exception {
        // $6.12M of revenue, $120k of it subscriptions (1000 x $10 x 12) -> API $6M / $0.006 = 1e9 queries (+1.2M subscriber queries)
        RevenueModel m = model(fixtureText().replace("api_queries_per_year: [1.0e9, 2.0e9]",
                "revenue_usd: [6.12e6, 12.12e6]\n  subscriptions: [{name: s, usd_per_month: 10, subscribers: [1000], queries_per_subscriber_per_month: 100}]\n"
                        + "  unpaid_queries_per_year: [1.0e8]"));
        RevenueModel.Year y1 = m.evaluate(Factors.BASE).years().get(0);
        assertEquals(6.12e6, y1.providerRevenue(), 1e-6);
        assertEquals(1e9 + 1.2e6, y1.paidQueries(), 1e-3);
        assertEquals(1e9 + 1.2e6 + 1e8, y1.queries(), 1e-3);
    }

    @Test
    void calibrationIsAWhatIfBesideTheAbsoluteResult() throws Exception {
        RevenueModel m = model(fixtureText().replace("cost_scale: 1", "calibrate_to: 0.7"));
        // the default path stays absolute: compute = 1e9 x $0.003 x 1.5 = $4.5M
        assertEquals(1, m.costScale(), 0);
        assertEquals(4.5e6, m.evaluate(Factors.BASE).years().get(0).computeBought(), 1e-6);
        // the what-if: scale = (1 - 0.7) x $6M / $4.5M = 0.4 -> compute $1.8M in 2026
        RevenueModel cal = m.calibrated();
        assertEquals(0.3 * 6e6 / 4.5e6, cal.costScale(), 1e-12);
        assertEquals(0.3 * 6e6, cal.evaluate(Factors.BASE).years().get(0).computeBought(), 1e-6);
        assertNull(model(null).calibrated(), "no calibrate_to: no what-if");
        // the old silent key is refused by name
        BadInputException e = assertThrows(BadInputException.class, () -> model(fixtureText().replace("cost_scale: 1", "calibrate_compute_margin: 0.7")));
        assertTrue(e.getMessage().contains("calibrate_compute_margin"), e.getMessage());
    }

    @Test
    void badInputsNameTheField() throws Exception {
        String base = fixtureText();
        BadInputException e = assertThrows(BadInputException.class, () -> model(base.replace("share: 1}", "share: 0.9}")));
        assertTrue(e.getMessage().contains("query_mix"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> model(base.replace("profile: chat", "profile: essay")));
        assertTrue(e.getMessage().contains("'essay'") && e.getMessage().contains("NV-1 / owner-tco / chat"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> model(base.replace("rate: [0.2]", "rate: [20]")));
        assertTrue(e.getMessage().contains("revenue_share.rate"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> model(base.replace("markup: 0.5", "markup: 0.5, markups: 2")));
        assertTrue(e.getMessage().contains("markups"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> model(base.replace("rate: [0.2]", "rate: [0.2, 0.2, 0.2]")));
        assertTrue(e.getMessage().contains("3 values for 2 years"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> model(base.replace("usd_per_m_input: 2", "usd_per_m_input: {value: 2, confidence: high}")));
        assertTrue(e.getMessage().contains("needs a source"), e.getMessage());
        java.nio.file.Path broken = java.nio.file.Files.createTempFile("cost", ".csv");
        java.nio.file.Files.writeString(broken, "chip,tier\n\"H200,owner-tco\n");
        e = assertThrows(BadInputException.class, () -> CostTable.read(broken));
        assertTrue(e.getMessage().contains("malformed CSV"), e.getMessage());
        java.nio.file.Files.writeString(broken, "chip,tier\nH200,owner-tco\n");
        e = assertThrows(BadInputException.class, () -> CostTable.read(broken));
        assertTrue(e.getMessage().contains("lacks column"), e.getMessage());
        java.nio.file.Files.delete(broken);
        e = assertThrows(BadInputException.class, () -> model(base.replace("usd_per_m_input: 2", "usd_per_m_input: {ref: \"OpenAI|revenue|1999\"}")));
        assertTrue(e.getMessage().contains("OpenAI|revenue|1999"), e.getMessage());
    }
}
