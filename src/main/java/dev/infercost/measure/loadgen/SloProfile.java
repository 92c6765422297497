package dev.infercost.measure.loadgen;

import dev.infercost.BadInputException;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Latency limits a serving point must meet. A request is "good" when its TTFT and TPOT are both within the
 * limits (goodput, as in DistServe, Zhong et al. OSDI 2024, and vLLM bench's --goodput); a load point passes
 * when its p99 TTFT and p99 TPOT are within them (MLPerf Inference LLM server rules).
 *
 * <p>Named defaults are MLPerf Inference's LLM latency constraints (mlcommons/inference, "MLPerf Inference
 * Rules", LLM latency table; llama2-70b from v4.0, llama2-70b-interactive from v5.0, llama3.1-405b from v5.0):
 * <ul>
 *   <li>{@code llama2-70b}: TTFT 2000 ms, TPOT 200 ms (p99) — the default;</li>
 *   <li>{@code interactive} (llama2-70b-interactive): TTFT 450 ms, TPOT 40 ms;</li>
 *   <li>{@code llama3.1-405b}: TTFT 6000 ms, TPOT 175 ms.</li>
 * </ul>
 */
public record SloProfile(String name, double ttftMs, double tpotMs, String source) {
    private static final String MLPERF = "MLPerf Inference rules, LLM latency constraints (github.com/mlcommons/inference_policies)";
    private static final Map<String, SloProfile> NAMED = new LinkedHashMap<>();

    static {
        NAMED.put("llama2-70b", new SloProfile("llama2-70b", 2000, 200, MLPERF + ", llama2-70b server"));
        NAMED.put("interactive", new SloProfile("interactive", 450, 40, MLPERF + ", llama2-70b-interactive"));
        NAMED.put("llama3.1-405b", new SloProfile("llama3.1-405b", 6000, 175, MLPERF + ", llama3.1-405b server"));
    }

    /** The default SLO: MLPerf llama2-70b server (TTFT 2 s, TPOT 200 ms). */
    public static SloProfile defaults() { return NAMED.get("llama2-70b"); }

    /** @throws BadInputException unknown name (lists the known ones) */
    public static SloProfile named(String name) {
        SloProfile p = NAMED.get(name.toLowerCase(Locale.ROOT));
        if (p == null) throw new BadInputException("--slo " + name + ": unknown profile; known: " + String.join(", ", NAMED.keySet()));
        return p;
    }

    /** This profile with user limits (NaN keeps the profile's value). */
    public SloProfile override(double ttft, double tpot) {
        if (Double.isNaN(ttft) && Double.isNaN(tpot)) return this;
        return new SloProfile(name + "+custom", Double.isNaN(ttft) ? ttftMs : ttft, Double.isNaN(tpot) ? tpotMs : tpot,
                "user-set limits over " + name);
    }

    /** Whether one request meets both limits (a single-token output has no TPOT and meets that limit). */
    public boolean met(double ttft, double tpot) {
        return ttft <= ttftMs && (Double.isNaN(tpot) || tpot <= tpotMs);
    }
}
