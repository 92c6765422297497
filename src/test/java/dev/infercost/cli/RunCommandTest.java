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
        java.io.PrintStream stdout = System.out, stderr = System.err;
        java.io.ByteArrayOutputStream outBuf = new java.io.ByteArrayOutputStream(), errBuf = new java.io.ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new java.io.PrintStream(outBuf, true));
            System.setErr(new java.io.PrintStream(errBuf, true));
            // batch 3 has no JMH method of its own (decodeBatchN with -opi 3); --host-peak-bandwidth sets the MBU denominator
            rc = Main.execute("run", "--quick", "--model", model.toString(), "--tokenizer", tok.toString(),
                    "--batch", "1,3", "--no-encoder", "--host-peak-bandwidth", "50", "--percentiles", "50,99", "--out", out.toString());
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String so = outBuf.toString(), se = errBuf.toString();
        System.err.print(se);
        assertEquals(0, rc, se);
        assertFalse(so.contains("WARNING: Using incubator modules"), "the forks' incubator notice must not reach stdout:\n" + so);
        assertFalse(se.contains("WARNING: Using incubator modules"), "the forks' incubator notice is dropped (the host JVM prints its own once)");
        // progress per JMH iteration of each configuration: quick = 1 fork x (2 warmup + 10 measurement); the last starts 11/12 in
        assertTrue(se.contains("] engine benchmark: jvm decode batch=3: fork 1/1, measurement 10/10 (92%, elapsed "), se);
        assertTrue(se.contains("] engine benchmark: jvm prefill isl=128: fork 1/1, warmup 1/2 (0%, elapsed "), se);
        assertTrue(so.contains("Engine measurements"), so);
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
        assertEquals(50.0, decode.num(EngineBenchColumn.PEAK_BANDWIDTH), "--host-peak-bandwidth applies to the cpu-host rows");
        assertTrue(decode.get(EngineBenchColumn.PEAK_BASIS).contains("user-given: peak 50.0 GB/s"), decode.get(EngineBenchColumn.PEAK_BASIS));
        Row batch3 = bench.stream().filter(r -> r.get(EngineBenchColumn.PHASE).equals("decode") && r.get(EngineBenchColumn.BATCH_SIZE).equals("3")).findFirst().orElseThrow();
        // ops/s is tok/s (3 tokens per step): step time x tok/s = 3 tokens
        assertEquals(3.0, batch3.num(EngineBenchColumn.STEP_TIME) / 1000 * batch3.num(EngineBenchColumn.THROUGHPUT), 3e-5);
        assertTrue(batch3.num(EngineBenchColumn.THROUGHPUT) > 0);
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
        // priced at one of the measured decode points (batch 1 or 3, whichever the cost stage's operating point picks)
        double hostTok = host.num(CostColumn.DECODE_THROUGHPUT);
        assertEquals(1, bench.stream().filter(r -> r.get(EngineBenchColumn.PHASE).equals("decode"))
                .filter(r -> Math.abs(r.num(EngineBenchColumn.THROUGHPUT) - hostTok) <= 1e-6 * hostTok).count(),
                "decode throughput " + hostTok + " is one measured decode row's");
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
        for (String b : List.of("0", "-1", "4097", "1,1"))
            assertEquals(2, Main.execute("run", "--quick", "--model", model.toString(), "--batch", b, "--out", out.toString()), b);
        // a batch whose KV cache cannot fit the benchmark heap (4 GiB in tests): stories15M keeps 129 positions x 6 layers
        // x 2 x 288 floats = 1.78 MB per slot, 7.3 GB for 4096 slots
        assertEquals(2, Main.execute("run", "--quick", "--model", "stories15M", "--batch", "4096", "--out", out.toString()));
        assertTrue(children(out).isEmpty(), "nothing written for bad input: " + children(out));
    }
}
