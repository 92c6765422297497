package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.results.Manifest;
import dev.infercost.report.ReportStage;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code infercost report DIR... [--out DIR]}: one self-contained report.html over one or more result folders.
 * One folder and no --out: report.html is added to that folder (if it has none yet). Several folders or --out:
 * a new run folder under --out (default results/) holds the comparison report and a manifest naming its inputs.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Renders report.html (tables + embedded charts, no network) from result folders. Several folders "
                + "(e.g. one per machine) merge into one comparison report with a machine column.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "result folders (each with engine_bench.csv, serving.csv, energy.csv, cost.csv, revenue.csv, manifest.json: any subset)")
    List<Path> dirs;

    @Mixin
    OutOptions out;

    @Override
    public Integer call() {
        List<String> tables = List.of("engine_bench.csv", "serving.csv", "energy.csv", "cost.csv", "revenue.csv", "manifest.json");
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) throw new BadInputException(d + ": not a results folder (no such directory)");
            if (tables.stream().noneMatch(t -> Files.isRegularFile(d.resolve(t))))
                throw new BadInputException(d + ": not a results folder (none of " + String.join(", ", tables) + ")");
        }
        if (dirs.size() == 1 && out.out() == null) {
            RunDirectory dir = RunDirectory.open(dirs.get(0));
            if (dir.has(ReportStage.REPORT_HTML))
                throw new BadInputException(dirs.get(0).resolve(ReportStage.REPORT_HTML) + " exists already (reports are never overwritten); use --out DIR for a new one");
            Path p = ReportStage.write(dir);
            System.out.println("report: " + p);
            return 0;
        }
        RunDirectory dir = RunDirectory.create(out.parent(), "report");
        try {
            List<String> cmd = new ArrayList<>(List.of("infercost", "report"));
            for (Path d : dirs) cmd.add(d.toString());
            Manifest m = Manifest.forThisProcess(dir.runId(), cmd);
            m.put("report_inputs", dirs.stream().map(d -> d.toAbsolutePath().normalize().toString()).toList());
            dir.writeString("manifest.json", m.toJson());
            ReportStage.writeComparison(dir, dirs);
            Path fin = dir.commit();
            System.out.println("report: " + fin.resolve(ReportStage.REPORT_HTML));
            return 0;
        } catch (RuntimeException e) {
            dir.abandon();
            throw e;
        }
    }
}
