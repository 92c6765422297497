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
        assertTrue(s.bracketed(), "1000 req/s failed above the best rate");
    }

    @Test
    void offlineAndConcurrencyScenarios() {
        ServeBenchOptions o = opts();
        o.scenario = Scenario.CONCURRENCY;
        o.concurrency = List.of(1, 4);
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        CsvTable serving = new CsvTable(ResultSchemas.SERVING_COLUMNS), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        ByteArrayOutputStream progressBuf = new ByteArrayOutputStream();
        dev.infercost.results.Progress progress = new dev.infercost.results.Progress(1, new PrintStream(progressBuf, true), () -> 0L);
        progress.step("serving sweep");
        ServeBench.sweep(e, null, o, e.clock, ServeBench.EnergyContext.none("fake clock"), "r1", serving, energy, new PointLog(),
                new PrintStream(new ByteArrayOutputStream()), progress);
        assertEquals(2, serving.rows().size());
        // one progress line per load point, before it runs, with its share of the planned points
        assertEquals(List.of("[1/1] serving sweep (elapsed 0s)",
                "[1/1] serving sweep: fake Concurrency concurrency=1, point 1 of 2 (0%, elapsed 0s)",
                "[1/1] serving sweep: fake Concurrency concurrency=4, point 2 of 2 (50%, elapsed 0s)"), progressBuf.toString().lines().toList());
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

    /** SingleStream on the fake engine: every request alone, so each latency is exact and the spread is zero. */
    @Test
    void configuredPercentilesAddColumnsAndConsoleLines() {
        ServeBenchOptions o = opts();
        o.scenario = Scenario.SINGLE_STREAM;
        o.percentiles = dev.infercost.results.Percentiles.parse("--percentiles", "75,50,99.99");
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        CsvTable serving = new CsvTable(dev.infercost.results.Percentiles.servingHeaders(o.percentiles)), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ServeBench.sweep(e, null, o, e.clock, ServeBench.EnergyContext.none("fake clock"), "r1", serving, energy, new PrintStream(log));
        assertEquals(1, serving.rows().size());
        List<String> cols = serving.columns();
        assertEquals(ResultSchemas.SERVING_COLUMNS, cols.subList(0, ResultSchemas.SERVING_COLUMNS.size()), "the typed columns come first, unchanged");
        assertEquals(List.of("ttft_p75 [ms]", "ttft_p9999 [ms]", "tpot_p75 [ms]", "tpot_p9999 [ms]", "itl_p75 [ms]", "itl_p9999 [ms]",
                "e2e_p75 [ms]", "e2e_p9999 [ms]"), cols.subList(ResultSchemas.SERVING_COLUMNS.size(), cols.size()));
        List<Object> row = serving.rows().getFirst();
        java.util.function.ToDoubleFunction<String> v = h -> ((Number) row.get(cols.indexOf(h))).doubleValue();
        // TTFT = 8 prompt tokens x 1 ms; TPOT = ITL = one 4 ms step; E2E = 8 + 3 x 4 = 20 ms (HdrHistogram: 0.1%)
        for (String h : List.of("ttft_mean [ms]", "ttft_min [ms]", "ttft_max [ms]", "ttft_p50 [ms]", "ttft_p95 [ms]", "ttft_p75 [ms]", "ttft_p9999 [ms]"))
            assertEquals(8.0, v.applyAsDouble(h), 8e-3, h);
        for (String h : List.of("tpot_mean [ms]", "tpot_p95 [ms]", "itl_min [ms]", "itl_max [ms]", "itl_p75 [ms]"))
            assertEquals(4.0, v.applyAsDouble(h), 4e-3, h);
        assertEquals(20.0, v.applyAsDouble("e2e_max [ms]"), 20e-3);
        assertEquals(20.0, v.applyAsDouble("e2e_p9999 [ms]"), 20e-3);
        assertEquals(0.0, v.applyAsDouble("ttft_std [ms]"), 1e-9);
        assertEquals(0.0, v.applyAsDouble("itl_std [ms]"), 1e-9);
        // 25 requests: one user back to back for the 0.5 s minimum duration at 20 ms each (above the 20-query minimum)
        String text = log.toString();
        assertTrue(text.contains("TTFT ms: mean 8 std 0 min 8 max 8 | p50 8 p75 8 p99.99 8 (n=25)"), text);
        assertTrue(text.contains("E2E  ms: mean 20 std 0 min 20 max 20 | p50 20 p75 20 p99.99 20 (n=25)"), text);
    }
}
