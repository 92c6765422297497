package dev.infercost.measure.loadgen;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Serving metrics of one load point, computed from its {@link RequestRecord}s (definitions as in vLLM's
 * benchmark_serving and NVIDIA AIPerf's metric reference):
 * <ul>
 *   <li>TTFT = first token time - scheduled send time; E2E = end of the response (an endpoint stream's
 *       {@code [DONE]}, in-process the last token) - scheduled send time ({@link RequestRecord#e2eNanos});</li>
 *   <li>TPOT (per request) = (last - first token time) / (output tokens - 1), requests with &gt;= 2 tokens;</li>
 *   <li>ITL = every gap between consecutive tokens of a request;</li>
 *   <li>input/output throughput = tokens of completed requests / point duration (first scheduled send to
 *       last token);</li>
 *   <li>tok/s/user = 1000 / median TPOT (ms), the "interactivity" axis of InferenceX's throughput-per-GPU vs
 *       interactivity curves;</li>
 *   <li>goodput = completed requests meeting both SLO limits / duration (DistServe); SLO attainment = those
 *       requests / issued requests (incomplete ones count as misses);</li>
 *   <li>the point passes the SLO when it is valid and p99 TTFT and p99 TPOT are within the limits
 *       (MLPerf LLM server rule).</li>
 * </ul>
 * Only completed requests enter the percentiles; incomplete, rejected or failed ones (HTTP errors, timeouts,
 * malformed or truncated streams of an endpoint) make the point invalid (their latency is unknown but at least
 * the cut-off) and are counted in the reasons. {@code sendLag} summarises actual - scheduled send times
 * (endpoint runs; empty in-process, where admission is the scheduler's own queueing).
 */
public record PointMetrics(int issued, int completed, int incomplete, int rejected, double durationS,
                           LatencySummary ttft, LatencySummary tpot, LatencySummary itl, LatencySummary e2e,
                           long inputTokens, long outputTokens, double meanIsl, double meanOsl,
                           int goodRequests, SloProfile slo, int failed, String failures, LatencySummary sendLag,
                           double offeredRate, double servedRate) {

    public static PointMetrics of(ServingRunner.Result r, SloProfile slo) {
        Histogram ttft = LatencySummary.histogram(), tpot = LatencySummary.histogram(),
                itl = LatencySummary.histogram(), e2e = LatencySummary.histogram();
        Histogram lag = LatencySummary.histogram();
        int completed = 0, incomplete = 0, rejected = 0, good = 0, failed = 0;
        java.util.Map<String, Integer> why = new java.util.TreeMap<>();
        long in = 0, out = 0;
        long firstSched = Long.MAX_VALUE, lastSched = Long.MIN_VALUE, firstEnd = Long.MAX_VALUE, lastEnd = Long.MIN_VALUE;
        for (RequestRecord q : r.records()) {
            firstSched = Math.min(firstSched, q.scheduledNanos());
            lastSched = Math.max(lastSched, q.scheduledNanos());
            if (q.sendLagNanos() >= 0) lag.recordValue(q.sendLagNanos());
            if (q.failed()) { failed++; why.merge(failureKind(q.error()), 1, Integer::sum); continue; }
            if (q.rejected() != null) { rejected++; continue; }
            if (!q.completed()) { incomplete++; continue; }
            completed++;
            long end = q.endNanos() >= 0 ? q.endNanos() : q.tokenNanos().length > 0 ? q.tokenNanos()[q.tokenNanos().length - 1] : -1;
            if (end >= 0) { firstEnd = Math.min(firstEnd, end); lastEnd = Math.max(lastEnd, end); }
            in += q.inputTokens();
            out += q.outputTokens();
            ttft.recordValue(q.ttftNanos());
            e2e.recordValue(q.e2eNanos());
            double tp = q.tpotNanos();
            if (!Double.isNaN(tp)) tpot.recordValue(Math.round(tp));
            for (long g : q.itlNanos()) itl.recordValue(g);
            if (slo.met(q.ttftNanos() / 1e6, tp / 1e6)) good++;
        }
        return new PointMetrics(r.records().size(), completed, incomplete, rejected, r.durationS(),
                LatencySummary.of(ttft), LatencySummary.of(tpot), LatencySummary.of(itl), LatencySummary.of(e2e),
                in, out, completed == 0 ? Double.NaN : (double) in / completed, completed == 0 ? Double.NaN : (double) out / completed,
                good, slo, failed, failureText(why), LatencySummary.of(lag),
                span(r.records().size(), firstSched, lastSched), span(completed, firstEnd, lastEnd));
    }

    /** (n - 1) events over the span from the first to the last, per second; NaN for fewer than 2 or a zero span. */
    private static double span(int n, long first, long last) {
        return n < 2 || last <= first ? Double.NaN : (n - 1) / ((last - first) / 1e9);
    }

    /**
     * Default of {@link ServeBenchOptions#minRateRatio}: a Server point whose served rate is below 95% of its
     * offered rate did not keep up with its schedule and is invalid.
     */
    public static final double DEFAULT_MIN_RATE_RATIO = 0.95;

    /**
     * The throughput run rule of an open-loop point with a target rate: the point is invalid when the server did
     * not keep up, i.e. its served rate (completions per second from the first to the last completion) is below
     * {@code minRatio} x the offered rate (arrivals per second from the first to the last scheduled send, the rate
     * the Poisson/gamma schedule actually drew; the target is its expectation). Both spans hold the same requests
     * shifted by their latency, so a server that keeps up scores about 1 whatever its E2E; a backlog stretches the
     * completion span. Server schedules ({@link ArrivalSchedule#offsetsAtExactRate}) offer exactly the target.
     *
     * @param targetRate req/s (NaN: no check, e.g. Offline or closed-loop points)
     * @return the reason, or null when the point kept up
     */
    public String rateShortfall(double targetRate, double minRatio) {
        if (Double.isNaN(targetRate) || completed == 0) return null;
        if (!Double.isNaN(servedRate) && !Double.isNaN(offeredRate) && servedRate < minRatio * offeredRate)
            return String.format(Locale.ROOT, "served %.4g req/s, %.1f%% of the offered %.4g req/s (target %.4g; run rule >= %.0f%%): the server fell behind its schedule",
                    servedRate, 100 * servedRate / offeredRate, offeredRate, targetRate, 100 * minRatio);
        return null;
    }

    /**
     * The kind of a request's error for the point's summary ("http 500", "timeout", "malformed SSE",
     * "stream closed before [DONE]", "connect"); the full text stays in the per-request record.
     */
    static String failureKind(String error) {
        String k = error;
        int c = k.indexOf(':');
        if (c > 0) k = k.substring(0, c);
        for (String cut : new String[]{" after ", " ("}) {
            int i = k.indexOf(cut);
            if (i > 0) k = k.substring(0, i);
        }
        return k;
    }

    private static String failureText(java.util.Map<String, Integer> why) {
        List<String> parts = new ArrayList<>();
        for (var e : why.entrySet()) parts.add(e.getValue() + " x " + e.getKey());
        return String.join(", ", parts);
    }

    public double achievedRate() { return completed / durationS; }
    public double inputThroughput() { return inputTokens / durationS; }
    public double outputThroughput() { return outputTokens / durationS; }
    public double tokPerSecPerUser() { return tpot.samples() == 0 ? Double.NaN : 1000.0 / tpot.p50Ms(); }
    public double goodput() { return goodRequests / durationS; }
    public double sloAttainment() { return issued == 0 ? Double.NaN : (double) goodRequests / issued; }

    /** MLPerf-style pass: every request completed, p99 TTFT and p99 TPOT within the SLO. */
    public boolean meetsSlo() {
        return incomplete == 0 && rejected == 0 && failed == 0 && completed > 0 && ttft.p99Ms() <= slo.ttftMs()
                && (tpot.samples() == 0 || tpot.p99Ms() <= slo.tpotMs());
    }

    /**
     * Queries needed before a p-th percentile can be bounded with confidence {@code conf} when no query exceeds
     * it: the smallest n with p^n &lt;= 1 - conf (the t = 0 case of MLPerf LoadGen's early-stopping criterion,
     * a one-sided binomial test; 459 for p99 at 99%).
     */
    public static int earlyStoppingMinQueries(double p, double conf) {
        return (int) Math.ceil(Math.log(1 - conf) / Math.log(p));
    }

    /** Run-rule violations (empty = valid) for minimum duration and count, incomplete and rejected requests. */
    public List<String> invalidReasons(double minDurationS, int minQueries, boolean cutOff) {
        List<String> r = new ArrayList<>();
        if (durationS < minDurationS) r.add(String.format(Locale.ROOT, "duration %.2f s below the minimum %.1f s", durationS, minDurationS));
        if (completed < minQueries) r.add("completed " + completed + " requests, below the minimum " + minQueries);
        if (incomplete > 0) r.add(incomplete + " of " + issued + " requests unfinished" + (cutOff ? " at the cut-off (saturated: arrivals outpace service)" : ""));
        if (rejected > 0) r.add(rejected + " requests rejected (KV budget or context too small)");
        if (failed > 0) r.add(failed + " of " + issued + " requests failed (" + failures + ")");
        return r;
    }

    /** Notes on statistical resolution (they do not invalidate the point). */
    public List<String> notes() {
        List<String> r = new ArrayList<>();
        int need = earlyStoppingMinQueries(0.99, 0.99);
        if (completed < need)
            r.add("note: p99 from " + completed + " requests; MLPerf early stopping needs >= " + need + " to bound p99 at 99% confidence");
        return r;
    }
}
