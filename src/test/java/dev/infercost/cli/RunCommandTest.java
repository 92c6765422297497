package dev.infercost.cli;

import dev.infercost.model.TestModels;
import dev.infercost.results.CostColumn;
import dev.infercost.results.EngineBenchColumn;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

        List<Row> bench = Row.readAll(run.resolve(ResultSchemas.ENGINE_BENCH_TABLE.file()));
        Row decode = bench.stream().filter(r -> r.get(EngineBenchColumn.PHASE).equals("decode")).findFirst().orElseThrow();
        Row prefill = bench.stream().filter(r -> r.get(EngineBenchColumn.PHASE).equals("prefill")).findFirst().orElseThrow();
        assertEquals("jvm", decode.get(EngineBenchColumn.BACKEND));
        assertEquals("stories260K", decode.get(EngineBenchColumn.MODEL));
        assertEquals("real", decode.get(EngineBenchColumn.WEIGHTS));
        assertEquals("64/172/5/8/4/512/512/10000/tied", decode.get(EngineBenchColumn.MODEL_SHAPE));
        double tokS = decode.num(EngineBenchColumn.THROUGHPUT);
        assertTrue(tokS > 0, "measured decode tok/s");
        assertEquals("pass", decode.get(EngineBenchColumn.ACCURACY_VERDICT), "jvm agrees with onnx on stories260K");
        assertEquals("estimated", decode.get(EngineBenchColumn.ENERGY_BASIS), "no energy counter here: the figure must say estimated");
        // bytes per decode step, by hand: 1,040,128 B of F32 weights + KV of 129 positions (K and V, 5 layers, kv_dim 32, 4 B)
        double bytes = decode.num(EngineBenchColumn.BYTES_PER_STEP);
        assertEquals(1_040_128 + 129.0 * 2 * 5 * 32 * 4, bytes, 0.5);
        // MBU from the step time (batch 1: one token per step), not from the tok/s column the code divides:
        // a wrong batch or per-user divisor in the MBU formula shows here
        double stepS = decode.num(EngineBenchColumn.STEP_TIME) / 1000;
        assertEquals(1.0, stepS * tokS, 1e-5, "batch 1: step time x tok/s = 1 token");
        double mbu = bytes / stepS / (decode.num(EngineBenchColumn.PEAK_BANDWIDTH) * 1e9);
        assertEquals(mbu, decode.num(EngineBenchColumn.MBU), mbu * 1e-5);
        // prefill of isl 128: tok/s is 128 x prompts/s, so its step time (one prompt) is 128 / tok/s
        assertEquals(128 / prefill.num(EngineBenchColumn.THROUGHPUT), prefill.num(EngineBenchColumn.STEP_TIME) / 1000, 1e-5 * prefill.num(EngineBenchColumn.STEP_TIME));

        // the measured cpu-host row is priced from this run's prefill and decode throughput; in cost.csv, or (quick mode
        // on a busy machine: JMH 99.9% error wider than the mean) flagged noisy and kept out of it, in cost_uncosted.csv
        List<Row> cost = Row.readAll(run.resolve(ResultSchemas.COST_TABLE.file()));
        java.util.function.Predicate<Row> hostRow = r -> r.get(CostColumn.CHIP).equals("cpu-host") && r.get(CostColumn.PROVENANCE).equals("measured")
                && r.get(CostColumn.PROFILE).equals("chat");
        Row host = cost.stream().filter(hostRow).findFirst().orElse(null);
        if (host == null) {
            host = Row.readAll(run.resolve("cost_uncosted.csv")).stream().filter(hostRow).findFirst().orElseThrow();
            assertEquals("true", host.get(CostColumn.NOISY), "a measured row missing from cost.csv must be flagged noisy");
        } else assertNotEquals("true", host.get(CostColumn.NOISY));
        assertEquals(tokS, host.num(CostColumn.DECODE_THROUGHPUT), tokS * 1e-6);
        // the chat query (1000 tokens in, 500 out) costs what its device time costs: 1000 input tokens at $/M input plus
        // 500 output tokens at $/M output (three columns the cost stage computes separately; swapped ISL/OSL or
        // phases priced at one rate break this)
        assertEquals(1000.0, host.num(CostColumn.PROFILE_ISL));
        assertEquals(500.0, host.num(CostColumn.PROFILE_OSL));
        double perQuery = (1000 * host.num(CostColumn.USD_PER_M_INPUT) + 500 * host.num(CostColumn.USD_PER_M_OUTPUT)) / 1e6;
        assertEquals(perQuery, host.num(CostColumn.USD_PER_QUERY), perQuery * 1e-3);
        // input tokens are priced at the measured prefill rate (the engine table's prefill row, not the decode row)
        double prefillTokS = prefill.num(EngineBenchColumn.THROUGHPUT);
        assertEquals(prefillTokS, host.num(CostColumn.PREFILL_THROUGHPUT), prefillTokS * 1e-6);
        assertTrue(cost.stream().anyMatch(r -> r.get(CostColumn.PROVENANCE).equals("projected") && r.get(CostColumn.CHIP).equals("Maia 200")));
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
