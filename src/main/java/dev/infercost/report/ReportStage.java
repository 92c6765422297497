package dev.infercost.report;

import dev.infercost.results.ResultsJson;
import dev.infercost.results.RunDirectory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The report stage: {@code report.html} (and {@code results.json}) in a run folder, from whatever tables the folder holds. */
public final class ReportStage {
    public static final String REPORT_HTML = "report.html";

    private ReportStage() {}

    /**
     * What the stage wrote.
     *
     * @param html     the report.html written
     * @param json     results.json written beside it (null for a comparison report)
     * @param headline the report's headline table (see {@link HtmlReport#headlineRows()})
     */
    public record Written(Path html, Path json, List<Map<String, String>> headline) {}

    /**
     * Writes {@code results.json} (every CSV + manifest) and renders {@code report.html} from the tables in {@code dir}
     * (engine_bench, serving, energy, cost, revenue, sensitivity, manifest; absent ones are reported as absent).
     *
     * @return the written report.html
     * @throws dev.infercost.BadInputException if report.html exists already (never overwritten) or a table is malformed
     */
    public static Path write(RunDirectory dir) { return write(dir, HtmlReport.Options.DEFAULT).html(); }

    /** As {@link #write(RunDirectory)}, with the headline's tier, profile or interactivity target chosen. */
    public static Written write(RunDirectory dir, HtmlReport.Options opts) {
        if (dir.has(REPORT_HTML))
            throw new dev.infercost.BadInputException(dir.path().resolve(REPORT_HTML) + " exists already (reports are never overwritten)");
        dev.infercost.results.ResultsFolderValidator.check(dir.path()); // bad tables are refused, not drawn (issue 17)
        Path json = ResultsJson.write(dir);
        HtmlReport r = new HtmlReport(List.of(dir.path()), List.of(dir.finalPath()), opts);
        Path html = dir.writeString(REPORT_HTML, r.render());
        return new Written(html, json, r.headlineRows());
    }

    /** Renders one comparison report over several result folders (machines) and writes it into {@code out}. */
    public static Path writeComparison(RunDirectory out, List<Path> resultDirs) {
        return writeComparison(out, resultDirs, HtmlReport.Options.DEFAULT).html();
    }

    /** As {@link #writeComparison(RunDirectory, List)} with the headline's tier, profile or target chosen. */
    public static Written writeComparison(RunDirectory out, List<Path> resultDirs, HtmlReport.Options opts) {
        for (Path d : resultDirs) dev.infercost.results.ResultsFolderValidator.check(d);
        HtmlReport r = new HtmlReport(resultDirs, resultDirs, opts);
        return new Written(out.writeString(REPORT_HTML, r.render()), null, r.headlineRows());
    }
}
