package dev.infercost.measure.loadgen;

import dev.infercost.BadInputException;

import java.util.Locale;

/**
 * Load scenarios after MLPerf Inference LoadGen (https://github.com/mlcommons/inference/tree/master/loadgen,
 * "Scenarios") plus the fixed-concurrency sweep of vLLM bench / NVIDIA AIPerf.
 * <ul>
 *   <li>SingleStream: one request at a time; the next is sent when the previous completes.</li>
 *   <li>Server: open loop, requests arrive at a target rate (Poisson, or gamma with a coefficient of
 *       variation), independent of completions; latency counts from each request's scheduled arrival.</li>
 *   <li>Offline: every request is available at time 0; throughput is the figure.</li>
 *   <li>Concurrency: N users in closed loop, each sends its next request when its previous one completes.</li>
 * </ul>
 */
public enum Scenario {
    SINGLE_STREAM("SingleStream"), SERVER("Server"), OFFLINE("Offline"), CONCURRENCY("Concurrency");

    private final String label;

    Scenario(String label) { this.label = label; }

    /** The value of serving.csv's scenario column. */
    public String label() { return label; }

    /** Parses server | offline | single-stream | concurrency (case-insensitive, also the labels). */
    public static Scenario parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace("_", "-")) {
            case "server" -> SERVER;
            case "offline" -> OFFLINE;
            case "single-stream", "singlestream" -> SINGLE_STREAM;
            case "concurrency" -> CONCURRENCY;
            default -> throw new BadInputException("--scenario " + s + ": expected server, offline, single-stream or concurrency");
        };
    }
}
