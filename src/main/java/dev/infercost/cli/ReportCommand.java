package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.report.HtmlReport;
import dev.infercost.report.ReportStage;
import dev.infercost.results.Manifest;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code infercost report DIR... [--out DIR]}: one self-contained report.html over one or more result folders.
 * One folder and no --out: report.html (and results.json) are added to that folder (if it has no report yet); with
 * {@code --format} and a report.html already there, only the headline table is printed to stdout (nothing is written).
 * Several folders or --out: a new run folder under --out (default results/) holds the comparison report and a
 * manifest naming its inputs. A folder with none of the tables the report reads is refused, naming what it holds.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Renders report.html from one or more result folders: first what a query costs per chip in one price tier with its band, "
                + "then cost curves, measurements and revenue share. Several folders (e.g. one per machine) merge into one comparison report.")
public final class ReportCommand implements Callable<Integer> {
    /** Tables the report has a view for; a folder needs at least one. */
    static final List<String> TABLES = List.of("engine_bench.csv", "serving.csv", "energy.csv", "cost.csv", "cost_curve.csv", "revenue.csv");

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Result folders, each with any of engine_bench.csv, serving.csv, energy.csv, cost.csv, cost_curve.csv, revenue.csv.")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", description = "Parent folder for a new report run folder (default: results/ when several DIRs are given).")
    Path out;

    @Option(names = "--tier", paramLabel = "NAME", description = "Price tier the headline compares chips in (default: the tier that prices the most chips).")
    String tier;

    @Option(names = "--profile", paramLabel = "NAME", description = "Query profile of the headline (default: the first in the cost table, e.g. chat).")
    String profile;

    @Option(names = "--target-tok-s-user", paramLabel = "X", description = "Interactivity target of the headline, tok/s/user: each chip's cheapest point at or above it.")
    Double target;

    @CommandLine.Mixin
    TableFormat.Mixin format = new TableFormat.Mixin();

    @Override
    public Integer call() {
        for (Path d : dirs) check(d);
        HtmlReport.Options opts = new HtmlReport.Options(tier, profile, target);
        TableFormat.Format f = format.format();
        ReportStage.Written w;
        if (dirs.size() == 1 && out == null) {
            RunDirectory dir = RunDirectory.open(dirs.get(0));
            if (dir.has(ReportStage.REPORT_HTML) && f != null) {
                // --format md|csv|json|jsonl asks for the headline table on stdout: render it from the folder's
                // tables without writing anything, so an existing report.html neither blocks it nor is touched
                dev.infercost.results.ResultsFolderValidator.check(dir.path());
                HtmlReport r = new HtmlReport(List.of(dir.path()), List.of(dir.finalPath()), opts);
                r.render();
                w = new ReportStage.Written(null, null, r.headlineRows());
                System.err.println("report: " + dir.path().resolve(ReportStage.REPORT_HTML) + " exists already and was left as it is; headline table from the folder's tables follows");
            } else {
                if (dir.has(ReportStage.REPORT_HTML))
                    throw new BadInputException(dirs.get(0).resolve(ReportStage.REPORT_HTML) + " exists already (reports are never overwritten); use --out DIR for a new one, or --format md|json for the headline table on stdout");
                w = ReportStage.write(dir, opts);
                (f == null ? System.out : System.err).println("report: " + w.html());
            }
        } else {
            RunDirectory dir = RunDirectory.create(ResultsFolders.parent(out), "report");
            try {
                List<String> cmd = new ArrayList<>(List.of("infercost", "report"));
                for (Path d : dirs) cmd.add(d.toString());
                Manifest m = Manifest.forThisProcess(dir.runId(), cmd);
                m.put("report_inputs", dirs.stream().map(d -> d.toAbsolutePath().normalize().toString()).toList());
                dir.writeString("manifest.json", m.toJson());
                w = ReportStage.writeComparison(dir, dirs, opts);
                Path fin = dir.commit();
                (f == null ? System.out : System.err).println("report: " + fin.resolve(ReportStage.REPORT_HTML));
            } catch (RuntimeException e) {
                dir.abandon();
                throw e;
            }
        }
        if (f != null) {
            List<String> headers = new ArrayList<>();
            for (Map<String, String> r : w.headline()) for (String k : r.keySet()) if (!headers.contains(k)) headers.add(k);
            List<List<String>> rows = new ArrayList<>();
            for (Map<String, String> r : w.headline()) rows.add(headers.stream().map(h -> r.getOrDefault(h, "")).toList());
            System.out.print(TableFormat.render(f, headers, rows));
        }
        return 0;
    }

    /** @throws BadInputException when {@code d} is not a folder or holds none of the tables the report reads (naming what it holds) */
    static void check(Path d) {
        if (!Files.isDirectory(d)) throw new BadInputException(d + ": not a results folder (" + (Files.exists(d) ? "a file, not a folder" : "no such directory") + ")");
        List<String> has;
        try (Stream<Path> s = Files.list(d)) {
            has = s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(d + ": cannot list the folder: " + e.getMessage());
        }
        boolean ok = has.stream().anyMatch(n -> TABLES.contains(n) || n.matches("cost-\\d+\\.csv"));
        if (!ok)
            throw new BadInputException(d + ": not a folder the report understands (it holds " + (has.isEmpty() ? "nothing" : String.join(", ", has))
                    + "; a report needs one of " + String.join(", ", TABLES) + ")");
    }
}
