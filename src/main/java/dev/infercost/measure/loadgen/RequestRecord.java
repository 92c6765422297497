package dev.infercost.measure.loadgen;

import java.util.Arrays;

/**
 * What happened to one request. All times are clock ns. Latencies count from {@link #scheduledNanos}, the
 * time the load generator meant to send the request, so queueing before admission is never hidden
 * (coordinated omission, Gil Tene, "How NOT to measure latency").
 *
 * @param id             request number in the load point
 * @param inputTokens    ISL (prompt token ids)
 * @param scheduledNanos intended send time
 * @param admittedNanos  time the scheduler gave it a slot (-1 if never)
 * @param tokenNanos     emission time of each output token (first = prefill's token)
 * @param completed      all requested tokens produced (or a stop token)
 * @param rejected       null, or why the scheduler could never admit it
 */
public record RequestRecord(int id, int inputTokens, long scheduledNanos, long admittedNanos, long[] tokenNanos,
                            boolean completed, String rejected) {
    public int outputTokens() { return tokenNanos.length; }

    /** Time to first token, ns (-1 without tokens). */
    public long ttftNanos() { return tokenNanos.length == 0 ? -1 : tokenNanos[0] - scheduledNanos; }

    /** End-to-end latency, ns (-1 without tokens). */
    public long e2eNanos() { return tokenNanos.length == 0 ? -1 : tokenNanos[tokenNanos.length - 1] - scheduledNanos; }

    /** Time per output token after the first: (last - first) / (n - 1), ns; NaN for fewer than 2 tokens. */
    public double tpotNanos() {
        int n = tokenNanos.length;
        return n < 2 ? Double.NaN : (double) (tokenNanos[n - 1] - tokenNanos[0]) / (n - 1);
    }

    /** Inter-token latencies (n - 1 gaps), ns. */
    public long[] itlNanos() {
        long[] d = new long[Math.max(0, tokenNanos.length - 1)];
        for (int i = 0; i < d.length; i++) d[i] = tokenNanos[i + 1] - tokenNanos[i];
        return d;
    }

    @Override public String toString() {
        return "RequestRecord[id=" + id + ", isl=" + inputTokens + ", scheduled=" + scheduledNanos + ", admitted=" + admittedNanos
                + ", tokens=" + Arrays.toString(tokenNanos) + ", completed=" + completed + (rejected == null ? "" : ", rejected=" + rejected) + "]";
    }
}
