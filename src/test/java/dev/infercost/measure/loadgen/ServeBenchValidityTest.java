package dev.infercost.measure.loadgen;

import dev.infercost.hardware.PeakFigures;
import dev.infercost.results.CsvTable;
import dev.infercost.results.ResultSchemas;
import dev.infercost.workload.RequestSpec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The serving run rules a demanding user expects (MLPerf LoadGen / vLLM bench style), on a scripted load target
 * whose server has a fixed capacity: it serves one request every 1/C seconds in arrival order, each finishing
 * 10 ms after its service slot, and refuses the first {@code refuse} requests of an all-at-once burst with a
 * connect error (what a full accept queue does to an Offline burst).
 */
class ServeBenchValidityTest {
    static final long MS = 1_000_000L;

    /** A server of capacity {@code c} req/s; Offline bursts over {@code burstLimit} requests lose {@code refuse}. */
    static final class CapacityTarget implements LoadTarget {
        final double c;
        final int burstLimit, refuse;
        /** Tokens 1 us apart and the last one 10 ms later (a bursty stream), instead of 1 ms apart. */
        boolean bursty;

        CapacityTarget(double c, int burstLimit, int refuse) { this.c = c; this.burstLimit = burstLimit; this.refuse = refuse; }

        @Override public ServingRunner.Result run(List<RequestSpec> pool, ServingRunner.Plan plan) { return run(pool, plan, Long.MAX_VALUE); }

        @Override
        public ServingRunner.Result run(List<RequestSpec> pool, ServingRunner.Plan plan, long maxDurationNanos) {
            long[] off = ((ServingRunner.Plan.OpenLoop) plan).offsetsNanos();
            boolean burst = off.length > burstLimit && off[off.length - 1] == 0;
            List<RequestRecord> out = new ArrayList<>();
            long free = 0, end = 0, gap = (long) (1e9 / c);
            for (int i = 0; i < off.length; i++) {
                if (burst && i < refuse) {
                    out.add(new RequestRecord(i, 8, off[i], off[i], new long[0], false, null, off[i], off[i] + MS, 0,
                            "connect: ConnectException", ""));
                    continue;
                }
                long slot = Math.max(free, off[i]) + gap;
                free = slot;
                long last = slot + 10 * MS;
                long[] toks = bursty ? new long[]{last - 10 * MS, last - 10 * MS + 1000, last - 10 * MS + 2000, last}
                        : new long[]{last - 3 * MS, last - 2 * MS, last - MS, last};
                out.add(new RequestRecord(i, 8, off[i], off[i], toks, true, null, off[i], last, 4, null, "abcd"));
                end = Math.max(end, last);
            }
            return new ServingRunner.Result(out, 0, end, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, false, "usage", List.of());
        }
    }

    static ServeBenchOptions opts() {
        ServeBenchOptions o = new ServeBenchOptions();
        o.minDurationS = 1;
        o.minQueries = 20;
        o.warmupRequests = 8;
        o.searchSteps = 0;
        o.rateFractions = List.of(0.25, 0.5, 0.75, 1.0);
        o.endpoint = "http://127.0.0.1:1";   // rows as an endpoint's: no max_batch
        return o;
    }

    record Run(ServeBench.ModelSummary summary, CsvTable serving, String log) {
        List<Object> row(double target) {
            int ti = ResultSchemas.SERVING_COLUMNS.indexOf("target_rate [req/s]");
            for (List<Object> r : serving.rows()) if (r.get(ti) instanceof Double d && d == target) return r;
            throw new AssertionError("no row at " + target + " req/s: " + serving.rows().size() + " rows");
        }

        Object cell(List<Object> r, String col) { return r.get(ResultSchemas.SERVING_COLUMNS.indexOf(col)); }

        List<Double> targets() {
            List<Double> t = new ArrayList<>();
            for (List<Object> r : serving.rows()) if (cell(r, "target_rate [req/s]") instanceof Double d && !d.isNaN()) t.add(d);
            return t;
        }
    }

    static Run run(ServeBenchOptions o, LoadTarget target) {
        List<RequestSpec> pool = List.of(new RequestSpec(0, new int[]{1, 5, 6, 7, 8, 9, 10, 11}, 4, true));
        CsvTable serving = new CsvTable(ResultSchemas.SERVING_COLUMNS), energy = new CsvTable(ResultSchemas.ENERGY_COLUMNS);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ServeBench.Ctx c = new ServeBench.Ctx("endpoint", "scripted", "served by the endpoint", o, target, pool,
                ServeBench.EnergyContext.none("scripted"), new PeakFigures("unknown (endpoint)", Double.NaN, Double.NaN, "scripted"),
                "r1", serving, energy, new PointLog(), new PrintStream(log, true), "scripted");
        ServeBench.ModelSummary s = ServeBench.drive(c, target);
        return new Run(s, serving, log.toString());
    }

    @Test
    void offlinePointWithFailedRequestsIsInvalidAndDoesNotSetTheSweep() {
        ServeBenchOptions o = opts();
        // capacity 200 req/s: the warm-up (8 at once) achieves 8 / (8/200 + 0.010) = 160 req/s; the Offline burst
        // (1.3 x 160 x 1 s = 208 requests) loses 50 to connect errors, the other 158 complete at 200 req/s
        Run r = run(o, new CapacityTarget(200, 100, 50));
        List<Object> off = r.serving.rows().getFirst();
        assertEquals("Offline", r.cell(off, "scenario"));
        assertEquals(false, r.cell(off, "valid"));
        assertEquals(50, r.cell(off, "failed [req]"));
        assertTrue(((String) r.cell(off, "invalid_reasons")).contains("50 of 208 requests failed (50 x connect)"), (String) r.cell(off, "invalid_reasons"));
        // the sweep's fractions apply to the warm-up's 160 req/s, not to the failed point's ~197
        assertEquals(List.of(40.0, 80.0, 120.0, 160.0), r.targets());
        assertTrue(r.log.contains("the Offline point lost 50 of 208 requests"), r.log);
        assertTrue(r.log.contains("does not set the sweep; the warm-up's 160.0 req/s does"), r.log);
        // every rate kept up and met the SLO, so 160 is only a lower bound
        assertEquals(160.0, r.summary.maxRateMeetingSlo());
        assertFalse(r.summary.bracketed());
        assertTrue(r.log.contains("at least 160.0 req/s (the highest rate swept; capacity not bracketed"), r.log);
    }

    @Test
    void offlinePointShortOnlyInDurationStillCalibrates() {
        ServeBenchOptions o = opts();
        o.warmupRequests = 0;   // Offline of min-queries (20) requests: 0.11 s, below the 1 s minimum, all completed
        Run r = run(o, new CapacityTarget(200, 1000, 0));
        List<Object> off = r.serving.rows().getFirst();
        assertEquals(false, r.cell(off, "valid"));
        double rate = (Double) r.cell(off, "achieved_rate [req/s]");
        assertEquals(20 / (20 / 200.0 + 0.010), rate, 1e-6);
        assertEquals(List.of(ServeBench.round3(0.25 * rate), ServeBench.round3(0.5 * rate), ServeBench.round3(0.75 * rate),
                ServeBench.round3(rate)), r.targets());
        assertTrue(r.log.contains("all 20 requests completed: its 181.8 req/s sets the sweep"), r.log);
    }

    @Test
    void aPointThatFallsBehindItsScheduleIsInvalidAndNotCountedForCapacity() {
        ServeBenchOptions o = opts();
        o.rates = List.of(100.0, 150.0, 250.0);
        // 250 req/s against a 200 req/s server: every request completes and p99 TTFT (a backlog of ~0.25 s) is far
        // inside the 2000 ms SLO, so latency alone would call 250 req/s sustainable
        Run r = run(o, new CapacityTarget(200, 1000, 0));
        List<Object> hi = r.row(250.0);
        assertTrue((Double) r.cell(hi, "ttft_p99 [ms]") < 2000);
        assertEquals(0, r.cell(hi, "failed [req]"));
        assertEquals(false, r.cell(hi, "valid"));
        String why = (String) r.cell(hi, "invalid_reasons");
        assertTrue(why.matches(".*served (19\\d\\.\\d|200\\.0) req/s, (7[6-9]|80)\\.\\d% of the offered 250\\.0 req/s \\(target 250\\.0; run rule >= 95%\\): the server fell behind its schedule.*"), why);
        for (double ok : new double[]{100, 150}) assertEquals(true, r.cell(r.row(ok), "valid"), "rate " + ok);
        assertEquals(150.0, r.summary.maxRateMeetingSlo());
        assertTrue(r.summary.bracketed());
        assertTrue(r.log.contains("met the SLO (llama2-70b: p99 TTFT <= 2000 ms, p99 TPOT <= 200 ms): 150.0 req/s (250.0 req/s failed: capacity lies between)"), r.log);

        // the tolerance is the stated, configurable rule: at 0.5 the same point counts
        o.minRateRatio = 0.5;
        Run loose = run(o, new CapacityTarget(200, 1000, 0));
        assertEquals(true, loose.cell(loose.row(250.0), "valid"));
        assertEquals(250.0, loose.summary.maxRateMeetingSlo());
        assertFalse(loose.summary.bracketed());
    }

    @Test
    void exactRateSchedulesOfferTheTargetAndCoverTheMinimumDuration() {
        for (double cv : new double[]{1.0, 0.5, 2.0}) {
            long[] a = ArrivalSchedule.offsetsAtExactRate(220, cv, 24, 5, 11);
            assertEquals(1101, a.length, "ceil(220 x 5) + 1 arrivals");
            assertEquals(220.0, (a.length - 1) / ((a[a.length - 1] - a[0]) / 1e9), 1e-6, "realised rate at cv " + cv);
            assertTrue(a[a.length - 1] >= 5e9);
            for (int i = 1; i < a.length; i++) assertTrue(a[i] >= a[i - 1]);
        }
        assertEquals(24, ArrivalSchedule.offsetsAtExactRate(1, 1, 24, 5, 11).length, "min queries dominate");
    }

    /** A local endpoint's energy is announced once, by the caller, with the meter finally chosen (never a refused estimate first). */
    @Test
    void localEndpointEnergySelectionLogsNothingItThenRetracts() {
        ServeBenchOptions o = opts();
        var cfg = new dev.infercost.engine.endpoint.OpenAiStream.Config(java.net.URI.create("http://127.0.0.1:1"),
                dev.infercost.engine.endpoint.OpenAiStream.Api.COMPLETIONS, "m", null, java.time.Duration.ofSeconds(1), true);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ServeBench.EnergyContext ec = ServeBench.endpointEnergy(o, cfg, "r1", new CsvTable(ResultSchemas.ENERGY_COLUMNS), new PrintStream(log, true));
        try {
            assertEquals("", log.toString());
            // an auto-selected estimate would describe the client's CPU time, so it is never the outcome
            assertTrue(ec.meter() == null || !ec.meter().estimated(), ec.selection().describe());
            if (ec.meter() == null) assertTrue(ec.selection().describe().contains("not measured"), ec.selection().describe());
        } finally {
            if (ec.meter() != null) ec.meter().close();
        }
    }

    @Test
    void burstyStreamsAreFlaggedInTheNotes() {
        ServeBenchOptions o = opts();
        o.rates = List.of(50.0);
        Run smooth = run(o, new CapacityTarget(200, 1000, 0));
        assertFalse(((String) smooth.cell(smooth.row(50.0), "invalid_reasons")).contains("bursts"));
        CapacityTarget t = new CapacityTarget(200, 1000, 0);
        t.bursty = true;
        Run r = run(o, t);
        List<Object> row = r.row(50.0);
        // ITL {1 us, 1 us, 9.998 ms} per request: p50 0.001 ms; TPOT = 10 ms / 3
        String notes = (String) r.cell(row, "invalid_reasons");
        assertTrue(notes.contains("note: ITL p50 0.001 ms is below 10% of TPOT p50 3.33 ms: tokens reach the client in bursts"), notes);
        assertEquals(true, r.cell(row, "valid"), "a note, not a run-rule violation");
        assertTrue(r.log.contains("tokens reach the client in bursts"), r.log);
    }
}
