package dev.infercost.measure.loadgen;

import dev.infercost.results.ResultSchemas;
import dev.infercost.results.CsvTable;
import dev.infercost.results.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ServeBenchTest {
    @TempDir Path tmp;
    static final long MS = 1_000_000L;

    private static ServeBenchOptions opts() {
        ServeBenchOptions o = new ServeBenchOptions();
        o.minDurationS = 0.5;
        o.minQueries = 20;
        o.isl = "8";
        o.osl = "4";
        o.maxBatch = 4;
        o.warmupRequests = 0;
        o.poolSize = 16;
        o.slo = new SloProfile("test", 50, 10, "test");
        return o;
    }

    @Test
    void serverSweepWritesSchemaRowsAndFindsTheHighestPassingRate() {
        ServeBenchOptions o = opts();
        o.rates = List.of(10.0, 1000.0);
        o.searchSteps = 2;
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        CsvTable serving = new CsvTable(ResultSchemas.SERVING_COLUMNS), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        ServeBench.ModelSummary s = ServeBench.sweep(e, null, o, e.clock, ServeBench.EnergyContext.none("fake clock"), "r1",
                serving, energy, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(4, serving.rows().size());     // 2 rates + 2 bisection points (505, then 257.5 or 752.5 rounded)
        assertEquals(4, s.points());
        RunDirectory dir = RunDirectory.create(tmp, "t");
        dir.writeCsv(ResultSchemas.SERVING, serving);
        List<Map<String, String>> rows = CsvTable.read(dir.path().resolve(ResultSchemas.SERVING));
        assertEquals(ResultSchemas.SERVING_COLUMNS, List.copyOf(rows.getFirst().keySet()));
        double best = Double.NaN;
        for (Map<String, String> r : rows) {
            assertEquals("Server", r.get("scenario"));
            assertEquals("poisson", r.get("arrival"));
            assertEquals(r.get("completed [req]"), r.get("ttft_samples"));
            assertEquals(r.get("completed [req]"), r.get("e2e_samples"));
            int completed = Integer.parseInt(r.get("completed [req]"));
            assertEquals(completed * 3L, Long.parseLong(r.get("itl_samples")));   // OSL 4 -> 3 gaps each
            assertTrue(Double.parseDouble(r.get("ttft_p50 [ms]")) >= 8 * 0.999, "prefill of 8 tokens at 1 ms each");
            assertEquals("none", r.get("energy_basis"));
            assertEquals("not-checked", r.get("accuracy_verdict"));
            assertEquals(r.get("output_throughput [tok/s]"), r.get("throughput_per_device [tok/s/device]"));
            double rate = Double.parseDouble(r.get("target_rate [req/s]"));
            double p99ttft = Double.parseDouble(r.get("ttft_p99 [ms]")), p99tpot = Double.parseDouble(r.get("tpot_p99 [ms]"));
            boolean pass = r.get("valid").equals("true") && p99ttft <= 50 && p99tpot <= 10;
            if (pass) best = Double.isNaN(best) ? rate : Math.max(best, rate);
        }
        assertEquals(10.0, Double.parseDouble(rows.get(0).get("target_rate [req/s]")));
        assertEquals(1000.0, Double.parseDouble(rows.get(1).get("target_rate [req/s]")));
        assertEquals(505.0, Double.parseDouble(rows.get(2).get("target_rate [req/s]")));
        assertEquals(best, s.maxRateMeetingSlo());
        assertTrue(best >= 10 && best < 1000, "10 req/s passes, 1000 req/s saturates: " + best);
    }

    @Test
    void offlineAndConcurrencyScenarios() {
        ServeBenchOptions o = opts();
        o.scenario = Scenario.CONCURRENCY;
        o.concurrency = List.of(1, 4);
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        CsvTable serving = new CsvTable(ResultSchemas.SERVING_COLUMNS), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        ServeBench.sweep(e, null, o, e.clock, ServeBench.EnergyContext.none("fake clock"), "r1", serving, energy, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(2, serving.rows().size());
        int ci = ResultSchemas.SERVING_COLUMNS.indexOf("concurrency"), ttft = ResultSchemas.SERVING_COLUMNS.indexOf("ttft_p99 [ms]"),
                valid = ResultSchemas.SERVING_COLUMNS.indexOf("valid");
        assertEquals(1, serving.rows().get(0).get(ci));
        assertEquals(4, serving.rows().get(1).get(ci));
        // one user is never queued: TTFT = 8 prompt tokens x 1 ms exactly (within HdrHistogram's 0.1%)
        assertEquals(8.0, (double) serving.rows().get(0).get(ttft), 8e-3);
        assertEquals(true, serving.rows().get(0).get(valid));

        o.scenario = Scenario.OFFLINE;
        CsvTable off = new CsvTable(ResultSchemas.SERVING_COLUMNS);
        ServeBench.ModelSummary s = ServeBench.sweep(e, null, o, e.clock, ServeBench.EnergyContext.none("fake clock"), "r1", off, energy, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(1, off.rows().size());
        assertEquals("all-at-once", off.rows().getFirst().get(ResultSchemas.SERVING_COLUMNS.indexOf("arrival")));
        assertTrue(s.offlineRate() > 0);
    }
}
