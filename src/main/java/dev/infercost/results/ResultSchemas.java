package dev.infercost.results;

import java.util.List;

/**
 * The run-folder tables every stage writes and reads: each is a {@link TableSpec} (file name + column enum).
 * Producers (engine benchmarks, serving runs, energy meters, cost) write exactly these columns; consumers read
 * them by enum constant ({@link Row#get(Column)}), never by a string literal. Units are in square brackets in the
 * headers. Rows from synthetic-weight presets say so in {@code weights}; estimated energy says so in
 * {@code energy_basis}.
 *
 * <p>The {@code *_COLUMNS} lists are the same headers as plain strings, for writers that build rows as maps.
 */
public final class ResultSchemas {
    private ResultSchemas() {}

    /** engine_bench.csv: one row per JMH benchmark point. */
    public static final TableSpec<EngineBenchColumn> ENGINE_BENCH_TABLE = new TableSpec<>("engine_bench.csv", EngineBenchColumn.class);
    /** serving.csv: one row per load point (rate or concurrency) of a serving sweep. */
    public static final TableSpec<ServingColumn> SERVING_TABLE = new TableSpec<>("serving.csv", ServingColumn.class);
    /** energy.csv: one row per energy window (benchmark or serving point, idle baseline). */
    public static final TableSpec<EnergyColumn> ENERGY_TABLE = new TableSpec<>("energy.csv", EnergyColumn.class);
    /**
     * cost.csv (written by the cost stage, read by revenue and report): one row per chip x price tier x
     * operating point x query profile. provenance is "measured" only for the device the run measured;
     * every other chip is "projected". Money in US dollars.
     */
    public static final TableSpec<CostColumn> COST_TABLE = new TableSpec<>("cost.csv", CostColumn.class);
    /** cost_curve.csv: the calibrated operating-point sweep per chip (throughput per chip vs tok/s/user). */
    public static final TableSpec<CostCurveColumn> COST_CURVE_TABLE = new TableSpec<>("cost_curve.csv", CostCurveColumn.class);

    /** revenue.csv (revenue stage): per deal x year x party P&L, nominal and present-value totals. */
    public static final TableSpec<RevenueColumn> REVENUE_TABLE = new TableSpec<>("revenue.csv", RevenueColumn.class);
    /** sensitivity.csv (revenue stage): tornado (each swing a full rerun) and Monte Carlo percentiles. */
    public static final TableSpec<SensitivityColumn> SENSITIVITY_TABLE = new TableSpec<>("sensitivity.csv", SensitivityColumn.class);
    /** take_rate_curve.csv (revenue stage): horizon margins vs a flat take rate. */
    public static final TableSpec<TakeRateCurveColumn> TAKE_RATE_CURVE_TABLE = new TableSpec<>("take_rate_curve.csv", TakeRateCurveColumn.class);
    /** revenue_summary.csv (revenue stage): key figures. */
    public static final TableSpec<RevenueSummaryColumn> REVENUE_SUMMARY_TABLE = new TableSpec<>("revenue_summary.csv", RevenueSummaryColumn.class);
    /** revenue_inputs.csv (revenue stage): every input with its citation. */
    public static final TableSpec<RevenueInputColumn> REVENUE_INPUTS_TABLE = new TableSpec<>("revenue_inputs.csv", RevenueInputColumn.class);
    /** deal_comparison.csv (revenue stage): deal terms side by side, change vs the reference deal. */
    public static final TableSpec<DealComparisonColumn> DEAL_COMPARISON_TABLE = new TableSpec<>("deal_comparison.csv", DealComparisonColumn.class);

    public static final String ENGINE_BENCH = ENGINE_BENCH_TABLE.file();
    public static final List<String> ENGINE_BENCH_COLUMNS = ENGINE_BENCH_TABLE.headers();
    public static final String SERVING = SERVING_TABLE.file();
    public static final List<String> SERVING_COLUMNS = SERVING_TABLE.headers();
    public static final String ENERGY = ENERGY_TABLE.file();
    public static final List<String> ENERGY_COLUMNS = ENERGY_TABLE.headers();
    public static final String COST = COST_TABLE.file();
    public static final List<String> COST_COLUMNS = COST_TABLE.headers();
}
