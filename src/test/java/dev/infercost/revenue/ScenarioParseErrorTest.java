package dev.infercost.revenue;

import dev.infercost.BadInputException;
import dev.infercost.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Scenario YAML that cannot be read: one line naming the file, line/column, field and what was expected. */
class ScenarioParseErrorTest {
    static String error(String yaml) {
        return assertThrows(BadInputException.class,
                () -> Scenario.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "s.yaml")).getMessage();
    }

    static void noJacksonLeaks(String m) {
        assertFalse(m.contains("dev.infercost") || m.contains("JsonToken") || m.contains("java.") || m.endsWith(" at ")
                || m.contains("\n"), m);
    }

    @Test
    void emptyFileSaysSo() {
        for (String y : new String[]{"", "# a comment only\n\n"}) {
            String m = error(y);
            assertTrue(m.startsWith("s.yaml: the file is empty"), m);
            assertTrue(m.contains("expected a scenario: a YAML mapping"), m);
            noJacksonLeaks(m);
        }
    }

    @Test
    void syntaxErrorsGiveLineAndColumn() {
        String m = error("years: [2026\n");
        assertEquals("s.yaml: line 2, column 1: not valid YAML: expected ',' or ']', but got <stream end> (while parsing a flow sequence)", m);
        noJacksonLeaks(m);
    }

    @Test
    void wrongTypesAndUnknownFieldsNameTheField() {
        String m = error("years: abc\n");
        assertEquals("s.yaml: line 1, column 8: field years: expected a list, got text", m);
        m = error("yeers: 1\n");
        assertTrue(m.startsWith("s.yaml: line 1, column 9: unknown field yeers; expected one of [cloud, compute, deals, "), m);
        m = error("- a\n- b\n");
        assertTrue(m.startsWith("s.yaml: line 1, column 1: expected a scenario: a YAML mapping"), m);
        assertTrue(m.endsWith("got a list"), m);
        for (String y : new String[]{"years: abc\n", "yeers: 1\n", "- a\n", "hello\n"}) noJacksonLeaks(error(y));
    }

    @Test
    void revenueCommandNamesTheEmptyFile(@TempDir Path d) throws Exception {
        Path empty = Files.createFile(d.resolve("empty.yaml"));
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(b, true));
            assertEquals(2, Main.execute("revenue", "--scenario", empty.toString(), "--out", d.resolve("out").toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(b.toString().startsWith("infercost: " + empty + ": the file is empty (no YAML/JSON content); expected a scenario"), b.toString());
        assertFalse(Files.exists(d.resolve("out")) && Files.list(d.resolve("out")).findAny().isPresent(), "nothing written");
    }

    /** JSON (prompt files, ShareGPT) errors: line/column and Jackson's problem, without its "[Source: ...]" tail. */
    @Test
    void jsonErrorsKeepLineAndColumnAndDropTheSourceTail() {
        Exception e = assertThrows(Exception.class, () -> new com.fasterxml.jackson.databind.ObjectMapper().readTree("[{\"conversations\": [}]"));
        assertEquals("line 1, column 21: Unexpected close marker '}': expected ']'", dev.infercost.ParseErrors.describe(e, "a JSON array"));
        e = assertThrows(Exception.class, () -> new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree("chips:\n  - name: [x\n"));
        assertEquals("line 3, column 1: not valid YAML: expected ',' or ']', but got <stream end> (while parsing a flow sequence)",
                dev.infercost.ParseErrors.describe(e, "a catalog"));
    }
}
