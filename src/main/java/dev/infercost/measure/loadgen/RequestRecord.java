package dev.infercost.measure.loadgen;

import java.util.Arrays;

/**
 * What happened to one request. All times are clock ns. Latencies count from {@link #scheduledNanos}, the
 * time the load generator meant to send the request, so queueing before admission (or a late send) is never
 * hidden (coordinated omission, Gil Tene, "How NOT to measure latency").
 *
 * @param id               request number in the load point
 * @param inputTokens      ISL (prompt token ids; for an endpoint the server's {@code usage.prompt_tokens} when given)
 * @param scheduledNanos   intended send time
 * @param admittedNanos    in-process: time the scheduler gave it a slot; endpoint: time the request was sent (-1 if never)
 * @param tokenNanos       arrival time of each output token (in-process) or of each streamed chunk carrying text
 *                         (endpoint; a chunk may carry several tokens, as in vLLM bench's ITL)
 * @param completed        all requested tokens produced (or a stop token), and no error
 * @param rejected         null, or why the scheduler could never admit it
 * @param sentNanos        endpoint: time the HTTP request was handed to the client (-1 in-process or never sent)
 * @param endNanos         time the response ended (last token, or the end of the stream; -1 if it never ended)
 * @param outputTokenCount output tokens when known independently of {@code tokenNanos} (endpoint: {@code usage}
 *                         or the tokenizer); -1 = one per entry of {@code tokenNanos}
 * @param error            null, or why the request failed ("http 500", "timeout after 30 s", "malformed SSE: ...",
 *                         "stream closed before [DONE]")
 * @param text             generated text (endpoint and {@code infercost serve}); null when not kept
 */
public record RequestRecord(int id, int inputTokens, long scheduledNanos, long admittedNanos, long[] tokenNanos,
                            boolean completed, String rejected, long sentNanos, long endNanos, int outputTokenCount, String error, String text) {

    /** An in-process record: one entry of {@code tokenNanos} per token, no error, no text. */
    public RequestRecord(int id, int inputTokens, long scheduledNanos, long admittedNanos, long[] tokenNanos,
                         boolean completed, String rejected) {
        this(id, inputTokens, scheduledNanos, admittedNanos, tokenNanos, completed, rejected, -1,
                tokenNanos.length == 0 ? -1 : tokenNanos[tokenNanos.length - 1], -1, null, null);
    }

    /** Output tokens: {@link #outputTokenCount} when known, else the number of token times. */
    public int outputTokens() { return outputTokenCount >= 0 ? outputTokenCount : tokenNanos.length; }

    /** True when the request failed (HTTP error, timeout, malformed or truncated stream). */
    public boolean failed() { return error != null; }

    /** Send lag, ns: actual send - scheduled send (endpoint runs; -1 when not sent). */
    public long sendLagNanos() { return sentNanos < 0 ? -1 : sentNanos - scheduledNanos; }

    /** Time to first token, ns (-1 without tokens). */
    public long ttftNanos() { return tokenNanos.length == 0 ? -1 : tokenNanos[0] - scheduledNanos; }

    /**
     * End-to-end latency, ns: end of the response - scheduled send, where the end is {@link #endNanos} (an
     * endpoint's stream end: the {@code data: [DONE]} line, after the finish_reason and usage chunks; in-process,
     * the last token), else the last token; -1 without tokens. This is the request latency of AIPerf/GenAI-Perf
     * ("until the final response is received"); vLLM's benchmark_serving stops at the last chunk it times, which
     * is 0.1-1.5 ms earlier against {@code infercost serve}.
     */
    public long e2eNanos() {
        if (tokenNanos.length == 0) return -1;
        long last = tokenNanos[tokenNanos.length - 1];
        return (endNanos >= last ? endNanos : last) - scheduledNanos;
    }

    /**
     * Time per output token after the first: (last - first token time) / (output tokens - 1), ns; NaN for fewer
     * than 2 tokens (vLLM benchmark_serving's TPOT; with chunked streams the token count comes from usage).
     */
    public double tpotNanos() {
        int n = outputTokens(), t = tokenNanos.length;
        return n < 2 || t == 0 ? Double.NaN : (double) (tokenNanos[t - 1] - tokenNanos[0]) / (n - 1);
    }

    /** Inter-token (inter-chunk) latencies, ns. */
    public long[] itlNanos() {
        long[] d = new long[Math.max(0, tokenNanos.length - 1)];
        for (int i = 0; i < d.length; i++) d[i] = tokenNanos[i + 1] - tokenNanos[i];
        return d;
    }

    @Override public String toString() {
        return "RequestRecord[id=" + id + ", isl=" + inputTokens + ", scheduled=" + scheduledNanos + ", admitted=" + admittedNanos
                + ", tokens=" + Arrays.toString(tokenNanos) + ", completed=" + completed + (rejected == null ? "" : ", rejected=" + rejected)
                + (error == null ? "" : ", error=" + error) + "]";
    }
}
