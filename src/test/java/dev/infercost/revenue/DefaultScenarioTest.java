package dev.infercost.revenue;

import dev.infercost.results.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
        for (String f : new String[]{"revenue.csv", "sensitivity.csv", "take_rate_curve.csv", "revenue_inputs.csv"}) assertTrue(dir.has(f), f);
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
        // but an explicitly named cost table that does not fit is an error
        RunDirectory other = RunDirectory.create(tmp, "run2");
        assertThrows(dev.infercost.BadInputException.class, () -> RevenueStage.run(other, null, Fixtures.path("cost-simple.csv")));
    }

    @Test
    void theFixtureRunsOwnCostTableIsUsedWhenItFits(@TempDir Path tmp) throws Exception {
        RunDirectory dir = RunDirectory.create(tmp, "run");
        dir.writeBytes("cost.csv", Files.readAllBytes(Fixtures.path("run-h200/cost.csv")));
        RevenueResult r = RevenueStage.run(dir, null, null);
        assertFalse(r.summaryTable().contains("bundled"), "the run's cost.csv has H200 SXM and Maia 200 rows for every profile");
        assertTrue(r.inputs().stream().anyMatch(i -> i.confidence().equals("measured")), "measured H200 rows are cited as measured");
    }
}
