package dev.infercost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.results.ResultsJson;
import dev.infercost.results.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TableFormatTest {
    static final List<String> H = List.of("model", "ttft_p99 [ms]", "valid", "note");
    static final List<List<String>> ROWS = List.of(List.of("m|1", "12.5", "true", ""), List.of("m2", "7", "false", "a,b"));

    @Test
    void jsonIsTypedAndKeepsUnits() throws Exception {
        JsonNode a = new ObjectMapper().readTree(TableFormat.render(TableFormat.Format.json, H, ROWS));
        assertEquals(2, a.size());
        assertEquals(12.5, a.get(0).get("ttft_p99 [ms]").asDouble());
        assertTrue(a.get(0).get("valid").isBoolean());
        assertTrue(a.get(0).get("note").isNull());
        assertEquals(7, a.get(1).get("ttft_p99 [ms]").asLong());
        assertEquals("a,b", a.get(1).get("note").asText());
    }

    @Test
    void jsonlIsOneObjectPerLine() throws Exception {
        String[] lines = TableFormat.render(TableFormat.Format.jsonl, H, ROWS).split("\n");
        assertEquals(2, lines.length);
        assertEquals("m2", new ObjectMapper().readTree(lines[1]).get("model").asText());
    }

    @Test
    void markdownEscapesPipesAndRightAlignsNumbers() {
        String md = TableFormat.render(TableFormat.Format.md, H, ROWS);
        assertTrue(md.startsWith("| model | ttft_p99 [ms] | valid | note |\n| --- | ---: | --- | --- |\n"), md);
        assertTrue(md.contains("| m\\|1 | 12.5 |"), md);
    }

    @Test
    void csvQuotesCommas() {
        String csv = TableFormat.render(TableFormat.Format.csv, H, ROWS);
        assertTrue(csv.contains("\"a,b\""), csv);
    }

    /** serve-bench's table holds NaN for figures that do not apply (Offline target rate, MBU over HTTP). */
    @Test
    void missingFiguresAreEmptyInCsvAndMdAndNullInJson() throws Exception {
        dev.infercost.results.CsvTable t = new dev.infercost.results.CsvTable("scenario", "target_rate [req/s]", "mbu", "achieved_rate [req/s]", "note");
        t.add("Offline", Double.NaN, Double.POSITIVE_INFINITY, 220.0424486970207, null);
        t.add("Server", 55.0, Double.NEGATIVE_INFINITY, 52.66520855988142, "ok");
        for (TableFormat.Format f : TableFormat.Format.values()) {
            String out = TableFormat.render(f, t);
            assertFalse(out.contains("NaN") || out.contains("Infinity"), f + ": " + out);
        }
        assertEquals("scenario,target_rate [req/s],mbu,achieved_rate [req/s],note\nOffline,,,220.0424,\nServer,55,,52.66521,ok\n",
                TableFormat.render(TableFormat.Format.csv, t), "as serving.csv on disk");
        assertTrue(TableFormat.render(TableFormat.Format.md, t).contains("| Offline |  |  | 220.0424 |  |"));
        JsonNode a = new ObjectMapper().readTree(TableFormat.render(TableFormat.Format.json, t));
        assertTrue(a.get(0).get("target_rate [req/s]").isNull());
        assertTrue(a.get(0).get("mbu").isNull());
        assertTrue(a.get(1).get("mbu").isNull());
        assertEquals(55, a.get(1).get("target_rate [req/s]").asInt());
        assertEquals(220.0424, a.get(0).get("achieved_rate [req/s]").asDouble());
        // text cells reading NaN/Infinity from other commands' tables are treated the same
        String j = TableFormat.render(TableFormat.Format.jsonl, List.of("a", "b"), List.of(List.of("NaN", "Infinity")));
        assertEquals("{\"a\":null,\"b\":null}\n", j);
    }

    @Test
    void unknownFormatIsBadInput() {
        TableFormat.Mixin m = new TableFormat.Mixin();
        m.format = "xml";
        assertThrows(dev.infercost.BadInputException.class, m::format);
    }

    @Test
    void resultsJsonHoldsEveryCsvAndTheManifest(@TempDir Path tmp) throws Exception {
        RunDirectory d = RunDirectory.create(tmp, "x");
        d.writeString("serving.csv", "model,ttft_p99 [ms]\nm,3.5\n");
        d.writeString("cost.csv", "chip,usd_per_query [$/query]\nH100,0.002\n");
        d.writeString("manifest.json", "{\"run_id\":\"r1\",\"command_line\":[\"infercost\",\"run\"]}");
        Path f = ResultsJson.write(d);
        JsonNode j = new ObjectMapper().readTree(f.toFile());
        assertEquals("r1", j.get("run_id").asText());
        assertEquals(3.5, j.get("tables").get("serving.csv").get(0).get("ttft_p99 [ms]").asDouble());
        assertEquals(0.002, j.get("tables").get("cost.csv").get(0).get("usd_per_query [$/query]").asDouble());
        assertEquals("run", j.get("manifest").get("command_line").get(1).asText());
        assertEquals("results-2.json", ResultsJson.write(d).getFileName().toString(), "never overwritten");
    }

    @Test
    void unknownSubcommandAndOptionSuggestTheNearest() {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true));
            assertEquals(2, Main.execute("reprot"));
            assertEquals(2, Main.execute("report", "--formt", "json", "x"));
        } finally {
            System.setErr(old);
        }
        String err = buf.toString();
        assertTrue(err.contains("Did you mean: infercost report"), err);
        assertTrue(err.contains("--format"), err);
    }

    @Test
    void reportRefusesAFolderItDoesNotUnderstand(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("verify.csv"), "a\n1\n");
        Files.writeString(tmp.resolve("manifest.json"), "{}");
        var e = assertThrows(dev.infercost.BadInputException.class, () -> ReportCommand.check(tmp));
        assertTrue(e.getMessage().contains("it holds manifest.json, verify.csv"), e.getMessage());
    }

    /** A report.html already in the folder neither blocks --format nor is touched: the headline goes to stdout. */
    @Test
    void reportFormatPrintsTheHeadlineBesideAnExistingReport(@TempDir Path tmp) throws Exception {
        RunDirectory dir = RunDirectory.create(tmp, "h200");
        for (String f : List.of("engine_bench.csv", "serving.csv", "energy.csv", "cost.csv", "manifest.json"))
            dir.writeBytes(f, Files.readAllBytes(dev.infercost.revenue.Fixtures.path("run-h200/" + f)));
        Path run = dir.commit();
        assertEquals(0, Main.execute("report", run.toString()));
        byte[] html = Files.readAllBytes(run.resolve("report.html"));
        List<String> before;
        try (var s = Files.list(run)) { before = s.map(p -> p.getFileName().toString()).sorted().toList(); }
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true));
            assertEquals(0, Main.execute("report", run.toString(), "--format", "json"));
        } finally {
            System.setOut(old);
        }
        JsonNode rows = new ObjectMapper().readTree(buf.toString());
        assertTrue(rows.isArray() && rows.size() > 0, buf.toString());
        assertEquals(1, rows.get(0).get("rank").asInt());
        assertTrue(rows.get(0).get("usd_per_query [$/query]").asDouble() > 0, rows.get(0).toString());
        assertArrayEquals(html, Files.readAllBytes(run.resolve("report.html")), "report.html untouched");
        try (var s = Files.list(run)) { assertEquals(before, s.map(p -> p.getFileName().toString()).sorted().toList(), "nothing written"); }
        assertEquals(2, Main.execute("report", run.toString()), "a second html report is still refused (never overwrite)");
    }
}
