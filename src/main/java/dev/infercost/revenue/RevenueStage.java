package dev.infercost.revenue;

import dev.infercost.BadInputException;
import dev.infercost.results.RunDirectory;

import java.nio.file.Path;
import java.util.List;

/**
 * The revenue stage: scenario + cost table -> revenue.csv, sensitivity.csv, take_rate_curve.csv,
 * revenue_inputs.csv, revenue_summary.csv and deal_comparison.csv in a run folder. Entry point of {@code infercost revenue} and of {@code infercost run}.
 */
public final class RevenueStage {
    private RevenueStage() {}

    /**
     * Runs the revenue-share model and writes its tables into {@code dir} (never overwriting).
     *
     * @param dir                       run folder to write into
     * @param scenarioOrNullForDefault  scenario YAML, or null for the bundled default (models/scenario-default.yaml)
     * @param costCsvOrNull             cost.csv from the cost stage (must hold the scenario's chip/tier/profile rows);
     *                                  null = {@code dir}/cost.csv if present and it fits the scenario, else the bundled
     *                                  illustrative table (labelled as such, with the reason, in every output)
     * @throws dev.infercost.BadInputException for an invalid scenario or cost table, or if the tables exist already
     */
    public static RevenueResult run(RunDirectory dir, Path scenarioOrNullForDefault, Path costCsvOrNull) {
        return runWithCosts(dir, scenarioOrNullForDefault, costCsvOrNull == null ? List.of() : List.of(costCsvOrNull));
    }

    /** As {@link #run(RunDirectory, Path, Path)} with several cost tables read as one (empty = dir/cost.csv or the bundled table). */
    public static RevenueResult runWithCosts(RunDirectory dir, Path scenarioOrNullForDefault, List<Path> costCsvs) {
        Scenario s = scenarioOrNullForDefault == null ? Scenario.defaultScenario() : Scenario.load(scenarioOrNullForDefault);
        RevenueResult r;
        if (!costCsvs.isEmpty()) {
            r = compute(s, CostTable.read(costCsvs));                      // asked for: fail loudly if it does not fit
        } else if (dir.has(dev.infercost.results.ResultSchemas.COST)) {
            // the run's own cost table: use it when it has the scenario's chips/tiers/profiles; otherwise fall back to the
            // bundled table and say why in every output (a scenario mismatch must not kill an `infercost run`)
            Path own = dir.path().resolve(dev.infercost.results.ResultSchemas.COST);
            RevenueResult tried;
            try {
                tried = compute(s, CostTable.read(own));
            } catch (BadInputException e) {
                String why = fallbackReason(s, own, e);
                System.err.println("infercost: revenue: the bundled example cost table is used, not this run's cost.csv: " + why);
                tried = compute(s, CostTable.bundledDefault().withOrigin(CostTable.bundledDefault().origin()
                        + "; used because this run's cost.csv does not fit the scenario: " + why));
            }
            r = tried;
        } else {
            r = compute(s, CostTable.bundledDefault());
        }
        dir.writeCsv(RevenueResult.REVENUE_CSV, r.revenueTable());
        dir.writeCsv(RevenueResult.SENSITIVITY_CSV, r.sensitivityTable());
        dir.writeCsv(RevenueResult.CURVE_CSV, r.curveTable());
        dir.writeCsv(RevenueResult.INPUTS_CSV, r.inputsTable());
        dir.writeCsv(RevenueResult.SUMMARY_CSV, r.summaryCsv());
        dir.writeCsv(RevenueResult.DEALS_CSV, r.dealTable());
        return r;
    }

    /**
     * Why a run's own cost table cannot price a scenario, in one sentence: what the scenario serves, what the table
     * prices, the first missing row (without the table's whole inventory), and how to price the scenario from the run.
     */
    static String fallbackReason(Scenario s, Path own, BadInputException e) {
        String msg = String.valueOf(e.getMessage());
        int cut = msg.indexOf("; it has: ");
        if (cut > 0) msg = msg.substring(0, cut);
        msg = msg.replace("cost table " + own + " ", "cost.csv "); // the run folder may still be its staging name
        java.util.Set<String> need = new java.util.LinkedHashSet<>(), have = new java.util.TreeSet<>();
        if (s.provider != null && s.provider.query_mix != null)
            for (Scenario.MixEntry m : s.provider.query_mix) if (m.model != null) need.add(m.model);
        try {
            for (CostTable.Row r : CostTable.read(own).rows()) if (!r.model().isBlank()) have.add(r.model());
        } catch (BadInputException ignored) { // the table itself is unreadable: msg says so
        }
        StringBuilder b = new StringBuilder();
        if (!need.isEmpty()) b.append("the scenario serves ").append(String.join(", ", need));
        if (!have.isEmpty()) b.append(b.isEmpty() ? "" : " and ").append("this run's cost.csv prices ").append(String.join(", ", have));
        b.append(b.isEmpty() ? "" : " (").append(msg).append(b.isEmpty() ? "" : ")");
        if (!need.isEmpty())
            b.append("; to price the scenario from this run: one `infercost cost RUN --project-model SHAPE --project-dtype DTYPE --out FILE.csv` per served model ("
                    + String.join(", ", need) + "), then `infercost revenue --costs FILE.csv ...`");
        return b.toString();
    }

    /** Computes without writing anything. */
    public static RevenueResult compute(Path scenarioOrNull, Path costCsvOrNull) {
        Scenario s = scenarioOrNull == null ? Scenario.defaultScenario() : Scenario.load(scenarioOrNull);
        CostTable costs = costCsvOrNull == null ? CostTable.bundledDefault() : CostTable.read(costCsvOrNull);
        return compute(s, costs);
    }

    public static RevenueResult compute(Scenario s, CostTable costs) {
        RevenueModel m = new RevenueModel(s, costs);
        long seed = s.sensitivity != null && s.sensitivity.seed != null ? s.sensitivity.seed : Sensitivity.DEFAULT_SEED;
        int samples = s.sensitivity != null && s.sensitivity.samples != null ? s.sensitivity.samples : Sensitivity.DEFAULT_SAMPLES;
        return new RevenueResult(m, seed, samples);
    }
}
