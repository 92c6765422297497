package dev.infercost.report;

import dev.infercost.results.RunDirectory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 17, escaping: every user-supplied string that reaches report.html (chip, device, model, backend, tier,
 * profile, window names from the CSVs, strings in the manifest, the results folder's path) is HTML-escaped. Goes
 * through the public {@link ReportStage} entry point only, so it holds whatever the renderer looks like inside.
 */
class HostileNamesReportTest {
    static final String HOSTILE = "<script>alert(\"x\")</script><img src=x onerror=alert(1)>";
    static final Set<String> NAME_COLUMNS = Set.of("device", "model", "chip", "backend", "window", "scenario", "meter", "profile",
            "tier", "weights", "device_class", "silicon", "provenance", "basis", "operating_point", "energy_basis");

    static String poison(String csv) throws Exception {
        StringWriter w = new StringWriter();
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv));
             CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            List<String> h = p.getHeaderNames();
            out.printRecord(h);
            for (CSVRecord r : p) {
                List<String> cells = new ArrayList<>();
                for (String c : h) {
                    String v = r.isSet(c) ? r.get(c) : "";
                    cells.add(NAME_COLUMNS.contains(c.toLowerCase(Locale.ROOT)) ? HOSTILE + v : v);
                }
                out.printRecord(cells);
            }
        }
        return w.toString();
    }

    @Test
    void hostileNamesAndPathsAreEscaped(@TempDir Path tmp) throws Exception {
        Path parent = tmp.resolve("<script>alert(2)<b onmouseover=alert(3)>");
        RunDirectory dir = RunDirectory.create(parent, "h200");
        Path src = Path.of("src/test/resources/fixtures/run-h200");
        for (String f : List.of("engine_bench.csv", "serving.csv", "energy.csv", "cost.csv"))
            dir.writeString(f, poison(Files.readString(src.resolve(f))));
        String manifest = Files.readString(src.resolve("manifest.json"));
        // every string value in the manifest gets the hostile prefix (JSON-escaped quotes)
        manifest = manifest.replaceAll(":\\s*\"", java.util.regex.Matcher.quoteReplacement(": \"" + HOSTILE.replace("\"", "\\\"") + " "));
        dir.writeString("manifest.json", manifest);
        String html = Files.readString(ReportStage.write(dir));
        String lower = html.toLowerCase(Locale.ROOT);
        // the page's own inline script (sorting, filters) is allowed; no script element may carry the hostile payload
        java.util.regex.Matcher sm = java.util.regex.Pattern.compile("(?s)<script[^>]*>(.*?)</script>").matcher(lower);
        while (sm.find()) assertFalse(sm.group(1).contains("alert("), "a raw <script> from a name or path reached report.html");
        assertFalse(lower.contains("<script>alert"), "a raw <script> from a name or path reached report.html");
        assertFalse(lower.contains("<img src=x"), "a raw <img> from a name reached report.html");
        assertFalse(lower.contains("<b onmouseover"), "a raw tag from the folder path reached report.html");
        // an attribute named onerror; text inside quoted (escaped) attribute values, e.g. data-series="&lt;img ... onerror=...", is inert
        String unquoted = lower.replaceAll("\"[^\"]*\"", "\"\"");
        assertFalse(unquoted.matches("(?s).*<[a-z]+[^>]*\\sonerror=.*"), "an event-handler attribute reached report.html");
        assertTrue(html.contains("&lt;script&gt;"), "the hostile names are shown, escaped (so the test would see them if they were not)");
    }
}
