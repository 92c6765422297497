package dev.infercost.cli;

import dev.infercost.results.Manifest;
import dev.infercost.report.ReportStage;
import dev.infercost.results.RunDirectory;
import dev.infercost.revenue.RevenueResult;
import dev.infercost.revenue.RevenueStage;
import dev.infercost.revenue.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code infercost revenue}: revenue-share P&L, break-even take rate, tornado and Monte Carlo for a scenario. */
@Command(name = "revenue", mixinStandardHelpOptions = true,
        description = "Revenue-share model: how the model provider's and the cloud's margins move with the take rate, volumes, "
                + "compute prices and the cloud's silicon. Writes revenue.csv, deal_comparison.csv, sensitivity.csv, take_rate_curve.csv, "
                + "revenue_inputs.csv, revenue_summary.csv and report.html into a new run folder and prints the summary.")
public final class RevenueCommand implements Callable<Integer> {
    @Option(names = "--scenario", paramLabel = "FILE", description = "scenario YAML (default: the bundled models/scenario-default.yaml)")
    Path scenario;

    @Option(names = "--costs", paramLabel = "cost.csv", arity = "1..*",
            description = "cost table(s) from `infercost cost` (several are read as one, e.g. one per --profile); default: a bundled illustrative table, labelled as such")
    List<Path> costs = new ArrayList<>();

    @Mixin
    OutOptions out;

    static String sha256(Path f) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Integer call() throws IOException {
        // validate before creating anything
        if (scenario != null) Scenario.load(scenario);
        for (Path c : costs) if (!Files.isRegularFile(c)) throw new dev.infercost.BadInputException(c + ": cost table not found");
        RunDirectory dir = RunDirectory.create(out.parent(), "revenue");
        try {
            List<String> cmd = new ArrayList<>(List.of("infercost", "revenue"));
            if (scenario != null) cmd.addAll(List.of("--scenario", scenario.toString()));
            if (!costs.isEmpty()) { cmd.add("--costs"); for (Path c : costs) cmd.add(c.toString()); }
            Manifest m = Manifest.forThisProcess(dir.runId(), cmd);
            Map<String, Object> rev = new java.util.LinkedHashMap<>();
            rev.put("scenario", scenario == null ? "bundled " + Scenario.DEFAULT_RESOURCE + " (copied as scenario.yaml)" : scenario.toAbsolutePath().toString());
            if (costs.isEmpty()) rev.put("cost_table", "bundled illustrative default (projected rows, assumed operating points)");
            else {
                List<Map<String, String>> ct = new ArrayList<>();
                for (Path c : costs) ct.add(Map.of("path", c.toAbsolutePath().toString(), "sha256", sha256(c)));
                rev.put("cost_tables", ct);
            }
            m.put("revenue", rev);
            dir.writeString("manifest.json", m.toJson());
            byte[] yaml;
            if (scenario != null) yaml = Files.readAllBytes(scenario);
            else try (InputStream in = Scenario.class.getResourceAsStream(Scenario.DEFAULT_RESOURCE)) { yaml = in.readAllBytes(); }
            dir.writeBytes("scenario.yaml", yaml);
            RevenueResult r = RevenueStage.runWithCosts(dir, scenario, costs);
            ReportStage.write(dir);
            Path fin = dir.commit();
            System.out.print(r.summaryTable());
            System.out.println("results: " + fin);
            System.out.println("report:  " + fin.resolve(ReportStage.REPORT_HTML));
            return 0;
        } catch (RuntimeException | IOException e) {
            dir.abandon();
            throw e;
        }
    }
}
