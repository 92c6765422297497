package dev.infercost.cli;

import dev.infercost.results.ResultSchemas;
import dev.infercost.results.CsvTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ServeBenchCommandTest {
    @TempDir Path out;

    @Test
    void realEngineOnStories260KWritesTheTables() throws Exception {
        String shared = System.getProperty("infercost.shared");
        Path bin = shared == null ? null : Path.of(shared, "models", "stories260K.bin");
        Assumptions.assumeTrue(bin != null && Files.exists(bin), "needs ../shared/models/stories260K.bin");
        int rc = Main.execute("serve-bench", "--model", bin.toString(), "--out", out.toString(), "--rates", "20,40",
                "--isl", "8", "--osl", "4", "--min-duration", "0.2", "--min-queries", "6", "--warmup", "2",
                "--search-steps", "0", "--energy-meter", "estimate:watts=10", "--energy-interval-ms", "0", "--percentiles", "50,75,99");
        assertEquals(0, rc);
        Path run;
        try (Stream<Path> s = Files.list(out)) { run = s.filter(p -> p.getFileName().toString().endsWith("serve-bench")).findFirst().orElseThrow(); }
        List<Map<String, String>> rows = CsvTable.read(run.resolve(ResultSchemas.SERVING));
        assertEquals(dev.infercost.results.Percentiles.servingHeaders(List.of(50.0, 75.0, 99.0)), List.copyOf(rows.getFirst().keySet()));
        assertTrue(rows.getFirst().containsKey("ttft_p75 [ms]"), "--percentiles 75 adds a column per metric");
        for (String f : List.of("serving.json", "results.json"))
            assertTrue(Files.readString(run.resolve(f)).contains("\"e2e_p75 [ms]\""), f);
        // Offline calibration is skipped when rates are given: two Server rows
        assertEquals(2, rows.size());
        for (Map<String, String> r : rows) {
            assertEquals("stories260K", r.get("model"));
            assertEquals("real", r.get("weights"));
            assertEquals("jvm", r.get("backend"));
            assertEquals("8", r.get("mean_isl [tok]"));
            assertEquals("4", r.get("mean_osl [tok]"));
            assertEquals("estimated", r.get("energy_basis"));
            assertEquals("false", r.get("energy_valid"));
            assertEquals(r.get("completed [req]"), r.get("ttft_samples"));
            assertTrue(Double.parseDouble(r.get("mbu")) > 0);
            double min = Double.parseDouble(r.get("ttft_min [ms]")), p50 = Double.parseDouble(r.get("ttft_p50 [ms]")),
                    p75 = Double.parseDouble(r.get("ttft_p75 [ms]")), p99 = Double.parseDouble(r.get("ttft_p99 [ms]")),
                    max = Double.parseDouble(r.get("ttft_max [ms]")), mean = Double.parseDouble(r.get("ttft_mean [ms]"));
            assertTrue(0 < min && min <= p50 && p50 <= p75 && p75 <= p99 && p99 <= max && min <= mean && mean <= max, r.toString());
            assertTrue(Double.parseDouble(r.get("ttft_std [ms]")) >= 0);
        }
        List<Map<String, String>> e = CsvTable.read(run.resolve(ResultSchemas.ENERGY));
        assertEquals(ResultSchemas.ENERGY_COLUMNS, List.copyOf(e.getFirst().keySet()));
        assertEquals(2, e.size());
        assertEquals(10.0, Double.parseDouble(e.getFirst().get("avg_power [W]")), 1e-6);   // stated wattage
        assertTrue(Files.readString(run.resolve("manifest.json")).contains("\"serve_bench\""));
    }

    @Test
    void badOptionsExitTwo() throws Exception {
        assertEquals(2, Main.execute("serve-bench", "--scenario", "bursty", "--out", out.toString()));
        assertEquals(2, Main.execute("serve-bench", "--model", "no-such-preset", "--out", out.toString(), "--energy-meter", "none"));
        for (String p : List.of("100", "0", "abc", "50,NaN", "-1"))
            assertEquals(2, Main.execute("serve-bench", "--percentiles", p, "--out", out.toString()), p);
        assertEquals(2, Main.execute("run", "--percentiles", "99,100", "--out", out.toString()));
        try (Stream<Path> s = Files.list(out)) { assertEquals(0, s.count(), "nothing written for bad options"); }
    }
}
