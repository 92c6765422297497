package dev.infercost.cost;

import dev.infercost.results.ResultSchemas;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of cost.csv ({@link ResultSchemas#COST_COLUMNS}): chip x price tier x operating point x query
 * profile. Money in USD; NaN means "not available" (written as an empty cell) and the reason is in
 * {@code basis}/{@code assumptions}.
 */
public record CostRow(String runId, String chip, String vendor, String silicon, String provenance, String tier,
                      String operatingPoint, String model, String weights, Integer batchSize,
                      double usdPerHour, double capexPerHour, double powerCostPerHour, double otherOpexPerHour,
                      double powerW, String powerBasis, double prefillTokPerS, double decodeTokPerS, double tokPerSUser,
                      double usdPerMInput, double usdPerMOutput, String profile, int profileIsl, int profileOsl,
                      double usdPerQuery, double whPerQuery, double mbu, double mfu, String basis,
                      List<String> assumptions, List<String> sources, List<String> overridden, Extra extra, Accuracy accuracy) {

    /**
     * The accuracy columns (issue 17): the measured point's gate verdict and, on a row priced although that verdict is
     * {@code fail}, the override that allowed it.
     *
     * @param verdict  pass | fail | not-checked for measured rows; "" for projected and imported rows
     * @param override {@value #OVERRIDE_LABEL} when priced under {@value #OVERRIDE_FLAG}; "" otherwise (the cell does not
     *                 start with '-', which the CSV writer's formula-injection guard would prefix)
     */
    public record Accuracy(String verdict, String override) {
        public static final String OVERRIDE_FLAG = "--price-failed-accuracy";
        public static final String OVERRIDE_LABEL = "priced under " + OVERRIDE_FLAG;
        public static final Accuracy NONE = new Accuracy("", "");

        public static Accuracy of(String verdict) { return new Accuracy(verdict == null ? "" : verdict.trim(), ""); }

        public boolean failed() { return "fail".equalsIgnoreCase(verdict); }

        public Accuracy overridden() { return new Accuracy(verdict, OVERRIDE_LABEL); }
    }


    /**
     * Columns added with the calibrated sweep (NaN / null = not applicable).
     *
     * @param precision      weights/KV precision, e.g. "fp8/fp8"
     * @param tensorParallel TP group size
     * @param target         interactivity target [tok/s/user]
     * @param ttftMs         TTFT estimate [ms]
     * @param tpotMs         TPOT estimate [ms]
     * @param outLow         $/M output at the high end of the efficiency band
     * @param outHigh        $/M output at the low end of the efficiency band
     * @param queryLow       $/query low
     * @param queryHigh      $/query high
     * @param efficiency     efficiency used by the projection
     * @param calibration    what the efficiency was fitted to
     * @param noisy          true/false for measured points, null otherwise
     */
    public record Extra(String precision, Integer tensorParallel, double target, double ttftMs, double tpotMs, double outLow,
                        double outHigh, double queryLow, double queryHigh, double efficiency, String calibration, Boolean noisy) {
        public static final Extra NONE = new Extra("", null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "", null);

        public Extra withNoisy(Boolean n) { return new Extra(precision, tensorParallel, target, ttftMs, tpotMs, outLow, outHigh, queryLow, queryHigh, efficiency, calibration, n); }
    }

    /** The same row with other extra columns. */
    public CostRow with(Extra e) {
        return new CostRow(runId, chip, vendor, silicon, provenance, tier, operatingPoint, model, weights, batchSize, usdPerHour, capexPerHour,
                powerCostPerHour, otherOpexPerHour, powerW, powerBasis, prefillTokPerS, decodeTokPerS, tokPerSUser, usdPerMInput, usdPerMOutput,
                profile, profileIsl, profileOsl, usdPerQuery, whPerQuery, mbu, mfu, basis, assumptions, sources, overridden, e, accuracy);
    }

    /** The same row with other accuracy columns. */
    public CostRow with(Accuracy a) {
        return new CostRow(runId, chip, vendor, silicon, provenance, tier, operatingPoint, model, weights, batchSize, usdPerHour, capexPerHour,
                powerCostPerHour, otherOpexPerHour, powerW, powerBasis, prefillTokPerS, decodeTokPerS, tokPerSUser, usdPerMInput, usdPerMOutput,
                profile, profileIsl, profileOsl, usdPerQuery, whPerQuery, mbu, mfu, basis, assumptions, sources, overridden, extra, a);
    }

    /** Values keyed by the cost.csv column names. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> c = ResultSchemas.COST_COLUMNS;
        Object[] v = {runId, chip, vendor, silicon, provenance, tier, operatingPoint, model, weights, batchSize,
                usdPerHour, capexPerHour, powerCostPerHour, otherOpexPerHour, powerW, powerBasis, prefillTokPerS,
                decodeTokPerS, tokPerSUser, usdPerMInput, usdPerMOutput, profile, profileIsl, profileOsl, usdPerQuery,
                whPerQuery, mbu, mfu, basis, String.join("; ", assumptions),
                String.join(" | ", new java.util.LinkedHashSet<>(sources)), String.join("; ", overridden),
                extra.precision(), extra.tensorParallel(), extra.target(), extra.ttftMs(), extra.tpotMs(), extra.outLow(), extra.outHigh(),
                extra.queryLow(), extra.queryHigh(), extra.efficiency(), extra.calibration(), extra.noisy(), accuracy.verdict(), accuracy.override()};
        if (v.length != c.size()) throw new IllegalStateException("CostRow has " + v.length + " values for " + c.size() + " columns");
        for (int i = 0; i < v.length; i++) m.put(c.get(i), v[i]);
        return m;
    }

    /** True when this row has a $/query (or at least a $/M output) to rank by. */
    public boolean priced() { return !Double.isNaN(usdPerMOutput) || !Double.isNaN(usdPerQuery); }
}
