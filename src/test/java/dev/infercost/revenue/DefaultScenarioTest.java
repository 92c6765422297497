package dev.infercost.revenue;

import dev.infercost.results.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The bundled default scenario: cites its sources, matches models/scenario-default.yaml, runs end to end. */
class DefaultScenarioTest {
    @Test
    void annotatedExampleEqualsTheBundledDefault() throws Exception {
        Path models = Path.of("models/scenario-default.yaml");
        try (InputStream in = Scenario.class.getResourceAsStream(Scenario.DEFAULT_RESOURCE)) {
            assertEquals(Files.readString(models), new String(in.readAllBytes()), "models/scenario-default.yaml and the bundled copy differ");
        }
    }

    @Test
    void reportedFiguresCarryTheirReferenceCitation() {
        Scenario s = Scenario.defaultScenario();
        // every reported (non-assumed) figure the model leans on cites a web source and a confidence grade; the values
        // themselves live in the YAML (pinning them here would only repeat it)
        java.util.List<Quantity> reported = new java.util.ArrayList<>();
        reported.add(s.provider.revenue_usd.get(0));
        reported.add(s.revenue_share.cap.amount_usd);
        reported.addAll(s.revenue_share.rate);
        reported.add(s.provider.usd_per_m_output);
        for (Quantity q : reported) {
            assertFalse(q.isAssumed(), q.value + " is a reported figure in the default scenario");
            assertTrue(q.source != null && q.source.startsWith("https://"), q.value + ": source " + q.source);
            assertTrue(java.util.Set.of("high", "medium", "low").contains(q.confidence), q.value + ": confidence " + q.confidence);
            assertTrue(q.value > 0, "reported figures are positive amounts, rates and prices: " + q.value);
        }
        assertTrue(s.provider.revenue_usd.get(1).isAssumed(), "projected growth after 2026 is an assumption");
        assertTrue(s.compute.markup.isAssumed());
    }

    @Test
    void defaultRunWritesTablesAndNeverOverwrites(@TempDir Path tmp) {
        RunDirectory dir = RunDirectory.create(tmp, "rev");
        RevenueResult r = RevenueStage.run(dir, null, null);
        for (String f : new String[]{"revenue.csv", "sensitivity.csv", "take_rate_curve.csv", "revenue_inputs.csv", "revenue_summary.csv", "deal_comparison.csv"})
            assertTrue(dir.has(f), f);
        String summary = r.summaryTable();
        assertTrue(summary.contains("bundled default cost table"), "the illustrative cost table is labelled as such");
        assertTrue(summary.contains("break-even"));
        // the reported cap binds within the horizon at a 20% rate on the reported/assumed revenue path
        assertEquals(38e9, r.base().sum(RevenueModel.Year::sharePaid), 1);
        assertTrue(r.base().years().stream().anyMatch(RevenueModel.Year::capBinds));
        // custom silicon is cheaper per query in the bundled table, so moving volume helps the cloud
        assertTrue(r.customSiliconGainRealised() > 0 && r.customSiliconGainAll() > r.customSiliconGainRealised());
        assertThrows(dev.infercost.BadInputException.class, () -> RevenueStage.run(dir, null, null));
        for (RevenueResult.Input in : r.inputs())
            if (!in.confidence().equals("assumed") && !in.confidence().equals("derived") && !in.name().startsWith("sensitivity."))
                assertFalse(in.source().isBlank(), in.name() + " is " + in.confidence() + " but has no source");
    }

    @Test
    void aRunCostTableThatDoesNotFitFallsBackWithTheReasonStated(@TempDir Path tmp) throws Exception {
        RunDirectory dir = RunDirectory.create(tmp, "run");
        dir.writeBytes("cost.csv", Files.readAllBytes(Fixtures.path("cost-simple.csv")));   // NV-1/CU-1 only
        RevenueResult r = RevenueStage.run(dir, null, null);
        assertTrue(r.summaryTable().contains("does not fit the scenario"), r.summaryTable());
        assertTrue(r.summaryTable().contains("H200 SXM"));
        // one sentence: what the scenario serves, what the run's table prices, how to price the scenario; not the table's inventory
        assertTrue(r.summaryTable().contains("the scenario serves llama-3.1-70b fp8, deepseek-v3 fp8"), r.summaryTable());
        assertTrue(r.summaryTable().contains("--project-model"), r.summaryTable());
        assertFalse(r.summaryTable().contains("; it has: "), r.summaryTable());
        // but an explicitly named cost table that does not fit is an error
        RunDirectory other = RunDirectory.create(tmp, "run2");
        assertThrows(dev.infercost.BadInputException.class, () -> RevenueStage.run(other, null, Fixtures.path("cost-simple.csv")));
    }

    @Test
    void aRunsOwnCostTableIsUsedWhenItFits(@TempDir Path tmp) throws Exception {
        RunDirectory dir = RunDirectory.create(tmp, "run");
        try (InputStream in = CostTable.class.getResourceAsStream(CostTable.DEFAULT_RESOURCE)) {
            // the bundled rows with the 70B H200 chat row marked measured: the run's own table, not the bundled one, is used
            String csv = new String(in.readAllBytes()).replaceFirst("bundled-default,H200 SXM,NVIDIA,nvidia,projected", "this-run,H200 SXM,NVIDIA,nvidia,measured");
            dir.writeString("cost.csv", csv);
        }
        RevenueResult r = RevenueStage.run(dir, null, null);
        assertFalse(r.summaryTable().contains("bundled"), r.summaryTable().lines().limit(3).toList().toString());
        assertTrue(r.inputs().stream().anyMatch(i -> i.confidence().equals("measured")), "the measured row is cited as measured");
    }

    @Test
    void defaultScenarioReportsTheCapSavingAndTheCloudsNetPositionWithSources() {
        RevenueResult r = RevenueStage.compute(Scenario.defaultScenario(), CostTable.bundledDefault());
        // the saving is the uncapped scheduled share minus the $38B paid under the cap
        assertEquals(r.uncapped().sum(RevenueModel.Year::sharePaid) - 38e9, r.capSaving(), 1);
        assertTrue(r.capSaving() > 0);
        String t = r.summaryTable();
        assertTrue(t.contains("cap: the provider saves " + RevenueResult.usd(r.capSaving())), t);
        assertTrue(t.contains("letsdatascience.com"), "the cap's source is printed with the saving");
        assertTrue(t.contains("cloud net position: share lost to the cap " + RevenueResult.usd(r.capSaving())), t);
        assertTrue(t.contains("volknews.com"), "the equity stake's source is printed with the net position");
        // equity stake 27% (reference, high): the cloud's economic result includes 27% of provider profit
        assertEquals(0.27 * r.base().providerProfit(), r.base().sum(RevenueModel.Year::equityPickup), 1);
        // absolute by default; the calibrated what-if is printed beside it, labelled
        assertEquals(1, r.model().costScale(), 0);
        assertNotNull(r.calibrated());
        assertTrue(t.contains("WHAT-IF (compute.calibrate_to, not the result above)"), t);
        // the reverse share ran until 2026-04-27 only: 116/365 of 20% x the assumed base in 2026, none after
        assertEquals(0.2 * 6e9 * 116 / 365, r.base().years().get(0).reverseShare(), 1);
        assertEquals(0, r.base().years().get(1).reverseShare(), 0);
        // three deal terms side by side
        assertEquals(List.of("Apr 2026 amendment: cap, no reverse share", "2023 terms", "Oct 2025 recapitalisation"),
                r.deals().stream().map(RevenueResult.Deal::name).toList());
        assertTrue(r.model().usedRows().stream().allMatch(row -> row.model().equals("llama-3.1-70b fp8") || row.model().equals("deepseek-v3 fp8")));
        assertFalse(r.model().bandMissing(), "the bundled table carries low/high bands");
    }
}
