package dev.infercost.measure.loadgen;

import dev.infercost.workload.RequestSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ServingRunnerTest {
    static final long MS = 1_000_000L;

    static List<RequestSpec> pool(int n, int isl, int osl, boolean ignoreEos) {
        List<RequestSpec> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] t = new int[isl];
            t[0] = 1;
            for (int j = 1; j < isl; j++) t[j] = 3 + (i * 31 + j) % 500;
            p.add(new RequestSpec(i, t, osl, ignoreEos));
        }
        return p;
    }

    static ServingRunner runner(FakeEngine e, int maxBatch, long kvBudget, int prefillTokens, long maxDur) {
        return new ServingRunner(e.newSession(maxBatch, 512), e.clock, new ServingRunner.Config(maxBatch, kvBudget, prefillTokens, maxDur),
                512, Set.of(1, 2), FakeEngine.CONFIG, 1000, 4);
    }

    static final SloProfile SLO = new SloProfile("test", 50, 5, "test");

    @Test
    void singleRequestLatenciesAreExact() {
        FakeEngine e = new FakeEngine(new ManualClock(1_000 * MS), MS, 4 * MS, 0);
        ServingRunner.Result r = runner(e, 4, 10_000, 512, 10_000 * MS).run(pool(1, 10, 5, true), new ServingRunner.Plan.OpenLoop(new long[]{0}));
        RequestRecord q = r.records().getFirst();
        assertEquals(10 * MS, q.ttftNanos());            // 10 prompt tokens x 1 ms
        assertEquals(4.0 * MS, q.tpotNanos());           // one 4 ms decode step per token
        assertEquals(26 * MS, q.e2eNanos());             // 10 + 4 x 4
        assertArrayEquals(new long[]{4 * MS, 4 * MS, 4 * MS, 4 * MS}, q.itlNanos());
        PointMetrics m = PointMetrics.of(r, SLO);
        assertEquals(0.026, m.durationS(), 1e-12);
        assertEquals(5 / 0.026, m.outputThroughput(), 1e-9);
        assertEquals(250.0, m.tokPerSecPerUser(), 0.25);  // 1000 / 4 ms, HdrHistogram 0.1%
        assertEquals(1, m.goodRequests());
        // FLOPs: prefill positions 1..10 plus decode contexts 11..14
        double f = 0;
        for (int c = 1; c <= 14; c++) f += dev.infercost.model.Footprint.flopsPerToken(FakeEngine.CONFIG, c);
        assertEquals(f, r.flops(), 1e-6);
        assertEquals(0.0, r.prefillBusyNanos() - 10 * MS);
        assertEquals(16 * MS, r.decodeBusyNanos());
    }

    /** maxBatch 1, a request every 10 ms, each takes 26 ms: queueing must show in TTFT (16 ms more per request). */
    @Test
    void saturatedServerQueueingShowsInTtft() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        long[] offsets = {0, 10 * MS, 20 * MS, 30 * MS, 40 * MS};
        ServingRunner.Result r = runner(e, 1, 10_000, 512, 10_000 * MS).run(pool(5, 10, 5, true), new ServingRunner.Plan.OpenLoop(offsets));
        for (int i = 0; i < 5; i++) {
            RequestRecord q = r.records().get(i);
            assertEquals((16L * i + 10) * MS, q.ttftNanos(), "TTFT of request " + i);
            assertEquals((16L * i + 26) * MS, q.e2eNanos(), "E2E of request " + i);
            assertEquals(4.0 * MS, q.tpotNanos());
            assertEquals(offsets[i] + 16L * i * MS, q.admittedNanos(), "admitted when the previous request finished");
        }
        PointMetrics m = PointMetrics.of(r, SLO);
        assertEquals(42.0, m.ttft().p50Ms(), 42 * 1e-3);
        assertEquals(74.0, m.ttft().p99Ms(), 74 * 1e-3);
        assertEquals(74.0, m.ttft().p999Ms(), 74 * 1e-3);
        // TTFTs 10, 26, 42, 58, 74 ms: mean 42, population std sqrt(512) = 22.627 (numpy.std([10,26,42,58,74])),
        // nearest-rank percentiles p25 = 2nd = 26, p90 = p95 = 5th = 74; HdrHistogram values exact to 0.1%
        assertEquals(42.0, m.ttft().meanMs(), 42 * 1e-3);
        assertEquals(Math.sqrt(512), m.ttft().stdMs(), 0.05);
        assertEquals(10.0, m.ttft().minMs(), 10 * 1e-3);
        assertEquals(74.0, m.ttft().maxMs(), 74 * 1e-3);
        assertEquals(74.0, m.ttft().p90Ms(), 74 * 1e-3);
        assertEquals(74.0, m.ttft().p95Ms(), 74 * 1e-3);
        assertEquals(26.0, m.ttft().percentileMs(25), 26 * 1e-3);
        assertEquals(58.0, m.ttft().percentileMs(80), 58 * 1e-3);
        assertEquals(5, m.ttft().samples());
        assertEquals(5, m.tpot().samples());
        assertEquals(20, m.itl().samples());             // 4 gaps x 5 requests
        assertEquals(5, m.e2e().samples());
        assertEquals(3, m.goodRequests());               // TTFT 10, 26, 42 <= 50 ms; 58 and 74 miss
        assertEquals(0.6, m.sloAttainment(), 1e-12);
        assertFalse(m.meetsSlo());
        assertEquals(0.130, m.durationS(), 1e-12);       // last token at 16*4+26 + 40 = 130 ms
    }

    @Test
    void continuousBatchingJoinsAndLeavesPerIteration() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        ServingRunner.Result r = runner(e, 2, 10_000, 512, 10_000 * MS)
                .run(pool(3, 2, 3, true), new ServingRunner.Plan.OpenLoop(new long[]{0, 0, 5 * MS}));
        assertEquals(List.of(
                "prefill slot=0 pos=0 n=2 t=0",
                "prefill slot=1 pos=0 n=2 t=2000000",
                "decode n=2 t=4000000 0@2 1@2",
                "decode n=2 t=8000000 0@3 1@3",
                "prefill slot=0 pos=0 n=2 t=12000000",            // request 2 takes the freed slot 0 at 12 ms
                "decode n=1 t=14000000 0@2",
                "decode n=1 t=18000000 0@3"), e.log);
        assertEquals(9 * MS, r.records().get(2).ttftNanos());      // arrived 5 ms, first token at 14 ms
        assertEquals(12 * MS, r.records().get(2).admittedNanos());
        assertEquals(4, r.decodeSteps());
        assertEquals(1.5, r.meanDecodeBatch(), 1e-12);
    }

    @Test
    void prefillIsChunkedAndInterleavedWithDecode() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        List<RequestSpec> p = List.of(pool(1, 2, 4, true).getFirst(), pool(2, 10, 2, true).get(1));
        runner(e, 2, 10_000, 4, 10_000 * MS).run(p, new ServingRunner.Plan.OpenLoop(new long[]{0, 0}));
        assertEquals(List.of(
                "prefill slot=0 pos=0 n=2 t=0",
                "prefill slot=1 pos=0 n=2 t=2000000",            // budget 4 tokens per iteration: 2 + 2
                "decode n=1 t=4000000 0@2",
                "prefill slot=1 pos=2 n=4 t=8000000",
                "decode n=1 t=12000000 0@3",
                "prefill slot=1 pos=6 n=4 t=16000000",           // last chunk gives request 1 its first token
                "decode n=2 t=20000000 0@4 1@10"), e.log);
    }

    @Test
    void kvBudgetBoundsAdmissionInArrivalOrder() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        // each request reserves 4 + 4 = 8 KV tokens; budget 16 -> at most 2 at once although 4 slots exist
        ServingRunner.Result r = runner(e, 4, 16, 512, 10_000 * MS).run(pool(5, 4, 4, true), new ServingRunner.Plan.OpenLoop(new long[5]));
        int maxN = 0;
        for (String s : e.log) if (s.startsWith("decode")) maxN = Math.max(maxN, Integer.parseInt(s.split(" ")[1].substring(2)));
        assertEquals(2, maxN);
        long prev = -1;
        for (RequestRecord q : r.records()) {
            assertTrue(q.completed());
            assertTrue(q.admittedNanos() >= prev, "FCFS admission order");
            prev = q.admittedNanos();
        }
    }

    @Test
    void requestThatCanNeverFitIsRejectedAndDoesNotBlock() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        List<RequestSpec> p = List.of(pool(1, 20, 20, true).getFirst(), pool(2, 4, 4, true).get(1));
        ServingRunner.Result r = runner(e, 2, 16, 512, 10_000 * MS).run(p, new ServingRunner.Plan.OpenLoop(new long[]{0, 0}));
        assertNotNull(r.records().get(0).rejected());
        assertTrue(r.records().get(1).completed());
        PointMetrics m = PointMetrics.of(r, SLO);
        assertEquals(1, m.rejected());
        assertTrue(m.invalidReasons(0, 1, r.cutOff()).contains("1 requests rejected (KV budget or context too small)"));
    }

    @Test
    void stopsAtEosUnlessIgnoringIt() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        e.eosAtPosition = 6;   // the token decoded at position 6 is EOS
        ServingRunner.Result r = runner(e, 2, 10_000, 512, 10_000 * MS)
                .run(List.of(pool(1, 4, 10, false).getFirst(), new RequestSpec(1, pool(1, 4, 10, false).getFirst().prompt(), 10, true)),
                        new ServingRunner.Plan.OpenLoop(new long[]{0, 100 * MS}));
        assertEquals(4, r.records().get(0).outputTokens());   // tokens from positions 3 (prefill), 4, 5, 6=EOS
        assertEquals(10, r.records().get(1).outputTokens());
    }

    @Test
    void closedLoopSchedulesNextRequestAtCompletion() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        ServingRunner.Result r = runner(e, 2, 10_000, 512, 10_000 * MS).run(pool(4, 10, 3, true), new ServingRunner.Plan.ClosedLoop(1, 4, 0));
        assertEquals(4, r.records().size());
        for (RequestRecord q : r.records()) {
            assertEquals(10 * MS, q.ttftNanos());           // never queued: one user, next sent on completion
            assertEquals(18 * MS, q.e2eNanos());
        }
        assertEquals(18 * MS, r.records().get(1).scheduledNanos() - r.records().get(0).scheduledNanos());
    }

    @Test
    void cutOffLeavesUnfinishedRequestsAndInvalidatesThePoint() {
        FakeEngine e = new FakeEngine(new ManualClock(0), MS, 4 * MS, 0);
        long[] offsets = new long[20];
        for (int i = 0; i < 20; i++) offsets[i] = i * 5 * MS;      // 200 req/s into a 38 req/s server
        ServingRunner.Result r = runner(e, 1, 10_000, 512, 100 * MS).run(pool(20, 10, 5, true), new ServingRunner.Plan.OpenLoop(offsets));
        assertTrue(r.cutOff());
        PointMetrics m = PointMetrics.of(r, SLO);
        assertTrue(m.incomplete() > 0);
        assertEquals(20, m.issued());
        assertEquals(m.completed(), m.ttft().samples());
        List<String> why = m.invalidReasons(0.05, 1, true);
        assertTrue(why.getFirst().contains("unfinished at the cut-off"), why.toString());
    }

    @Test
    void earlyStoppingMinimum() {
        assertEquals(459, PointMetrics.earlyStoppingMinQueries(0.99, 0.99));
        assertEquals(299, PointMetrics.earlyStoppingMinQueries(0.99, 0.95));
    }
}
