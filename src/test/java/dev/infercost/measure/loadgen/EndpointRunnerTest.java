package dev.infercost.measure.loadgen;

import dev.infercost.engine.endpoint.OpenAiStream;
import dev.infercost.workload.RequestSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The endpoint load generator's accounting and failure handling against scripted loopback servers. */
class EndpointRunnerTest {
    static final long MS = 1_000_000L;

    /**
     * A clock only the scripted server moves. Every read from a request thread is counted, so the server can wait
     * until the client has timestamped a line before moving time on: the client then sees exactly the scripted
     * times, whatever the real scheduling.
     */
    static final class SteppedClock implements Clock {
        long now = 1_000 * MS, reads;
        final Thread test = Thread.currentThread();

        @Override public synchronized long nanoTime() {
            if (Thread.currentThread() != test) { reads++; notifyAll(); }
            return now;
        }

        @Override public synchronized void sleepUntil(long deadline) { now = Math.max(now, deadline); }

        synchronized long reads() { return reads; }

        synchronized long time() { return now; }

        synchronized void set(long t) { now = t; }

        synchronized void awaitReads(long n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reads < n) {
                long w = end - System.nanoTime();
                if (w <= 0) throw new IllegalStateException("client did not read the clock " + n + " times (" + reads + ")");
                TimeUnit.NANOSECONDS.timedWait(this, w);
            }
        }
    }

    static List<RequestSpec> pool(int n, int osl) {
        List<RequestSpec> p = new ArrayList<>();
        for (int i = 0; i < n; i++) p.add(new RequestSpec(i, new int[]{1, 100 + i, 7}, osl, true));
        return p;
    }

    static OpenAiStream client(ScriptedSseServer s, Duration timeout) {
        return new OpenAiStream(new OpenAiStream.Config(s.uri(), OpenAiStream.Api.COMPLETIONS, "scripted", null, timeout, true));
    }

    @Test
    void ttftTpotItlAndE2eFollowTheScriptedDelaysExactly() throws Exception {
        // request k (prompt [1, 100+k, 7]): first token (k+1) x 10 ms after it is received, then 4 more tokens
        // (k+1) ms apart. SingleStream: each request is scheduled (and sent) when the previous one ends.
        SteppedClock clock = new SteppedClock();
        ScriptedSseServer.Script script = (prompt, max, out) -> {
            int k = prompt[1] - 100;
            long start = clock.time();
            long r = clock.reads();
            out.raw(": scripted\n\n");          // commits the headers; the client reads: after-headers, comment, blank line
            clock.awaitReads(r + 3);
            long t = start + (k + 1) * 10 * MS;
            for (int i = 0; i < 5; i++) {
                if (i > 0) t += (k + 1) * MS;
                r = clock.reads();
                clock.set(t);
                out.chunk("w" + i);
                clock.awaitReads(r + 2);       // data line and blank line timestamped at t
            }
            clock.set(t + 2 * MS);             // the usage chunk and [DONE] come 2 ms after the last token
            out.usage(3, 5);
            out.done();
        };
        try (ScriptedSseServer s = new ScriptedSseServer(script); OpenAiStream c = client(s, Duration.ofSeconds(10))) {
            EndpointRunner runner = new EndpointRunner(c, clock, null, EndpointRunner.PromptMode.TOKENS, 60_000 * MS);
            ServingRunner.Result r = runner.run(pool(10, 5), new ServingRunner.Plan.ClosedLoop(1, 10, 0));
            PointMetrics m = PointMetrics.of(r, new SloProfile("t", 1e9, 1e9, "test"));
            assertEquals(10, m.completed());
            assertEquals("usage", r.tokenCountSource());
            // TTFT of request k = (k+1) x 10 ms: {10, 20, ..., 100}; HdrHistogram (3 digits) resolves 0.1%
            assertEquals(50, m.ttft().p50Ms(), 0.05);
            assertEquals(90, m.ttft().p90Ms(), 0.1);
            assertEquals(100, m.ttft().p99Ms(), 0.1);
            assertEquals(55, m.ttft().meanMs(), 0.06);
            // TPOT of request k = (4 gaps of (k+1) ms) / (5 - 1) = k+1 ms: {1..10}
            assertEquals(5, m.tpot().p50Ms(), 0.005);
            assertEquals(10, m.tpot().p99Ms(), 0.01);
            // ITL: each request contributes 4 gaps of k+1 ms -> 40 samples, p50 = 5 ms (20th of 40), p90 = 9 ms (36th)
            assertEquals(40, m.itl().samples());
            assertEquals(5, m.itl().p50Ms(), 0.005);
            assertEquals(9, m.itl().p90Ms(), 0.009);
            // E2E ends at [DONE], not at the last token: TTFT + 4 gaps + 2 ms = 14 (k+1) + 2 ms: {16, ..., 142}
            assertEquals(72, m.e2e().p50Ms(), 0.072);
            assertEquals(142, m.e2e().p99Ms(), 0.142);
            assertEquals(16, m.e2e().minMs(), 0.016);
            // sent at the scheduled time (the clock moves only when the server moves it)
            assertEquals(0, m.sendLag().p99Ms(), 1e-9);
            // duration: from the start to the last stream end: sum over k of 14 (k+1) + 2 ms = 770 + 20 ms
            assertEquals(0.790, m.durationS(), 1e-9);
            for (RequestRecord q : r.records()) assertEquals("w0w1w2w3w4", q.text());
        }
    }

    @Test
    void failuresInvalidateThePointWithTheirReasonsAndLoseNoOtherRecord() throws Exception {
        // prompt[1] - 100 = k picks the behaviour; 12 requests, k = id mod 6
        ScriptedSseServer.Script script = (prompt, max, out) -> {
            switch ((prompt[1] - 100) % 6) {
                case 1 -> out.status(500, "{\"error\":{\"message\":\"boom\"}}");
                case 2 -> { out.chunk("a"); Thread.sleep(1500); }                        // stalls past the 400 ms timeout
                case 3 -> { out.chunk("a"); out.raw("data: {not json\n\n"); out.done(); }  // malformed SSE
                case 4 -> { out.chunk("a"); out.chunk("b"); out.abort(); }                 // closes mid-stream
                default -> {
                    for (int i = 0; i < max; i++) out.chunk("t");
                    out.usage(prompt.length, max);
                    out.done();
                }
            }
        };
        try (ScriptedSseServer s = new ScriptedSseServer(script); OpenAiStream c = client(s, Duration.ofMillis(400))) {
            EndpointRunner runner = new EndpointRunner(c, Clock.system(), null, EndpointRunner.PromptMode.TOKENS, 20_000 * MS);
            List<RequestSpec> pool = pool(6, 4);
            long[] off = new long[12];
            for (int i = 0; i < off.length; i++) off[i] = i * 5 * MS;
            ServingRunner.Result r = runner.run(pool, new ServingRunner.Plan.OpenLoop(off));
            assertEquals(12, r.records().size(), "every issued request has a record");
            PointMetrics m = PointMetrics.of(r, SloProfile.defaults());
            assertEquals(8, m.failed());
            assertEquals(4, m.completed());
            for (RequestRecord q : r.records()) {
                String e = q.error();
                switch (q.id() % 6) {
                    case 1 -> assertTrue(e != null && e.startsWith("http 500") && e.contains("boom"), String.valueOf(e));
                    case 2 -> assertTrue(e != null && e.startsWith("timeout after 0.400 s"), String.valueOf(e));
                    case 3 -> assertTrue(e != null && e.startsWith("malformed SSE: data is not JSON"), String.valueOf(e));
                    case 4 -> assertTrue(e != null && e.startsWith("stream closed before [DONE]"), String.valueOf(e));
                    default -> {
                        assertNull(e);
                        assertTrue(q.completed());
                        assertEquals(4, q.outputTokens());
                        assertEquals(4, q.tokenNanos().length);
                    }
                }
            }
            List<String> why = m.invalidReasons(0, 1, r.cutOff());
            assertEquals(1, why.size(), why.toString());
            assertEquals("8 of 12 requests failed (2 x http 500, 2 x malformed SSE, 2 x stream closed before [DONE], 2 x timeout)", why.getFirst());
            for (String part : List.of("2 x http 500", "2 x timeout", "2 x malformed SSE", "2 x stream closed before [DONE]"))
                assertTrue(why.getFirst().contains(part), why.getFirst());
            assertFalse(m.meetsSlo());
        }
    }

    @Test
    void aServerIgnoringMaxTokensIsReportedAndCountsComeFromChunksWithoutUsageOrTokenizer() throws Exception {
        ScriptedSseServer.Script script = (prompt, max, out) -> {
            for (int i = 0; i < max / 2; i++) out.chunk("t");   // stops early, sends no usage
            out.done();
        };
        try (ScriptedSseServer s = new ScriptedSseServer(script); OpenAiStream c = client(s, Duration.ofSeconds(5))) {
            EndpointRunner runner = new EndpointRunner(c, Clock.system(), null, EndpointRunner.PromptMode.TOKENS, 20_000 * MS);
            ServingRunner.Result r = runner.run(pool(2, 8), new ServingRunner.Plan.OpenLoop(new long[4]));
            assertEquals("stream chunks", r.tokenCountSource());
            assertNull(s.lastAuthorization, "no key configured, no header");
            assertEquals(1, r.notes().size(), r.notes().toString());
            assertTrue(r.notes().getFirst().startsWith("server did not honour ignore_eos/max_tokens: 4 of 4 requests returned fewer tokens than asked (4.0 of 8.0"), r.notes().getFirst());
            for (RequestRecord q : r.records()) assertEquals(4, q.outputTokens());
        }
    }

    @Test
    void theApiKeyGoesOutAsABearerToken() throws Exception {
        ScriptedSseServer.Script script = (prompt, max, out) -> { out.chunk("t"); out.usage(3, 1); out.done(); };
        try (ScriptedSseServer s = new ScriptedSseServer(script);
             OpenAiStream c = new OpenAiStream(new OpenAiStream.Config(s.uri(), OpenAiStream.Api.COMPLETIONS, "scripted", "sk-test-123", Duration.ofSeconds(5), true))) {
            OpenAiStream.Outcome o = c.send(OpenAiStream.Prompt.tokens(new int[]{1, 5}), 1, System::nanoTime, null);
            assertNull(o.error());
            assertEquals("Bearer sk-test-123", s.lastAuthorization);
        }
    }

    @Test
    void energyIsNotMeasuredForARemoteEndpointAndAStatedDrawIsLabelledAssumed() {
        ServeBenchOptions o = new ServeBenchOptions();
        o.energyIntervalMs = 0;
        dev.infercost.results.CsvTable energy = new dev.infercost.results.CsvTable(dev.infercost.results.ResultSchemas.ENERGY_COLUMNS);
        java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
        OpenAiStream.Config remote = new OpenAiStream.Config(java.net.URI.create("https://inference.example.com"), OpenAiStream.Api.CHAT,
                "m", null, Duration.ofSeconds(1), true);
        assertFalse(remote.local());
        ServeBench.EnergyContext ec = ServeBench.endpointEnergy(o, remote, "r", energy, quiet);
        assertNull(ec.meter());
        assertTrue(ec.selection().describe().contains("not measured: endpoint inference.example.com is remote"), ec.selection().describe());
        o.powerW = 700;
        o.deviceClass = "H200 SXM";
        ec = ServeBench.endpointEnergy(o, remote, "r", energy, quiet);
        assertNotNull(ec.meter());
        assertTrue(ec.meter().estimated());
        assertTrue(ec.selection().describe().contains("ASSUMED draw of the serving device(s): 700.0 W (--power-w), not measured"), ec.selection().describe());
        ec.meter().close();
        assertTrue(new OpenAiStream.Config(java.net.URI.create("http://localhost:8000/v1"), OpenAiStream.Api.COMPLETIONS, "m", null,
                Duration.ofSeconds(1), true).local());
    }

    @Test
    void requestsStillRunningAtTheCutOffAreAbortedAndReportedIncomplete() throws Exception {
        // request 0 answers; request 1 never sends headers; request 2 sends one chunk then stalls
        ScriptedSseServer.Script script = (prompt, max, out) -> {
            switch (prompt[1] - 100) {
                case 1 -> Thread.sleep(20_000);
                case 2 -> { out.chunk("a"); Thread.sleep(20_000); }
                default -> { out.chunk("t"); out.usage(3, 1); out.done(); }
            }
        };
        try (ScriptedSseServer s = new ScriptedSseServer(script); OpenAiStream c = client(s, Duration.ofSeconds(30))) {
            EndpointRunner runner = new EndpointRunner(c, Clock.system(), null, EndpointRunner.PromptMode.TOKENS, 20_000 * MS);
            long t = System.nanoTime();
            ServingRunner.Result r = runner.run(pool(3, 1), new ServingRunner.Plan.OpenLoop(new long[3]), 400 * MS);
            assertTrue(System.nanoTime() - t < 5_000 * MS, "the cut-off stops the point, not the 30 s request timeout");
            assertTrue(r.cutOff());
            assertEquals(3, r.records().size());
            PointMetrics m = PointMetrics.of(r, SloProfile.defaults());
            assertEquals(1, m.completed());
            assertEquals(2, m.incomplete(), r.records().toString());
            assertEquals(0, m.failed(), "aborted at the cut-off is incomplete, not a server failure");
            assertTrue(m.invalidReasons(0, 1, r.cutOff()).getFirst().startsWith("2 of 3 requests unfinished at the cut-off"));
        }
    }
}
