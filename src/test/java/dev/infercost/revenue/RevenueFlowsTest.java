package dev.infercost.revenue;

import dev.infercost.results.CostColumn;
import dev.infercost.results.CsvTable;
import dev.infercost.results.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The flows between provider and cloud against hand-computed cases. Base case (fixtures/scenario-two-year.yaml +
 * cost-simple.csv), as in {@link RevenueModelTest}:
 * <pre>
 *  R = $6M (2026), $12M (2027);  compute usage = 1e9 x $0.003 x 1.5 = $4.5M, $9M;  serving $3M, $4M
 *  share due 20% = $1.2M, $2.4M; cap $3M over 2026-2027 -> paid $1.2M, $1.8M
 *  provider profit $0.3M, $1.2M;  cloud operating profit $2.7M, $6.8M
 * </pre>
 */
class RevenueFlowsTest {
    static final double EPS = 1e-6;

    static String fixture() throws Exception { return Files.readString(Fixtures.path("scenario-two-year.yaml")); }

    static Scenario scenario(String yaml) {
        return Scenario.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test scenario");
    }

    static RevenueModel model(String yaml) { return new RevenueModel(scenario(yaml), CostTable.read(Fixtures.path("cost-simple.csv"))); }

    static final String CAP = "  cap: {amount_usd: 3.0e6, first_year: 2026, last_year: 2027}\n";
    static final String COMPUTE = "compute: {chip: NV-1, tier: owner-tco, markup: 0.5, cost_scale: 1}";
    static final String CUSTOM_SHARE = "  custom_share: [0, 0.5]\n";

    @Test
    void capBindsPartWayThroughTheYear() throws Exception {
        RevenueModel.Outcome o = model(fixture()).evaluate(Factors.BASE);
        // 2026: $1.2M due, $1.8M left: no binding
        assertTrue(Double.isNaN(o.years().get(0).capBindsAt()));
        // 2027: $1.8M left of $2.4M due; revenue accrues evenly -> the cap is reached 1.8 / 2.4 = 75% into 2027 (1 October)
        assertEquals(0.75, o.years().get(1).capBindsAt(), 1e-12);
        assertEquals(1.8e6, o.years().get(1).sharePaid(), EPS);

        // $1M already counted against the cap before 2026: 2026 pays $1.2M (cap left $0.8M), 2027 pays $0.8M of $2.4M:
        // reached 0.8 / 2.4 = 1/3 into 2027 (end of April)
        RevenueModel.Outcome pre = model(fixture().replace(CAP, "  cap: {amount_usd: 3.0e6, first_year: 2026, last_year: 2027, paid_before_usd: 1.0e6}\n"))
                .evaluate(Factors.BASE);
        assertEquals(1.2e6, pre.years().get(0).sharePaid(), EPS);
        assertEquals(0.8e6, pre.years().get(0).capRemaining(), EPS);
        assertEquals(0.8e6, pre.years().get(1).sharePaid(), EPS);
        assertEquals(1.0 / 3, pre.years().get(1).capBindsAt(), 1e-12);
        // provider 2027: 12 - 0.8 - 9 = $2.2M
        assertEquals(2.2e6, pre.years().get(1).providerProfit(), EPS);

        // a cap window of 2027 only: 2026 pays its full $1.2M outside the window; 2027 pays min($2.4M, $2M) = $2M, binding 2/2.4 in
        RevenueModel.Outcome win = model(fixture().replace(CAP, "  cap: {amount_usd: 2.0e6, first_year: 2027, last_year: 2027}\n")).evaluate(Factors.BASE);
        assertEquals(1.2e6, win.years().get(0).sharePaid(), EPS);
        assertEquals(2.0e6, win.years().get(1).sharePaid(), EPS);
        assertEquals(2.0 / 2.4, win.years().get(1).capBindsAt(), 1e-12);
    }

    @Test
    void takeOrPayCommitmentBindsWhenUsageFallsShort() throws Exception {
        RevenueModel.Outcome o = model(fixture().replace(COMPUTE, COMPUTE.replace("}", ", commitment_usd: [6.0e6]}"))).evaluate(Factors.BASE);
        RevenueModel.Year y1 = o.years().get(0), y2 = o.years().get(1);
        // 2026: usage $4.5M < $6M commitment -> pays $6M, shortfall $1.5M
        assertEquals(4.5e6, y1.computeUsage(), EPS);
        assertEquals(6.0e6, y1.computeBought(), EPS);
        assertEquals(1.5e6, y1.shortfall(), EPS);
        // provider 6 - 1.2 - 6 = -$1.2M; cloud 1.2 + 6 - 3 = $4.2M (serves only what is used)
        assertEquals(-1.2e6, y1.providerProfit(), EPS);
        assertEquals(4.2e6, y1.cloudProfit(), EPS);
        // 2027: usage $9M > $6M: no shortfall
        assertEquals(9.0e6, y2.computeBought(), EPS);
        assertEquals(0, y2.shortfall(), EPS);
    }

    @Test
    void equityStakeAddsTheCloudsShareOfProviderProfit() throws Exception {
        RevenueModel.Outcome o = model(fixture().replace(CUSTOM_SHARE, CUSTOM_SHARE + "  equity_stake: 0.27\n")).evaluate(Factors.BASE);
        // 2026: 2.7 + 0.27 x 0.3 = $2.781M; 2027: 6.8 + 0.27 x 1.2 = $7.124M
        assertEquals(0.081e6, o.years().get(0).equityPickup(), EPS);
        assertEquals(2.781e6, o.years().get(0).cloudEconomicProfit(), EPS);
        assertEquals(7.124e6, o.years().get(1).cloudEconomicProfit(), EPS);
        assertEquals(2.7e6, o.years().get(0).cloudProfit(), EPS, "operating profit is unchanged by the stake");
        assertEquals(9.905e6, o.cloudEconomicProfit(), EPS);
    }

    @Test
    void reverseShareEndsProRataOnItsDate() throws Exception {
        RevenueModel.Outcome o = model(fixture().replace(CAP, CAP + "  reverse: {rate: [0.2], base_usd: [1.0e6, 2.0e6], ends: \"2026-04-27\"}\n"))
                .evaluate(Factors.BASE);
        // 2026-04-27 is day 117 (31 + 28 + 31 + 27): 116 of 365 days paid -> 0.2 x $1M x 116/365 = $63,561.64
        double rev = 0.2 * 1e6 * 116 / 365;
        assertEquals(63_561.64, rev, 0.01);
        assertEquals(rev, o.years().get(0).reverseShare(), 1e-6);
        assertEquals(0, o.years().get(1).reverseShare(), 0);
        assertEquals(0.3e6 + rev, o.years().get(0).providerProfit(), 1e-6);
        assertEquals(2.7e6 - rev, o.years().get(0).cloudProfit(), 1e-6);
    }

    @Test
    void presentValueAtTenPercent() throws Exception {
        RevenueModel m = model(fixture() + "finance: {discount_rate: 0.10}\n");
        RevenueModel.Outcome o = m.evaluate(Factors.BASE);
        // provider: 0.3 + 1.2 / 1.1 = $1.390909M; cloud: 2.7 + 6.8 / 1.1 = $8.881818M
        assertEquals(0.3e6 + 1.2e6 / 1.1, o.pv(RevenueModel.Year::providerProfit), EPS);
        assertEquals(1.390909e6, o.pv(RevenueModel.Year::providerProfit), 1);
        assertEquals(8.881818e6, o.pv(RevenueModel.Year::cloudProfit), 1);
        assertEquals(1.5e6, o.providerProfit(), EPS, "nominal total beside it");
        assertEquals(0.1, model(fixture()).discountRate(), 0, "no finance block: the stated default 10%");
    }

    @Test
    void dealComparisonDifferenceIsTheShareSaved() throws Exception {
        String yaml = fixture().replace(CUSTOM_SHARE, CUSTOM_SHARE + "  equity_stake: 0.27\n") + "terms_name: capped\nfinance: {discount_rate: 0.10}\n"
                + "deals:\n  - name: uncapped\n    revenue_share: {rate: [0.2]}\n";
        RevenueResult r = RevenueStage.compute(scenario(yaml), CostTable.read(Fixtures.path("cost-simple.csv")));
        RevenueResult.Deal ref = r.deals().get(0), un = r.deals().get(1);
        assertEquals("capped", ref.name());
        // the cap saves the provider 2.4 - 1.8 = $0.6M in 2027 and nothing in 2026
        double saved = 2.4e6 - 1.8e6;
        assertEquals(0, un.outcome().years().get(0).providerProfit() - ref.outcome().years().get(0).providerProfit(), EPS);
        assertEquals(-saved, un.outcome().years().get(1).providerProfit() - ref.outcome().years().get(1).providerProfit(), EPS);
        assertEquals(saved, un.outcome().years().get(1).cloudProfit() - ref.outcome().years().get(1).cloudProfit(), EPS);
        // the cloud's economic change nets its 27% of the provider's loss: 0.6 - 0.27 x 0.6 = $0.438M
        assertEquals(0.438e6, un.outcome().cloudEconomicProfit() - ref.outcome().cloudEconomicProfit(), EPS);
        // in present value: -0.6 / 1.1 = -$545,454.55
        assertEquals(-saved / 1.1, un.outcome().pv(RevenueModel.Year::providerProfit) - ref.outcome().pv(RevenueModel.Year::providerProfit), EPS);
        assertEquals(saved, r.capSaving(), EPS);
        // the table carries the same differences
        CsvTable t = r.dealTable();
        int deal = t.columns().indexOf("deal"), year = t.columns().indexOf("year"), party = t.columns().indexOf("party");
        int change = t.columns().indexOf("profit_change_vs_reference [$]");
        List<Object> pv = t.rows().stream().filter(x -> x.get(deal).equals("uncapped") && x.get(year).equals("pv") && x.get(party).equals("provider"))
                .findFirst().orElseThrow();
        assertEquals(-saved / 1.1, (Double) pv.get(change), EPS);
    }

    @Test
    void breakEvenMarkupCapAndMaximumCloudTax() throws Exception {
        RevenueModel m = model(fixture());
        // compute at cost = 1e9 x 0.003 + 2e9 x 0.003 = $9M over the horizon; share paid $3M (cap); R = $18M
        // provider: 18 - 3 - 9 (1 + m) = 0 -> m = 15/9 - 1 = 0.6667
        assertEquals(15.0 / 9 - 1, m.breakEvenMarkup(RevenueModel.Party.PROVIDER, Factors.BASE), 1e-9);
        // cloud: 3 + 9 (1 + m) - serving 7 = 0 -> m = 4/9 - 1 = -0.5556
        assertEquals(4.0 / 9 - 1, m.breakEvenMarkup(RevenueModel.Party.CLOUD, Factors.BASE), 1e-9);
        // tax paid = (3 + 13.5 - 9) / 18 = 0.41667; maximum for a 0% margin = 1 - 9/18 = 0.5
        assertEquals(7.5 / 18, m.cloudTax(Factors.BASE), 1e-12);
        assertEquals(0.5, m.maxCloudTax(0, Factors.BASE), 1e-12);
        assertEquals(0.4, m.maxCloudTax(0.1, Factors.BASE), 1e-12);
        // a 50% rate under the cap: provider profit = 4.5M - min(cap, $9M due) = 0 at a $4.5M cap
        RevenueModel half = model(fixture().replace("rate: [0.2]", "rate: [0.5]"));
        assertEquals(4.5e6, half.breakEvenCap(RevenueModel.Party.PROVIDER, Factors.BASE), 1e-3);
        // the cloud: paid + 13.5 - 7 > 0 for every cap: none
        assertTrue(Double.isNaN(half.breakEvenCap(RevenueModel.Party.CLOUD, Factors.BASE)));
    }

    /** cost-simple.csv with every $/query (and $/M token) figure multiplied by {@code f}. */
    static Path scaledCosts(Path dir, double f, String name) throws Exception {
        List<Row> rows = Row.readAll(Fixtures.path("cost-simple.csv"));
        List<String> headers = new ArrayList<>(rows.get(0).values().keySet());
        CsvTable t = new CsvTable(headers);
        for (Row r : rows) {
            Map<String, String> v = new java.util.LinkedHashMap<>(r.values());
            for (CostColumn c : List.of(CostColumn.USD_PER_QUERY, CostColumn.USD_PER_M_INPUT, CostColumn.USD_PER_M_OUTPUT))
                v.put(c.header(), String.valueOf(r.num(c) * f));
            t.add(v);
        }
        Path p = dir.resolve(name);
        Files.writeString(p, t.toCsv());
        return p;
    }

    @Test
    void tenTimesTheCostPerQueryTenTimesTheComputeBill(@TempDir Path tmp) throws Exception {
        Scenario s = scenario(fixture());
        RevenueModel a = new RevenueModel(s, CostTable.read(Fixtures.path("cost-simple.csv")));
        RevenueModel b = new RevenueModel(s, CostTable.read(scaledCosts(tmp, 10, "x10.csv")));
        RevenueModel.Outcome oa = a.evaluate(Factors.BASE), ob = b.evaluate(Factors.BASE);
        // compute: $13.5M -> $135M; serving $7M -> $70M
        assertEquals(13.5e6, oa.sum(RevenueModel.Year::computeBought), EPS);
        assertEquals(135e6, ob.sum(RevenueModel.Year::computeBought), EPS);
        assertEquals(70e6, ob.sum(RevenueModel.Year::servingCost), EPS);
        // provider: 18 - 3 - 135 = -$120M, margin -120/18 = -6.667 (was 1.5/18 = 8.3%)
        assertEquals(-120e6, ob.providerProfit(), EPS);
        assertEquals(-120.0 / 18, ob.providerMargin(), 1e-12);
        assertEquals(1.5 / 18, oa.providerMargin(), 1e-12);
        // cloud: 3 + 135 - 70 = $68M of $138M
        assertEquals(68e6, ob.cloudProfit(), EPS);
        assertEquals(68.0 / 138, ob.cloudMargin(), 1e-12);
        // break-even uncapped take rate: (18 - 13.5)/18 = 25% -> (18 - 135)/18 < 0: none
        assertEquals(0.25, a.breakEvenTakeRateUncapped(Factors.BASE), 1e-12);
        assertTrue(b.breakEvenTakeRateUncapped(Factors.BASE) < 0);
    }

    /**
     * Every tornado swing equals rerunning the scenario with that one input changed in the YAML or the cost table
     * (nothing frozen). The scenario has a commitment, an equity stake and a cost decline so every input matters.
     */
    @Test
    void everyTornadoSwingEqualsARerunWithThatInputChanged(@TempDir Path tmp) throws Exception {
        String base = fixture().replace(COMPUTE, "compute: {chip: NV-1, tier: owner-tco, markup: 0.5, cost_scale: 1, commitment_usd: [5.0e6], cost_decline: [0.2]}")
                .replace(CUSTOM_SHARE, CUSTOM_SHARE + "  equity_stake: 0.27\n");
        Scenario s = scenario(base);
        CostTable costs = CostTable.read(Fixtures.path("cost-simple.csv"));
        List<Sensitivity.Swing> tornado = Sensitivity.tornado(new RevenueModel(s, costs));
        assertEquals(Factors.INPUTS.size(), tornado.size());
        int i = 0;
        for (Sensitivity.Swing w : tornado) {
            for (double m : new double[]{w.low(), w.high()}) {
                String y = base;
                CostTable c = costs;
                switch (w.input()) {
                    case "price" -> y = y.replace("usd_per_m_input: 2", "usd_per_m_input: " + 2 * m).replace("usd_per_m_output: 8", "usd_per_m_output: " + 8 * m);
                    case "volume" -> y = y.replace("[1.0e9, 2.0e9]", "[" + 1e9 * m + ", " + 2e9 * m + "]");
                    case "cost_per_query" -> c = CostTable.read(scaledCosts(tmp, m, "c" + i++ + ".csv"));
                    // every row's power share is 0.5/2 = 0.25/1 = 0.25: PUE or $/kWh x m scales costs by 1 + 0.25 (m - 1)
                    case "pue", "usd_per_kwh" -> c = CostTable.read(scaledCosts(tmp, 1 + 0.25 * (m - 1), "c" + i++ + ".csv"));
                    case "take_rate" -> y = y.replace("rate: [0.2]", "rate: [" + 0.2 * m + "]");
                    case "markup" -> y = y.replace("markup: 0.5", "markup: " + 0.5 * m);
                    case "cap" -> y = y.replace("amount_usd: 3.0e6", "amount_usd: " + 3e6 * m);
                    case "equity_stake" -> y = y.replace("equity_stake: 0.27", "equity_stake: " + 0.27 * m);
                    case "cost_decline" -> y = y.replace("cost_decline: [0.2]", "cost_decline: [" + 0.2 * m + "]");
                    default -> fail("no rerun recipe for input " + w.input());
                }
                RevenueModel.Outcome rerun = new RevenueModel(scenario(y), c).evaluate(Factors.BASE);
                boolean lo = m == w.low();
                String what = w.input() + " x" + m;
                assertEquals(rerun.providerProfit(), lo ? w.providerProfitLow() : w.providerProfitHigh(), 1e-6, what);
                assertEquals(rerun.cloudProfit(), lo ? w.cloudProfitLow() : w.cloudProfitHigh(), 1e-6, what);
                assertEquals(rerun.cloudEconomicProfit(), lo ? w.cloudEconomicLow() : w.cloudEconomicHigh(), 1e-6, what);
                assertEquals(rerun.providerMargin(), lo ? w.providerMarginLow() : w.providerMarginHigh(), 1e-12, what);
                assertEquals(rerun.cloudMargin(), lo ? w.cloudMarginLow() : w.cloudMarginHigh(), 1e-12, what);
            }
            assertNotEquals(w.providerProfitLow() + w.cloudEconomicLow(), w.providerProfitHigh() + w.cloudEconomicHigh(), w.input() + " moves something");
        }
    }

    @Test
    void servedModelAndInteractivityTargetPickTheRows() {
        CostTable t = CostTable.bundledDefault();
        // the cheapest 70B chat row on H200 owner TCO reaching 20 tok/s/user is the 20 tok/s/user point; at 50 the 50 one
        CostTable.Row at20 = t.select("H200 SXM", "owner-tco", null, "chat", "llama-3.1-70b fp8", 20, "test");
        CostTable.Row at50 = t.select("H200 SXM", "owner-tco", null, "chat", "llama-3.1-70b fp8", 50, "test");
        assertEquals("target 20 tok/s/user", at20.operatingPoint());
        assertEquals("target 50 tok/s/user", at50.operatingPoint());
        assertTrue(at50.usdPerQuery() > at20.usdPerQuery(), "interactivity costs money");
        assertFalse(at20.bandMissing());
        assertTrue(at20.usdPerQueryLow() < at20.usdPerQuery() && at20.usdPerQuery() < at20.usdPerQueryHigh());
        dev.infercost.BadInputException e = assertThrows(dev.infercost.BadInputException.class,
                () -> t.select("H200 SXM", "owner-tco", null, "chat", "llama-3.1-70b fp8", 500, "test"));
        assertTrue(e.getMessage().contains("reaches 500.0 tok/s/user"), e.getMessage());
        // a table without band columns: the point value stands in, labelled missing
        CostTable simple = CostTable.read(Fixtures.path("cost-simple.csv"));
        assertTrue(simple.rows().stream().allMatch(CostTable.Row::bandMissing));
        RevenueModel m = new RevenueModel(scenario(uncheckedFixture()), simple);
        assertTrue(m.bandMissing());
        assertEquals(m.evaluate(Factors.BASE).providerProfit(), m.evaluate(Factors.BASE.withBand(1)).providerProfit(), 0);
    }

    @Test
    void priceElasticityMovesPaidVolume() throws Exception {
        RevenueModel m = model(fixture().replace("usd_per_m_output: 8", "usd_per_m_output: 8\n  price_elasticity: 1"));
        RevenueModel.Outcome base = m.evaluate(Factors.BASE), dear = m.evaluate(Factors.BASE.with("price", 1.25));
        // elasticity 1: volume x 1.25^-1 = 0.8, revenue x 1.25 x 0.8 = unchanged ($18M); compute x 0.8 = $10.8M
        assertEquals(18e6, dear.providerRevenue(), EPS);
        assertEquals(0.8 * 3e9, dear.sum(RevenueModel.Year::queries), 1e-3);
        assertEquals(0.8 * 13.5e6, dear.sum(RevenueModel.Year::computeBought), EPS);
        assertEquals(base.sum(RevenueModel.Year::sharePaid), dear.sum(RevenueModel.Year::sharePaid), EPS);
    }

    @Test
    void bandColumnsAreReadAndChecked(@TempDir Path tmp) throws Exception {
        String csv = Files.readString(Fixtures.path("cost-simple.csv")).lines()
                .map(l -> l.startsWith("run_id") ? l + ",usd_per_query_low [$/query],usd_per_query_high [$/query]"
                        : l + (l.contains(",0.003,") ? ",0.002,0.006" : l.contains(",0.006,") ? ",0.004,0.012" : ",0.0005,0.002"))
                .reduce((a, b) -> a + "\n" + b).orElseThrow() + "\n";
        Path p = tmp.resolve("band.csv");
        Files.writeString(p, csv);
        RevenueModel m = new RevenueModel(scenario(fixture()), CostTable.read(p));
        assertFalse(m.bandMissing());
        // low band: compute 3e9 x 0.002 x 1.5 = $9M (was $13.5M); provider 18 - 3 - 9 = $6M
        assertEquals(9e6, m.evaluate(Factors.BASE.withBand(-1)).sum(RevenueModel.Year::computeBought), EPS);
        assertEquals(6e6, m.evaluate(Factors.BASE.withBand(-1)).providerProfit(), EPS);
        // high band: 3e9 x 0.006 x 1.5 = $27M
        assertEquals(27e6, m.evaluate(Factors.BASE.withBand(1)).sum(RevenueModel.Year::computeBought), EPS);
        Files.writeString(p, csv.replace(",0.002,0.006", ",0.004,0.006"));
        dev.infercost.BadInputException e = assertThrows(dev.infercost.BadInputException.class, () -> CostTable.read(p));
        assertTrue(e.getMessage().contains("does not bracket"), e.getMessage());
    }

    static String uncheckedFixture() {
        try {
            return fixture();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
