package dev.infercost.bench.loadgen;

import dev.infercost.engine.endpoint.OpenAiStream;
import dev.infercost.measure.loadgen.ArrivalSchedule;
import dev.infercost.measure.loadgen.Clock;
import dev.infercost.measure.loadgen.EndpointRunner;
import dev.infercost.measure.loadgen.PointMetrics;
import dev.infercost.measure.loadgen.ServeBench;
import dev.infercost.measure.loadgen.ServingRunner;
import dev.infercost.measure.loadgen.SloProfile;
import dev.infercost.workload.RequestSpec;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * How fast can serve-bench's endpoint load generator issue requests? Against a loopback server (Jetty) that
 * answers every streaming completion at once (one text chunk, a usage chunk, [DONE]), runs Server points
 * (Poisson arrivals) at rising target rates and finds the highest rate the client sustains: every request
 * completed without error, achieved send rate (requests over the span of the actual sends) within 1% of the
 * schedule's own rate (over the span of the scheduled sends, so Poisson sampling noise does not count against the
 * client), and p99 send lag (actual -
 * scheduled send) under {@link ServeBench#SEND_LAG_LIMIT_MS} ms. serve-bench warns when a point's lag exceeds
 * that limit. The server runs in the same JVM, so the figure is a lower bound for the client alone.
 *
 * <p>Usage: {@code java -cp target/infercost.jar:target/lib/* dev.infercost.bench.loadgen.LoadGenCapacity
 * [start=50] [max=20000] [seconds=5] [seed=1] [lag-ms=5]}: doubles the rate from {@code start} until a point fails, then
 * bisects 4 times between the last passing and the first failing rate. Prints one line per point and the result.
 */
public final class LoadGenCapacity {
    /** p99 send-lag limit, ms ({@code lag-ms=}; default serve-bench's warning threshold). A huge value finds the raw rate ceiling. */
    static double lagLimitMs = ServeBench.SEND_LAG_LIMIT_MS;

    public static void main(String[] args) throws Exception {
        double start = 50, max = 20000, seconds = 5;
        long seed = 1;
        for (String a : args) {
            if (a.startsWith("lag-ms=")) { lagLimitMs = Double.parseDouble(a.substring(7)); continue; }
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "start" -> start = Double.parseDouble(kv[1]);
                case "max" -> max = Double.parseDouble(kv[1]);
                case "seconds" -> seconds = Double.parseDouble(kv[1]);
                case "seed" -> seed = Long.parseLong(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a + " (start=, max=, seconds=, seed=, lag-ms=)");
            }
        }
        Server server = instantServer();
        try {
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            OpenAiStream.Config cfg = new OpenAiStream.Config(URI.create("http://127.0.0.1:" + port), OpenAiStream.Api.COMPLETIONS,
                    "instant", null, Duration.ofSeconds(30), true);
            try (OpenAiStream client = new OpenAiStream(cfg)) {
                EndpointRunner runner = new EndpointRunner(client, Clock.system(), null, EndpointRunner.PromptMode.TOKENS, (long) ((seconds * 3 + 30) * 1e9));
                List<RequestSpec> pool = new ArrayList<>();
                for (int i = 0; i < 64; i++) pool.add(new RequestSpec(i, new int[]{1, 3 + i, 7, 9}, 1, true));
                System.out.printf(Locale.ROOT, "load generator capacity against an instant loopback server; %d CPUs, %.0f s points%n",
                        Runtime.getRuntime().availableProcessors(), seconds);
                System.out.print("warm-up (not judged):");
                point(runner, pool, 20, 2, seed);   // JIT, connections
                double pass = 0, fail = Double.NaN, r = start;
                while (r <= max) {
                    if (point(runner, pool, r, seconds, seed)) { pass = r; r *= 2; }
                    else { fail = r; break; }
                }
                for (int i = 0; i < 4 && !Double.isNaN(fail); i++) {
                    double mid = (pass + fail) / 2;
                    if (point(runner, pool, mid, seconds, seed)) pass = mid; else fail = mid;
                }
                System.out.printf(Locale.ROOT, "highest sustained rate: %.0f req/s (first failing: %s)%n", pass,
                        Double.isNaN(fail) ? "none up to " + max : String.format(Locale.ROOT, "%.0f req/s", fail));
            }
        } finally {
            server.stop();
        }
    }

    /** One Server point; prints it and returns whether it meets the criteria. */
    static boolean point(EndpointRunner runner, List<RequestSpec> pool, double rate, double seconds, long seed) {
        long[] off = ArrivalSchedule.offsets(rate, 1.0, 1, seconds, seed);
        ServingRunner.Result r = runner.run(pool, new ServingRunner.Plan.OpenLoop(off));
        PointMetrics m = PointMetrics.of(r, SloProfile.defaults());
        // rates over the same n - 1 gaps: scheduled (first to last scheduled send) and achieved (first to last actual send)
        long firstSent = Long.MAX_VALUE, lastSent = Long.MIN_VALUE;
        for (var q : r.records()) if (q.sentNanos() >= 0) { firstSent = Math.min(firstSent, q.sentNanos()); lastSent = Math.max(lastSent, q.sentNanos()); }
        double scheduledRate = (off.length - 1) / ((off[off.length - 1] - off[0]) / 1e9);
        double sentRate = (off.length - 1) / ((lastSent - firstSent) / 1e9);
        double ratio = sentRate / scheduledRate;
        boolean ok = m.completed() == off.length && m.failed() == 0 && Math.abs(ratio - 1) <= 0.01
                && m.sendLag().p99Ms() < lagLimitMs;
        System.out.printf(Locale.ROOT, "  target %8.1f req/s  scheduled %8.1f  sent %8.1f (%.4f)  completed %d/%d  failed %d  send lag p50 %.3f ms p99 %.3f ms  %s%n",
                rate, scheduledRate, sentRate, ratio, m.completed(), off.length, m.failed(), m.sendLag().p50Ms(), m.sendLag().p99Ms(),
                ok ? "sustained" : "NOT sustained");
        return ok;
    }

    /** Jetty on 127.0.0.1, any port: every POST gets one text chunk, a usage chunk and [DONE] at once. */
    static Server instantServer() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server s = new Server(pool);
        ServerConnector c = new ServerConnector(s);
        c.setHost("127.0.0.1");
        c.setPort(0);
        s.addConnector(c);
        byte[] body = ("data: {\"choices\":[{\"index\":0,\"text\":\"x\",\"finish_reason\":\"length\"}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}\n\n"
                + "data: [DONE]\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        s.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request req, Response resp, Callback cb) throws Exception {
                try (InputStream in = Request.asInputStream(req)) { in.readAllBytes(); }
                resp.setStatus(200);
                resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                Content.Sink.write(resp, true, java.nio.ByteBuffer.wrap(body));
                cb.succeeded();
                return true;
            }
        });
        s.start();
        return s;
    }
}
