package dev.infercost.cost;

import dev.infercost.results.CostColumn;
import dev.infercost.results.CsvTable;
import dev.infercost.results.EngineBenchColumn;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.Row;
import dev.infercost.results.RunDirectory;
import dev.infercost.results.ServingColumn;
import dev.infercost.revenue.CostTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 17 item 2 in the cost stage, on the fixture run folder (stories110M preset on a CPU, engine points and a serving
 * sweep): the decode batch-8 point and every serving point are marked {@code accuracy_verdict = fail}. Without
 * --price-failed-accuracy none of them is priced, nor any figure derived from them (decode target, serving frontier);
 * with it they are priced and every such row is labelled. Revenue never reads an unlabelled failed row.
 */
class AccuracyGatingTest {
    @TempDir
    Path tmp;
    Path run;

    @BeforeEach
    void failSomePoints() throws Exception {
        Path src = Path.of("src/test/resources/fixtures/cpu-stories110M");
        run = Files.createDirectories(tmp.resolve("run"));
        Files.copy(src.resolve("energy.csv"), run.resolve("energy.csv"));
        rewrite(src.resolve("engine_bench.csv"), run.resolve("engine_bench.csv"), EngineBenchColumn.ACCURACY_VERDICT,
                r -> r.get(EngineBenchColumn.PHASE).equals("decode") && r.get(EngineBenchColumn.BATCH_SIZE).equals("8"));
        rewrite(src.resolve("serving.csv"), run.resolve("serving.csv"), ServingColumn.ACCURACY_VERDICT, r -> true);
    }

    /** Copies a CSV, setting {@code col} to "fail" on the rows {@code which} selects. */
    static void rewrite(Path from, Path to, dev.infercost.results.Column col, Predicate<Row> which) throws Exception {
        List<Map<String, String>> maps = CsvTable.read(from);
        CsvTable t = new CsvTable(List.copyOf(maps.get(0).keySet()));
        int n = 0;
        for (Map<String, String> m : maps) {
            Map<String, String> c = new LinkedHashMap<>(m);
            if (which.test(new Row(from, ++n, m))) c.put(col.header(), "fail");
            t.add(c);
        }
        Files.writeString(to, t.toCsv());
    }

    static boolean measuredServing(CostRow r) { return r.provenance().equals("measured") && r.operatingPoint().startsWith("serving"); }

    @Test
    void failedPointsAreNotPricedWithoutTheOverride() {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProfile("chat").withTarget(8.0, null, null));
        // the passing points are priced as before
        assertTrue(r.rows().stream().anyMatch(x -> x.chip().equals("cpu-host") && Integer.valueOf(32).equals(x.batchSize())));
        // nothing priced carries a failed verdict; the failed decode point and the serving points are unpriced in cost_uncosted
        assertTrue(r.rows().stream().noneMatch(x -> x.accuracy().failed()), "no priced row from a failed point");
        assertTrue(r.rows().stream().noneMatch(x -> Integer.valueOf(8).equals(x.batchSize()) && x.provenance().equals("measured")));
        assertTrue(r.rows().stream().noneMatch(AccuracyGatingTest::measuredServing), "no serving point or frontier row priced");
        List<CostRow> failed = r.uncosted().stream().filter(x -> x.accuracy().failed()).toList();
        assertEquals(1 + 6, failed.size(), "decode batch 8 and the 6 valid serving points, one unpriced row each: " + failed);
        for (CostRow x : failed) {
            assertTrue(Double.isNaN(x.usdPerHour()) && Double.isNaN(x.usdPerQuery()) && Double.isNaN(x.usdPerMOutput()), x.toString());
            assertEquals("", x.accuracy().override());
            assertTrue(x.decodeTokPerS() > 0, "the measurement is kept");
        }
        // the decode target interpolates over the passing batches only (1 and 32), and says so
        CostRow target = r.rows().stream().filter(x -> x.chip().equals("cpu-host") && x.operatingPoint().startsWith("decode target")).findFirst().orElseThrow();
        assertTrue(target.assumptions().stream().anyMatch(a -> a.contains("over batches batch=1, batch=32")), String.valueOf(target.assumptions()));
        assertEquals(CostRow.Accuracy.NONE.override(), target.accuracy().override());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("accuracy gate failed") && n.contains("--price-failed-accuracy")), String.valueOf(r.notes()));
        assertEquals(false, r.manifestSection().get("price_failed_accuracy"));
        assertEquals(7L, r.manifestSection().get("rows_not_priced_failed_accuracy"));
    }

    @Test
    void theOverridePricesAndLabelsThem() throws Exception {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProfile("chat").withTarget(8.0, null, null).withPriceFailedAccuracy(true));
        List<CostRow> labelled = r.rows().stream().filter(x -> x.accuracy().failed()).toList();
        assertFalse(labelled.isEmpty());
        for (CostRow x : labelled) {
            assertEquals("priced under --price-failed-accuracy", x.accuracy().override());
            assertTrue(x.basis().contains("[ACCURACY FAILED: priced under --price-failed-accuracy]"), x.basis());
            assertTrue(x.assumptions().stream().anyMatch(a -> a.startsWith("ACCURACY CHECK FAILED")), String.valueOf(x.assumptions()));
            assertTrue(x.usdPerQuery() > 0);
        }
        assertTrue(labelled.stream().anyMatch(x -> Integer.valueOf(8).equals(x.batchSize())), "decode batch 8 priced");
        assertTrue(labelled.stream().anyMatch(AccuracyGatingTest::measuredServing), "serving points priced");
        // figures derived from a failed point carry the label too: the decode target (batch 8 is in its series)
        CostRow target = r.rows().stream().filter(x -> x.chip().equals("cpu-host") && x.operatingPoint().startsWith("decode target")).findFirst().orElseThrow();
        assertEquals("priced under --price-failed-accuracy", target.accuracy().override());
        // rows of passing points are not labelled
        assertTrue(r.rows().stream().filter(x -> Integer.valueOf(32).equals(x.batchSize())).allMatch(x -> x.accuracy().override().isEmpty()));
        assertEquals(true, r.manifestSection().get("price_failed_accuracy"));
        assertEquals((long) labelled.size(), r.manifestSection().get("rows_priced_despite_failed_accuracy"));

        // written cost.csv: the label is in the file; revenue reads labelled rows and would skip unlabelled failed ones
        List<Row> csv = Row.readAll(r.written());
        assertTrue(csv.stream().anyMatch(x -> x.get(CostColumn.ACCURACY_OVERRIDE).equals("priced under --price-failed-accuracy")));
        assertEquals(csv.size(), CostTable.read(r.written()).rows().size(), "labelled rows are revenue input");
        Path stripped = tmp.resolve("stripped.csv");
        rewrite(r.written(), stripped, CostColumn.ACCURACY_OVERRIDE, x -> false); // copy
        List<Map<String, String>> maps = CsvTable.read(stripped);
        CsvTable t = new CsvTable(List.copyOf(maps.get(0).keySet()));
        for (Map<String, String> m : maps) { Map<String, String> c = new LinkedHashMap<>(m); c.put(CostColumn.ACCURACY_OVERRIDE.header(), ""); t.add(c); }
        Files.writeString(stripped, t.toCsv());
        List<CostTable.Row> rev = CostTable.read(stripped).rows();
        assertEquals(csv.size() - labelled.size(), rev.size(), "a failed row without the override label is never revenue input");
        assertTrue(rev.stream().noneMatch(x -> x.accuracyVerdict().equals("fail")));
    }
}
