package dev.infercost.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CsvTableTest {
    @Test
    void escapesFormulaCellsButNotNumbers() {
        CsvTable t = new CsvTable("label", "value [tok/s]");
        t.add("=HYPERLINK(\"x\")", -1.5);
        t.add("+cmd", "-2.25");
        t.add("@sum", 1234.5678901);
        String csv = t.toCsv();
        assertEquals("""
                label,value [tok/s]
                "'=HYPERLINK(""x"")",-1.5
                '+cmd,-2.25
                '@sum,1234.568
                """, csv);
    }

    @Test
    void roundTripsThroughRead(@TempDir Path dir) throws Exception {
        CsvTable t = new CsvTable("a [s]", "b");
        t.add(Map.of("a [s]", 0.5, "b", "x,y"));
        Path f = dir.resolve("t.csv");
        Files.writeString(f, t.toCsv());
        List<Map<String, String>> rows = CsvTable.read(f);
        assertEquals(1, rows.size());
        assertEquals("0.5", rows.get(0).get("a [s]"));
        assertEquals("x,y", rows.get(0).get("b"));
    }

    @Test
    void malformedCsvIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.csv");
        Files.writeString(f, "a,b\n\"unterminated,1\n");
        var e = assertThrows(dev.infercost.BadInputException.class, () -> CsvTable.read(f));
        assertTrue(e.getMessage().contains("broken.csv"), e.getMessage());
    }

    @Test
    void formatsNaNAsEmptyAndIntegersPlain() {
        assertEquals("", CsvTable.formatDouble(Double.NaN));
        assertEquals("42", CsvTable.formatDouble(42.0));
        assertEquals("1.000000e-07", CsvTable.formatDouble(1e-7));
    }
}
