package dev.infercost.cli;

import dev.infercost.model.TestModels;
import dev.infercost.results.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The main job end to end on the real stories260K checkpoint, and its bad-input behaviour. */
class RunCommandTest {

    private static List<Path> children(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void quickRunWritesAMeasuredPricedRunFolder(@TempDir Path out) throws Exception {
        Path model = TestModels.file("stories260K.bin"), tok = TestModels.file("tok512.bin");
        int rc = Main.execute("run", "--quick", "--model", model.toString(), "--tokenizer", tok.toString(),
                "--batch", "1", "--no-encoder", "--out", out.toString());
        assertEquals(0, rc);
        List<Path> runs = children(out);
        assertEquals(1, runs.size(), "one committed run folder, no staging leftovers: " + runs);
        Path run = runs.get(0);
        for (String f : List.of("manifest.json", "engine_bench.csv", "energy.csv", "cost.csv", "revenue.csv", "sensitivity.csv", "report.html"))
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);

        List<Map<String, String>> bench = CsvTable.read(run.resolve("engine_bench.csv"));
        Map<String, String> decode = bench.stream().filter(r -> r.get("phase").equals("decode")).findFirst().orElseThrow();
        assertEquals("jvm", decode.get("backend"));
        assertEquals("stories260K", decode.get("model"));
        assertEquals("real", decode.get("weights"));
        assertEquals("64/172/5/8/4/512/512/10000/tied", decode.get("model_shape"));
        double tokS = Double.parseDouble(decode.get("throughput [tok/s]"));
        assertTrue(tokS > 0, "measured decode tok/s");
        assertEquals("pass", decode.get("accuracy_verdict"), "jvm agrees with onnx on stories260K");
        assertEquals("estimated", decode.get("energy_basis"), "no energy counter here: the figure must say estimated");
        // MBU follows from the measured tok/s: (weights + KV of 129 positions) x steps/s / peak bandwidth
        double bytes = Double.parseDouble(decode.get("bytes_per_step [B]"));
        assertEquals(1_040_128 + 129.0 * 2 * 5 * 32 * 4, bytes, 0.5);
        double mbu = bytes * tokS / (Double.parseDouble(decode.get("peak_bandwidth [GB/s]")) * 1e9);
        assertEquals(mbu, Double.parseDouble(decode.get("mbu")), mbu * 1e-6); // CSV keeps 7 significant digits

        // the measured cpu-host row is priced from this run's decode throughput; in cost.csv, or (quick mode on a busy
        // machine: JMH 99.9% error wider than the mean) flagged noisy and kept out of it, in cost_uncosted.csv
        List<Map<String, String>> cost = CsvTable.read(run.resolve("cost.csv"));
        java.util.function.Predicate<Map<String, String>> hostRow = r -> r.get("chip").equals("cpu-host") && r.get("provenance").equals("measured")
                && r.get("profile").equals("chat");
        Map<String, String> host = cost.stream().filter(hostRow).findFirst().orElse(null);
        if (host == null) {
            host = CsvTable.read(run.resolve("cost_uncosted.csv")).stream().filter(hostRow).findFirst().orElseThrow();
            assertEquals("true", host.get("noisy"), "a measured row missing from cost.csv must be flagged noisy");
        } else assertNotEquals("true", host.get("noisy"));
        double usdH = Double.parseDouble(host.get("usd_per_hour [$/h]"));
        double dec = Double.parseDouble(host.get("decode_throughput [tok/s]"));
        assertEquals(tokS, dec, tokS * 1e-6);
        double perM = usdH / (dec * 3600) * 1e6;
        assertEquals(perM, Double.parseDouble(host.get("usd_per_m_output [$/M tok]")), perM * 1e-6);
        assertTrue(cost.stream().anyMatch(r -> r.get("provenance").equals("projected") && r.get("chip").equals("Maia 200")));
        assertTrue(Files.readString(run.resolve("manifest.json")).contains("\"run_id\""));
    }

    @Test
    void badInputExitsTwoAndLeavesNothing(@TempDir Path out) throws Exception {
        Path model = TestModels.file("stories260K.bin");
        assertEquals(2, Main.execute("run", "--quick", "--model", out.resolve("missing.bin").toString(), "--out", out.toString()));
        assertEquals(2, Main.execute("run", "--quick", "--model", model.toString(), "--usd-per-hour", "0", "--out", out.toString()));
        // the 32,000-entry Llama 2 tokenizer does not fit the 512-token model
        assertEquals(2, Main.execute("run", "--quick", "--model", model.toString(), "--tokenizer",
                TestModels.file("tokenizer.bin").toString(), "--out", out.toString()));
        assertEquals(2, Main.execute("run", "--quick", "--model", model.toString(), "--batch", "3", "--out", out.toString()));
        assertTrue(children(out).isEmpty(), "nothing written for bad input: " + children(out));
    }
}
