package dev.infercost.measure.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-request records and per-point results of a serving run, for comparison with vLLM bench's and AIPerf's
 * outputs:
 * <ul>
 *   <li>{@value #REQUESTS}: one JSON object per request and line: {@code point} (1-based, as serving.csv's row
 *       order), {@code window} (model, scenario and rate/concurrency), {@code id}, times in ms from the point's
 *       start — {@code scheduled_ms}, {@code sent_ms} (endpoint; null in-process), {@code first_token_ms},
 *       {@code token_ms} (every token, or every streamed chunk for an endpoint), {@code end_ms} — then
 *       {@code tokens_in}, {@code tokens_out}, {@code status} ({@code ok}, {@code failed}, {@code incomplete},
 *       {@code rejected}), {@code error} and the generated {@code text} when known;</li>
 *   <li>{@value #POINTS}: {@code {"points": [...]}}, each point an object with exactly serving.csv's headers as
 *       keys and the same values (NaN as null).</li>
 * </ul>
 */
public final class PointLog {
    public static final String REQUESTS = "requests.jsonl";
    public static final String POINTS = "serving.json";
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private final StringBuilder requests = new StringBuilder();
    private final List<Map<String, Object>> points = new ArrayList<>();

    /** Appends one point: its records (times relative to its start) and its serving.csv row. */
    public synchronized void add(int point, String window, ServingRunner.Result r, Map<String, Object> row) {
        long t0 = r.startNanos();
        for (RequestRecord q : r.records()) {
            ObjectNode j = JSON.createObjectNode();
            j.put("point", point);
            j.put("window", window);
            j.put("id", q.id());
            j.put("scheduled_ms", ms(q.scheduledNanos() - t0));
            if (q.sentNanos() >= 0) j.put("sent_ms", ms(q.sentNanos() - t0)); else j.putNull("sent_ms");
            long[] t = q.tokenNanos();
            if (t.length > 0) j.put("first_token_ms", ms(t[0] - t0)); else j.putNull("first_token_ms");
            ArrayNode a = j.putArray("token_ms");
            for (long x : t) a.add(ms(x - t0));
            if (q.endNanos() >= 0) j.put("end_ms", ms(q.endNanos() - t0)); else j.putNull("end_ms");
            j.put("tokens_in", q.inputTokens());
            j.put("tokens_out", q.outputTokens());
            String status = q.failed() ? "failed" : q.rejected() != null ? "rejected" : q.completed() ? "ok" : "incomplete";
            j.put("status", status);
            if (q.failed()) j.put("error", q.error());
            else if (q.rejected() != null) j.put("error", q.rejected());
            else j.putNull("error");
            if (q.text() != null) j.put("text", q.text());
            requests.append(j).append('\n');
        }
        Map<String, Object> clean = new LinkedHashMap<>();
        for (var e : row.entrySet()) {
            Object v = e.getValue();
            clean.put(e.getKey(), v instanceof Double d && (d.isNaN() || d.isInfinite()) ? null : v);
        }
        points.add(clean);
    }

    /** Rounds ns to ms with microsecond resolution. */
    private static double ms(long nanos) { return Math.round(nanos / 1e3) / 1e3; }

    /** The JSONL text of every request so far. */
    public synchronized String requestsJsonl() { return requests.toString(); }

    /**
     * The JSON result: {@code {"run_id": ..., "points": [...]}} with serving.csv's columns in order (missing
     * values as null).
     */
    public synchronized String pointsJson(String runId, List<String> columns) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> p : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String c : columns) m.put(c, p.get(c));
            rows.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("run_id", runId);
        root.put("points", rows);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized int points() { return points.size(); }
}
