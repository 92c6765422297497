package dev.infercost;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package layers of README's "How it is built", lowest first, on top of the top-level base classes: a class
 * may use its own layer and the ones below it, never one above (results is the floor every stage writes through; cli only wires options to stages).
 * Checked on the sources with comments and string literals removed, so a type named in a docstring or a JMH
 * benchmark regex does not count, while an import or a fully qualified use does.
 */
class LayeringTest {
    static final List<String> LAYERS = List.of("results", "hardware", "model", "workload", "engine", "measure", "serve",
            "cost", "revenue", "report", "cli");
    private static final Pattern USE = Pattern.compile("\\bdev\\.infercost\\.([a-z]+)\\.");


    static List<String> upwardUses(Path root) throws IOException {
        List<String> bad = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path rel = root.relativize(p);
                // top-level classes (BadInputException, IoFaultException, ParseErrors) are the base every layer
                // throws or uses, so they may use no layer at all
                boolean base = rel.getNameCount() < 2;
                int own = base ? -1 : LAYERS.indexOf(rel.getName(0).toString());
                if (own < 0 && !base) continue;
                String code = code(Files.readString(p));
                Matcher m = USE.matcher(code);
                while (m.find()) {
                    int used = LAYERS.indexOf(m.group(1));
                    if (used > own) bad.add(rel + " uses " + m.group(1));
                }
            }
        }
        return bad.stream().distinct().sorted().toList();
    }

    /** The source with comments, string literals, text blocks and char literals blanked (a small lexer, no regex recursion). */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0, n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) { while (i < n && src.charAt(i) != '\n') i++; }
            else if (src.startsWith("/*", i)) { int e = src.indexOf("*/", i + 2); i = e < 0 ? n : e + 2; out.append(' '); }
            else if (src.startsWith("\"\"\"", i)) { int e = src.indexOf("\"\"\"", i + 3); i = e < 0 ? n : e + 3; out.append(' '); }
            else if (c == '"' || c == '\'') {
                i++;
                while (i < n && src.charAt(i) != c && src.charAt(i) != '\n') i += src.charAt(i) == '\\' ? 2 : 1;
                i++;
                out.append(' ');
            } else { out.append(c); i++; }
        }
        return out.toString();
    }

    @Test
    void noLowerLayerUsesAHigherOne() throws IOException {
        Path root = Path.of("src/main/java/dev/infercost");
        assertTrue(Files.isDirectory(root), "run from the project root");
        assertEquals(List.of(), upwardUses(root));
    }

    @Test
    void theScanCatchesAnUpwardImport() throws IOException {
        Path tmp = Files.createTempDirectory("layering");
        try {
            Path f = tmp.resolve("results/Bad.java");
            Files.createDirectories(f.getParent());
            // an import of the cost stage from the results floor, plus a string and a comment that must not count
            Files.writeString(f, "package dev.infercost.results;\nimport dev.infercost.cost.CostStage;\n"
                    + "// dev.infercost.report.HtmlReport\nclass Bad { String s = \"dev.infercost.cli.Main\"; }\n");
            assertEquals(List.of("results" + java.io.File.separator + "Bad.java uses cost"), upwardUses(tmp));
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
        }
    }
}
