package dev.infercost.cli;

import dev.infercost.model.TestModels;
import dev.infercost.results.CostColumn;
import dev.infercost.results.EnergyColumn;
import dev.infercost.results.EngineBenchColumn;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 17 item 2, end to end on the real stories260K checkpoint: a model whose logits are not finite is measured, marked
 * failed in every table and not priced, unless {@code --price-failed-accuracy} is given (then its rows are priced,
 * labelled, and the manifest records the override).
 */
class AccuracyPricingTest {

    /**
     * stories260K.bin (dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, vocab 512, shared classifier) with its final
     * RMSNorm weights set to {@code value}. llama2.c layout (run.c's checkpoint order): 7 int32 header, then token
     * embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final. 3e38 is a finite float, but the normalised
     * state times it overflows, so every logit is infinite or NaN.
     */
    static Path withFinalNorm(Path dir, float value) throws Exception {
        byte[] b = Files.readAllBytes(TestModels.file("stories260K.bin"));
        int dim = 64, hidden = 172, layers = 5, kvDim = 32, vocab = 512;
        long floats = (long) vocab * dim + (long) layers * dim + (long) layers * dim * dim + 2L * layers * dim * kvDim
                + (long) layers * dim * dim + (long) layers * dim + 3L * layers * dim * hidden;
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(dim, bb.getInt(0));
        int at = (int) (28 + 4 * floats);
        for (int i = 0; i < dim; i++) bb.putFloat(at + 4 * i, value);
        Path f = dir.resolve(Float.isNaN(value) ? "stories260K-nan.bin" : "stories260K-overflow.bin");
        Files.write(f, b);
        return f;
    }

    private static Path onlyChild(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> l = s.toList();
            assertEquals(1, l.size(), "one committed run folder: " + l);
            return l.get(0);
        }
    }

    @Test
    void nanWeightsAreRefusedBeforeAnythingIsMeasured(@TempDir Path tmp) throws Exception {
        // the load-time scan (ModelFileValidator) catches NaN weights: exit 2, nothing written, so nothing priced
        Path model = withFinalNorm(tmp, Float.NaN), out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(2, Main.execute("run", "--quick", "--model", model.toString(), "--tokenizer", TestModels.file("tok512.bin").toString(),
                "--batch", "1", "--no-encoder", "--out", out.toString()));
        try (Stream<Path> s = Files.list(out)) { assertEquals(0, s.count()); }
    }

    @Test
    void nonFiniteLogitsAreMarkedFailedAndPricedOnlyUnderTheOverride(@TempDir Path tmp) throws Exception {
        Path model = withFinalNorm(tmp, 3e38f), out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(0, Main.execute("run", "--quick", "--model", model.toString(), "--tokenizer", TestModels.file("tok512.bin").toString(),
                "--batch", "1", "--no-encoder", "--serve", "--price-failed-accuracy", "--out", out.toString()));
        Path run = onlyChild(out);

        // measured and marked failed in the measurement tables
        List<Row> bench = Row.readAll(run.resolve(ResultSchemas.ENGINE_BENCH_TABLE.file()));
        assertFalse(bench.isEmpty());
        for (Row r : bench) assertEquals("fail", r.get(EngineBenchColumn.ACCURACY_VERDICT), "engine_bench row " + r.line());
        List<Row> serving = Row.readAll(run.resolve(ResultSchemas.SERVING_TABLE.file()));
        assertFalse(serving.isEmpty(), "the serving sweep ran");
        for (Row r : serving) assertEquals("fail", r.get(dev.infercost.results.ServingColumn.ACCURACY_VERDICT), "serving row " + r.line());
        List<Row> energy = Row.readAll(run.resolve(ResultSchemas.ENERGY_TABLE.file()));
        assertFalse(energy.isEmpty());
        for (Row r : energy) // every window measured the failed engine (idle baselines, if any, carry no verdict)
            if (!r.get(EnergyColumn.WINDOW).toLowerCase(java.util.Locale.ROOT).contains("idle"))
                assertEquals("fail", r.get(EnergyColumn.ACCURACY_VERDICT), "energy row " + r.line() + " " + r.get(EnergyColumn.WINDOW));

        // with the override: the measured rows are priced and every one is labelled
        List<Row> cost = Row.readAll(run.resolve(ResultSchemas.COST_TABLE.file()));
        List<Row> measured = cost.stream().filter(r -> r.get(CostColumn.PROVENANCE).equals("measured")).toList();
        List<Row> uncosted = Files.exists(run.resolve("cost_uncosted.csv")) ? Row.readAll(run.resolve("cost_uncosted.csv")) : List.of();
        List<Row> measuredNoisy = uncosted.stream().filter(r -> r.get(CostColumn.PROVENANCE).equals("measured")).toList();
        assertFalse(measured.isEmpty() && measuredNoisy.isEmpty(), "the failed point is priced under the override (in cost.csv, or flagged noisy)");
        for (Row r : measured) {
            assertEquals("fail", r.get(CostColumn.ACCURACY_VERDICT));
            assertEquals("priced under --price-failed-accuracy", r.get(CostColumn.ACCURACY_OVERRIDE));
            assertTrue(r.get(CostColumn.BASIS).contains("[ACCURACY FAILED: priced under --price-failed-accuracy]"), r.get(CostColumn.BASIS));
            assertTrue(r.num(CostColumn.USD_PER_QUERY) > 0);
        }
        for (Row r : cost) // nothing else carries the label: projections do not use the failed measurement
            if (!r.get(CostColumn.PROVENANCE).equals("measured")) assertEquals("", r.get(CostColumn.ACCURACY_OVERRIDE));
        if (measured.stream().anyMatch(r -> !r.get(CostColumn.NOISY).equals("true")))
            assertTrue(Files.readString(run.resolve("report.html")).contains("ACCURACY FAILED: the measured point(s) of cpu-host"),
                    "the report's first screen says the override priced a failed point");
        String manifest = Files.readString(run.resolve("manifest.json"));
        assertTrue(manifest.matches("(?s).*\"price_failed_accuracy\"\\s*:\\s*true.*"), manifest);
        assertTrue(manifest.matches("(?s).*\"accuracy\"\\s*:\\s*\\{\\s*\"jvm\"\\s*:\\s*\\{\\s*\"status\"\\s*:\\s*\"fail\".*"), "manifest accuracy section");
        assertTrue(manifest.contains("non-finite logits"), "the verdict says why");
        String json = Files.readString(run.resolve("results.json"));
        assertTrue(json.contains("\"accuracy_override\""), "results.json carries the cost table's accuracy columns");

        // the same folder priced again without the flag: no measured row gets a price; they are in cost_uncosted, marked
        Path again = Files.createDirectories(tmp.resolve("again"));
        assertEquals(0, Main.execute("cost", run.toString(), "--out", again.toString()));
        List<Row> cost2 = Row.readAll(again.resolve("cost.csv"));
        assertTrue(cost2.stream().noneMatch(r -> r.get(CostColumn.PROVENANCE).equals("measured")), "no measured row priced without the flag");
        assertTrue(cost2.stream().noneMatch(r -> r.get(CostColumn.ACCURACY_VERDICT).equals("fail")));
        List<Row> failed = Row.readAll(again.resolve("cost_uncosted.csv")).stream().filter(r -> r.get(CostColumn.PROVENANCE).equals("measured")).toList();
        assertFalse(failed.isEmpty(), "the failed point is listed in cost_uncosted.csv");
        for (Row r : failed) {
            assertEquals("fail", r.get(CostColumn.ACCURACY_VERDICT));
            assertEquals("", r.get(CostColumn.ACCURACY_OVERRIDE));
            assertEquals("", r.get(CostColumn.USD_PER_QUERY), "no price for a failed point");
            assertEquals("", r.get(CostColumn.USD_PER_M_OUTPUT));
            assertTrue(r.num(CostColumn.DECODE_THROUGHPUT) > 0, "its measurement is kept");
        }
    }
}
