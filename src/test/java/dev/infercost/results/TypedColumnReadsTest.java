package dev.infercost.results;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 11's contract, checked on the sources: the stages that read other stages' tables (cost reads engine_bench,
 * serving and energy; revenue reads cost and the reference revenue.csv) name every column by its enum constant
 * ({@link Row#get(Column)}), never by a header string. A read by literal (get("x"), getOrDefault("x", ..),
 * containsKey("x"), num(row, "x"), c.get("x") on a CSV record) whose text is a header of any column enum fails here,
 * naming the file and line. Catalog metrics (chip.get("memory_bandwidth")) are not table headers and pass.
 */
class TypedColumnReadsTest {
    static final List<Class<? extends Column>> TABLES = List.of(EngineBenchColumn.class, ServingColumn.class, EnergyColumn.class,
            CostColumn.class, CostBandColumn.class, CostCurveColumn.class, RevenueInputColumn.class, ReferenceRevenueColumn.class);
    static final Pattern READ = Pattern.compile("\\b(get|getOrDefault|containsKey|num|numOr|isMapped|isSet)\\(\\s*(?:[\\w.()]+\\s*,\\s*)?\"([^\"]+)\"");

    static Set<String> headers() {
        Set<String> h = new LinkedHashSet<>();
        for (Class<? extends Column> c : TABLES) for (Column col : c.getEnumConstants()) h.add(col.header());
        return h;
    }

    static List<String> literalReads(Path root) throws Exception {
        Set<String> headers = headers();
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = READ.matcher(lines.get(i));
                    while (m.find()) if (headers.contains(m.group(2))) bad.add(f + ":" + (i + 1) + ": " + m.group(0));
                }
            }
        }
        return bad;
    }

    @Test
    void costAndRevenueReadOtherStagesTablesByTypedColumnOnly() throws Exception {
        List<String> bad = new ArrayList<>();
        for (String pkg : List.of("cost", "revenue")) bad.addAll(literalReads(Path.of("src/main/java/dev/infercost", pkg)));
        assertTrue(bad.isEmpty(), "reads by header literal (use the column enum in dev.infercost.results):\n" + String.join("\n", bad));
    }

    @Test
    void theCheckFindsALiteralRead(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // the scan must be able to fail: a source reading engine_bench.csv by header text is caught, a catalog metric is not
        Files.writeString(dir.resolve("X.java"), "class X { double f(java.util.Map<String,String> r, Object chip) {\n"
                + "  chip.get(\"memory_bandwidth\");\n  return num(r, \"throughput [tok/s]\") + r.getOrDefault(\"accuracy_verdict\", \"\").length(); } }\n");
        List<String> bad = literalReads(dir);
        assertEquals(2, bad.size(), String.valueOf(bad));
        assertTrue(bad.get(0).contains("throughput [tok/s]") && bad.get(0).endsWith("num(r, \"throughput [tok/s]\""), bad.get(0));
        assertTrue(bad.get(1).contains("accuracy_verdict"), bad.get(1));
    }
}
