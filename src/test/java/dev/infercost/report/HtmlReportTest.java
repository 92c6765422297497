package dev.infercost.report;

import dev.infercost.results.RunDirectory;

import dev.infercost.revenue.Fixtures;
import dev.infercost.revenue.RevenueStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class HtmlReportTest {
    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void fixtureRunRendersEverySectionWithEmbeddedCharts(@TempDir Path tmp) throws Exception {
        RunDirectory dir = RunDirectory.create(tmp, "h200");
        for (String f : List.of("engine_bench.csv", "serving.csv", "energy.csv", "cost.csv", "manifest.json"))
            dir.writeBytes(f, Files.readAllBytes(Fixtures.path("run-h200/" + f)));
        RevenueStage.run(dir, Fixtures.path("scenario-two-year.yaml"), Fixtures.path("cost-simple.csv"));
        Path html = ReportStage.write(dir);
        String s = Files.readString(html);
        assertFalse(s.contains("class=\"absent\""), "every input is present, nothing should be reported absent");
        assertTrue(s.contains("$/query, chat (1000/500 tok), cheapest first: Maia 200 $0.000064 (owner-tco, projected); H200 SXM $0.000118"), "at a glance: cheapest chat query");
        assertTrue(s.contains("provider break-even flat take rate 25.0% (no cap)"), "at a glance: hand-computed break-even");
        for (String id : List.of("glance", "engine", "serving", "energy", "cost", "revenue", "provenance")) assertTrue(s.contains("id=\"" + id + "\""), id);
        // engine x2, serving, energy, cost x2, revenue x2, break-even, tornado x2
        assertEquals(11, count(s, "src=\"data:image/png;base64,"));
        assertFalse(s.contains("http-equiv") || s.contains("<script") || s.contains("src=\"http"), "no network, no scripts");
        assertTrue(s.contains("<tr class=\"measured\">") && s.contains("<tr class=\"projected\">"), "measured and projected rows styled apart");
        assertTrue(s.contains("gpu-h200-01"), "manifest machine in provenance");
        assertTrue(s.contains("SemiAnalysis TCO model"), "catalog source cited");
        assertTrue(s.contains("window 2.1 s shorter than 5 s minimum for NVML"), "invalid energy window shown with its reason");
        // every embedded PNG decodes
        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(s);
        while (m.find()) {
            var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(m.group(1))));
            assertNotNull(img);
            assertTrue(img.getWidth() >= 800);
        }
        assertThrows(dev.infercost.BadInputException.class, () -> ReportStage.write(dir), "never overwrites");
    }

    @Test
    void absentInputsAreSaidNotFailed(@TempDir Path tmp) throws Exception {
        String s = new HtmlReport(List.of(tmp)).render();
        for (String f : List.of("engine_bench.csv is absent", "serving.csv is absent", "energy.csv is absent", "cost.csv is absent",
                "revenue.csv is absent", "manifest.json is absent"))
            assertTrue(s.contains(f), f);
    }

    @Test
    void severalMachinesMergeWithMachineColumn() {
        String s = new HtmlReport(List.of(Fixtures.path("run-h200"), Fixtures.path("run-cpu"))).render();
        assertTrue(s.contains("<th>machine</th>"));
        assertTrue(s.contains("<td>gpu-h200-01</td>") && s.contains("<td>cpu-laptop-01</td>"));
        // merged mode prefixes each folder's figures with its machine: the H200 folder's cheapest-query line names it
        assertTrue(s.contains(Html.esc("$/query, gpu-h200-01 · chat (1000/500 tok), cheapest first: ")), "machine-prefixed glance line");
        assertTrue(s.contains("2 result folders"));
    }

    @Test
    void textIsEscaped(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("energy.csv"), String.join(",", dev.infercost.results.ResultSchemas.ENERGY_COLUMNS) + "\n"
                + "r1,<script>alert(1)</script>,nvml,\"GPU \"\"0\"\" & co\",gpu,measured,x,10,100,10,1,90,10,true,\n");
        String s = new HtmlReport(List.of(tmp)).render();
        assertFalse(s.contains("<script>alert(1)</script>"));
        assertTrue(s.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(s.contains("GPU &quot;0&quot; &amp; co"));
    }

    @Test
    void aMalformedTableIsReportedNotFatal(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("serving.csv"), "a,b\n\"unterminated,1\n");
        Files.writeString(tmp.resolve("manifest.json"), "{not json");
        String s = new HtmlReport(List.of(tmp)).render();
        assertTrue(s.contains("could not read"), "malformed serving.csv is named");
        assertTrue(s.contains("id=\"revenue\""), "the rest of the report still renders");
    }
}
