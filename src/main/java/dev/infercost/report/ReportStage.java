package dev.infercost.report;

import dev.infercost.results.RunDirectory;

import java.nio.file.Path;
import java.util.List;

/** The report stage: {@code report.html} in a run folder, from whatever tables the folder holds. */
public final class ReportStage {
    public static final String REPORT_HTML = "report.html";

    private ReportStage() {}

    /**
     * Renders {@code report.html} from the tables in {@code dir} (engine_bench, serving, energy, cost, revenue,
     * sensitivity, manifest; absent ones are reported as absent) and writes it into {@code dir}.
     *
     * @return the written file
     * @throws dev.infercost.BadInputException if report.html exists already (never overwritten) or a table is malformed
     */
    public static Path write(RunDirectory dir) {
        dev.infercost.results.ResultsFolderValidator.check(dir.path()); // bad tables are refused, not drawn (issue 17)
        String html = new HtmlReport(List.of(dir.path()), List.of(dir.finalPath())).render();
        return dir.writeString(REPORT_HTML, html);
    }

    /** Renders one comparison report over several result folders (machines) and writes it into {@code out}. */
    public static Path writeComparison(RunDirectory out, List<Path> resultDirs) {
        for (Path d : resultDirs) dev.infercost.results.ResultsFolderValidator.check(d);
        return out.writeString(REPORT_HTML, new HtmlReport(resultDirs).render());
    }
}
