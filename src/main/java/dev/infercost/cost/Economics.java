package dev.infercost.cost;

import dev.infercost.BadInputException;

/**
 * The cost arithmetic, each formula with its source. All money in US dollars; "hour" is a wall-clock hour
 * of one accelerator (or of the measured host).
 */
public final class Economics {
    private Economics() {}

    /** Hours in a (non-leap) year, for annual-to-hourly conversion. */
    public static final double HOURS_PER_YEAR = 8760.0;

    /**
     * $/M tokens = $/hour / (tok/s x 3600) x 1e6, the form used by SemiAnalysis InferenceX
     * (https://github.com/SemiAnalysisAI/InferenceX-app, lib/constants.ts + cost views): e.g. $1.30/h at
     * 1,000 tok/s is $0.3611/M tokens.
     *
     * @param usdPerHour $/accelerator-hour (>= 0)
     * @param tokPerS    tokens per second per accelerator (> 0)
     * @throws BadInputException for a negative price or a non-positive throughput
     */
    public static double usdPerMillionTokens(double usdPerHour, double tokPerS) {
        requireNonNegative("usd_per_hour", usdPerHour, "price");
        if (!(tokPerS > 0)) throw new BadInputException("throughput " + tokPerS + " tok/s: expected > 0 to cost tokens");
        return usdPerHour / (tokPerS * 3600.0) * 1e6;
    }

    /**
     * Device seconds one query occupies at an operating point: ISL / prefill tok/s + OSL / decode tok/s. The
     * throughputs are aggregate over the batch, so batching shares the device among queries; input and output
     * are charged by the time their phase actually takes (not a fixed output:input price ratio).
     */
    public static double deviceSecondsPerQuery(double isl, double osl, double prefillTokPerS, double decodeTokPerS) {
        if (!(prefillTokPerS > 0) && isl > 0) throw new BadInputException("prefill throughput " + prefillTokPerS + " tok/s: expected > 0");
        if (!(decodeTokPerS > 0) && osl > 0) throw new BadInputException("decode throughput " + decodeTokPerS + " tok/s: expected > 0");
        return (isl > 0 ? isl / prefillTokPerS : 0) + (osl > 0 ? osl / decodeTokPerS : 0);
    }

    /** $/query = $/hour x device seconds per query / 3600. */
    public static double usdPerQuery(double usdPerHour, double deviceSeconds) {
        requireNonNegative("usd_per_hour", usdPerHour, "price");
        return usdPerHour * deviceSeconds / 3600.0;
    }

    /**
     * Wh/query = watts x device seconds / 3600 (1 Wh = 3600 J). The boundary is that of {@code watts}
     * (device, node or facility = node x PUE); callers state it.
     */
    public static double whPerQuery(double watts, double deviceSeconds) {
        requireNonNegative("power [W]", watts, "power");
        return watts * deviceSeconds / 3600.0;
    }

    /**
     * Tokens/s per MW of all-in (IT + facility) power, as InferenceX's "tok/s/MW" views: tok/s / (kW / 1000).
     * E.g. 1,000 tok/s per H100 at SemiAnalysis' 1.73 kW all-in per GPU is 578,035 tok/s/MW.
     */
    public static double tokPerSecPerMegawatt(double tokPerS, double allInKw) {
        if (!(allInKw > 0)) throw new BadInputException("all-in power " + allInKw + " kW: expected > 0");
        return tokPerS / (allInKw / 1000.0);
    }

    /**
     * Annual payment of an annuity that repays {@code capex} over {@code years} at rate {@code r}:
     * capex x r / (1 - (1 + r)^-years); capex / years when r = 0 (standard capital-recovery factor, e.g.
     * Brealey, Myers &amp; Allen, Principles of Corporate Finance, ch. 2).
     */
    public static double annuity(double capex, double rate, double years) {
        if (!(years > 0)) throw new BadInputException("life " + years + " years: expected > 0");
        if (rate < 0) throw new BadInputException("cost of capital " + rate + ": expected >= 0");
        if (rate == 0) return capex / years;
        return capex * rate / (1 - Math.pow(1 + rate, -years));
    }

    static void requireNonNegative(String field, double v, String what) {
        if (Double.isNaN(v) || v < 0) throw new BadInputException(field + "=" + v + ": expected a non-negative " + what);
    }
}
