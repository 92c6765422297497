package dev.infercost.revenue;

import dev.infercost.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** `infercost revenue` and `infercost report` through the picocli entry point. */
class RevenueCommandTest {
    static String run(int expectedExit, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(expectedExit, Main.execute(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    @Test
    void revenueWritesARunFolderAndReportMergesFolders(@TempDir Path tmp) throws Exception {
        String out = run(0, "revenue", "--scenario", Fixtures.path("scenario-two-year.yaml").toString(),
                "--costs", Fixtures.path("cost-simple.csv").toString(), "--out", tmp.resolve("runs").toString());
        assertTrue(out.contains("two-year-hand"), out);
        assertTrue(out.contains("25.00% without cap"), out);
        Path run;
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) { run = s.filter(p -> p.getFileName().toString().endsWith("-revenue")).findFirst().orElseThrow(); }
        for (String f : List.of("revenue.csv", "sensitivity.csv", "take_rate_curve.csv", "revenue_inputs.csv", "revenue_summary.csv", "manifest.json", "scenario.yaml", "report.html"))
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        String header = Files.readAllLines(run.resolve("revenue.csv")).get(0);
        assertTrue(header.contains("revenue [$]") && header.contains("revenue_share [$]") && header.contains("margin"), header);
        assertTrue(Files.readString(run.resolve("manifest.json")).contains("sha256"));
        var key = dev.infercost.results.CsvTable.read(run.resolve("revenue_summary.csv"));
        assertEquals("0.25", key.stream().filter(r -> r.get("metric").equals("break-even take rate (no cap)")).findFirst().orElseThrow().get("value"));
        assertEquals("", key.stream().filter(r -> r.get("metric").equals("break-even take rate (with cap)")).findFirst().orElseThrow().get("value"),
                "no break-even under the $3M cap is written as empty, not as a number");

        String rep = run(0, "report", Fixtures.path("run-h200").toString(), Fixtures.path("run-cpu").toString(), run.toString(),
                "--out", tmp.resolve("reports").toString());
        Path html = Path.of(rep.trim().replaceFirst("^report: ", ""));
        String s = Files.readString(html);
        assertTrue(s.contains("3 result folders") && s.contains("cpu-laptop-01") && s.contains("two-year-hand"));
        // a single folder gets its report in place, once
        assertEquals(2, Main.execute("report", run.toString()), "report.html exists already in the revenue run");
    }

    @Test
    void badScenarioExitsTwoWithoutLeavingAFolder(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(Fixtures.path("scenario-two-year.yaml")).replace("years: [2026, 2027]", "years: [2027, 2026]"));
        assertEquals(2, Main.execute("revenue", "--scenario", bad.toString(), "--out", tmp.resolve("runs").toString()));
        assertFalse(Files.exists(tmp.resolve("runs")), "nothing created for bad input");
        assertEquals(2, Main.execute("report", tmp.resolve("nope").toString()));
        Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, Main.execute("report", tmp.resolve("empty").toString()), "a folder with no result tables is not a results folder");
        assertFalse(Files.exists(tmp.resolve("empty").resolve("report.html")));
    }
}
