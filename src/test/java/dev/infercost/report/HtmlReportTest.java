package dev.infercost.report;

import dev.infercost.results.RunDirectory;

import dev.infercost.revenue.Fixtures;
import dev.infercost.revenue.RevenueStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class HtmlReportTest {
    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    /** The headline table's HTML. */
    static String headline(String s) {
        int i = s.indexOf("id=\"headline\"");
        assertTrue(i > 0, "headline table present");
        return s.substring(i, s.indexOf("</table>", i));
    }

    /** Asserts no two series of one chart share colour and dash; @return number of charts checked. */
    static int assertUniqueStyles(String s) {
        Matcher svg = Pattern.compile("<svg class=\"chart\".*?</svg>", Pattern.DOTALL).matcher(s);
        int charts = 0;
        while (svg.find()) {
            charts++;
            Matcher st = Pattern.compile("data-style=\"([^\"]*)\" data-kind=\"(\\w+)\"").matcher(svg.group());
            Set<String> seen = new HashSet<>();
            int n = 0;
            while (st.find()) {
                n++;
                assertTrue(seen.add(st.group(1)), "style " + st.group(1) + " repeats in chart " + charts);
                String dash = st.group(1).substring(st.group(1).indexOf('|') + 1);
                if (st.group(2).equals("projected") && svg.group().contains("<path d=\"M")) assertFalse(dash.isEmpty(), "projected line drawn solid");
            }
            assertTrue(n > 0, "chart " + charts + " has no series");
        }
        return charts;
    }

    @Test
    void fixtureRunPutsTheDecisionFirst(@TempDir Path tmp) throws Exception {
        RunDirectory dir = RunDirectory.create(tmp, "h200");
        for (String f : List.of("engine_bench.csv", "serving.csv", "energy.csv", "cost.csv", "manifest.json"))
            dir.writeBytes(f, Files.readAllBytes(Fixtures.path("run-h200/" + f)));
        RevenueStage.run(dir, Fixtures.path("scenario-two-year.yaml"), Fixtures.path("cost-simple.csv"));
        Path html = ReportStage.write(dir);
        String s = Files.readString(html);
        assertFalse(s.contains("class=\"absent\""), "every input is present, nothing should be reported absent");
        // sections in decision-first order
        int last = -1;
        for (String id : List.of("decision", "curves", "engine", "serving", "energy", "cost", "revenue", "provenance")) {
            int at = s.indexOf("<section id=\"" + id + "\"");
            assertTrue(at > last, id + " in order");
            last = at;
        }
        // owner-tco prices both chips (cloud-on-demand only the H200), so it is the headline tier; chat is the first profile.
        assertTrue(s.contains("A chat query (ISL 1000 / OSL 500 tokens) of llama-3.1-70b (synthetic weights)"), "question names profile and model");
        assertTrue(s.contains("priced at tier owner-tco"));
        String h = headline(s);
        // fixture cost.csv, chat, owner-tco: Maia 200 $0.0000636459 (projected), H200 cheapest at decode batch=64 $0.0001175 (measured)
        assertTrue(h.indexOf("Maia 200") < h.indexOf("H200 SXM"), "cheapest first");
        assertTrue(h.contains("$0.0000636") && h.contains("$0.000118"), h);
        assertTrue(h.contains("<tr class=\"measured\">") && h.contains("<tr class=\"projected\">"), "measured and projected rows styled apart");
        // ratio: 0.0000636459 / 0.0001175 = 0.5417; no band columns in this older cost table
        assertTrue(s.contains("costs 0.54x the cheapest Nvidia chip (H200 SXM, measured) per query; band n/a"), "ratio with band n/a");
        assertTrue(count(s, "<svg class=\"chart\"") >= 8, "inline SVG charts");
        assertEquals(0, count(s, "<img"), "no images");
        assertFalse(s.contains("src=\"http") || s.contains("href=\"http") || s.contains("@import"), "no network");
        assertTrue(assertUniqueStyles(s) >= 8);
        assertTrue(s.contains("gpu-h200-01"), "manifest machine in provenance");
        assertTrue(s.contains("SemiAnalysis TCO model"), "catalog source cited");
        assertTrue(s.contains("window 2.1 s shorter than 5 s minimum for NVML"), "invalid energy window shown with its reason");
        assertTrue(s.contains("class=\"invalid\""), "invalid serving point marked in the chart");
        assertTrue(s.contains("SLO TTFT 2000 ms"), "SLO line labelled");
        assertTrue(s.contains("<details><summary>cost table (newest in each folder) (12 rows)"), "long tables collapsed");
        assertTrue(Files.isRegularFile(dir.path().resolve("results.json")), "results.json beside the report");
        // revenue: horizon totals nominal beside PV (two-year hand scenario, 10%/yr: provider 0.3M + 1.2M/1.1 = 1.390909M,
        // cloud 2.7M + 6.8M/1.1 = 8.881818M), and deal_comparison.csv in its own view, not under "Other tables"
        int totals = s.indexOf("<h3>Horizon totals: nominal and present value</h3>");
        assertTrue(totals > s.indexOf("<section id=\"revenue\""), "PV totals in the revenue section");
        String tt = s.substring(totals, s.indexOf("</table>", totals));
        assertTrue(tt.contains("$1.5M") && tt.contains("$1.4M") && tt.contains("$9.5M") && tt.contains("$8.9M"), tt);
        assertTrue(tt.contains("factor is 0.909"), tt);
        int deals = s.indexOf("<h3>Deals compared</h3>");
        assertTrue(deals > totals, "deal comparison shown");
        String dt = s.substring(deals, s.indexOf("</details>", deals));
        assertTrue(dt.contains("reference deal is scenario terms") && dt.contains("Horizon profit per deal, present value"), dt);
        assertTrue(dt.contains("deal_comparison.csv (8 rows)"), "the whole table behind a details element");
        assertFalse(s.contains("<section id=\"other\""), "no table left without a view");
        assertThrows(dev.infercost.BadInputException.class, () -> ReportStage.write(dir), "never overwrites");
    }

    static final String HDR = "chip,silicon,provenance,tier,operating_point,model,weights,profile,profile_isl [tok],profile_osl [tok],"
            + "tok_per_s_per_user [tok/s/user],usd_per_m_output [$/M tok],usd_per_query [$/query],usd_per_query_low [$/query],usd_per_query_high [$/query]\n";

    @Test
    void bandsTierAndTargetDecideTheHeadline(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("cost.csv"), HDR
                + "Maia 200,custom,projected,tierA,p1,m8b,synthetic,chat,1000,500,60,1.2,0.0009,0.0008,0.0013\n"
                + "H100 SXM,nvidia,measured,tierA,p1,m8b,synthetic,chat,1000,500,55,2.5,0.0020,0.0018,0.0022\n"
                + "B200,nvidia,projected,tierA,p1,m8b,synthetic,chat,1000,500,40,2.0,0.0016,0.0012,0.0020\n"
                + "TPU v6e,custom,projected,tierB,p1,m8b,synthetic,chat,1000,500,70,0.1,0.0001,0.00008,0.00012\n");
        String s = new HtmlReport(List.of(tmp)).render();
        assertTrue(s.contains("priced at tier tierA"), "tier pricing the most chips");
        assertFalse(headline(s).contains("TPU v6e"), "one tier only");
        // 0.0009 / 0.0016 = 0.5625; band 0.0008 / 0.0020 = 0.40 .. 0.0013 / 0.0012 = 1.08
        assertTrue(s.contains("costs 0.56x the cheapest Nvidia chip (B200, projected) per query; band 0.40x – 1.08x"), s.substring(s.indexOf("id=\"ratio\"")));
        assertTrue(headline(s).contains("$0.000800 – $0.00130"), headline(s));
        // a 50 tok/s/user target drops B200 (40): 0.0009 / 0.0020 = 0.45; band 0.0008 / 0.0022 = 0.36 .. 0.0013 / 0.0018 = 0.72
        String t = new HtmlReport(List.of(tmp), List.of(tmp), new HtmlReport.Options(null, null, 50.0)).render();
        assertTrue(t.contains("costs 0.45x the cheapest Nvidia chip (H100 SXM, measured) per query; band 0.36x – 0.72x"));
        assertTrue(headline(t).contains("misses the target: at most 40 tok/s/user"));
        String b = new HtmlReport(List.of(tmp), List.of(tmp), new HtmlReport.Options("tierB", null, null)).render();
        assertTrue(b.contains("no Nvidia chip"), "tierB has no Nvidia price");
    }

    @Test
    void newestCostTableIsUsedAndNamed(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("cost.csv"), HDR + "Old,nvidia,projected,t,p,m,s,chat,1,1,10,9,0.9,,\n");
        Files.writeString(tmp.resolve("cost-2.csv"), HDR + "New,nvidia,projected,t,p,m,s,chat,1,1,10,1,0.1,,\n");
        String s = new HtmlReport(List.of(tmp)).render();
        assertTrue(headline(s).contains("New") && !headline(s).contains("Old"));
        assertTrue(s.contains("cost table cost-2.csv (the newest of several cost tables in the folder)"));
        assertTrue(s.contains("id=\"other\"") && s.contains("<summary>cost.csv (1 row)"), "the superseded table is still shown under Other tables");
    }

    @Test
    void seriesStylesNeverRepeat() {
        List<Boolean> kinds = new ArrayList<>();
        for (int i = 0; i < 45; i++) kinds.add(i % 3 == 0);
        List<String[]> st = Svg.styles(kinds);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < st.size(); i++) {
            assertTrue(seen.add(st.get(i)[0] + "|" + st.get(i)[1]), "style repeats at " + i);
            if (i < 20) assertEquals(Svg.PALETTE[i], st.get(i)[0], "first 20 series get 20 different colours");
            if (kinds.get(i) && i < 40) assertTrue(st.get(i)[1].equals(Svg.DASHED) || st.get(i)[1].equals(Svg.DOTTED), "projected is dashed");
            if (!kinds.get(i) && i < 40) assertTrue(st.get(i)[1].equals(Svg.SOLID) || st.get(i)[1].equals(Svg.DASHDOT), "measured is solid");
        }
        assertEquals(20, new HashSet<>(List.of(Svg.PALETTE)).size(), "palette has 20 distinct colours");
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
        assertTrue(s.contains(">gpu-h200-01</td>") && s.contains(">cpu-laptop-01</td>"));
        assertTrue(s.contains("gpu-h200-01 · onnxruntime") || s.contains("cpu-laptop-01 · jvm"));
        assertTrue(assertUniqueStyles(s) > 0);
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

    /** A verify run's folder (verify.csv + manifest.json) has nothing the report reads: refused, naming what it holds. */
    @Test
    void reportRefusesAFolderItDoesNotUnderstandAndShowsAPartialOne(@TempDir Path tmp) throws Exception {
        Path verify = Files.createDirectories(tmp.resolve("20261201-000000-verify-stories260K"));
        Files.writeString(verify.resolve("verify.csv"), "backend,check,verdict\njvm,greedy tokens,pass\n");
        Files.writeString(verify.resolve("manifest.json"), "{\"run_id\": \"20261201-000000-verify-stories260K\"}");
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new java.io.PrintStream(buf, true));
            rc = dev.infercost.cli.Main.execute("report", verify.toString());
        } finally {
            System.setErr(err);
        }
        assertEquals(2, rc);
        assertTrue(buf.toString().contains("not a folder the report understands (it holds manifest.json, verify.csv; a report needs one of engine_bench.csv"), buf.toString());
        assertFalse(Files.exists(verify.resolve("report.html")), "nothing written");

        // measurements without a cost table: the report shows what there is and says the cost table is absent
        Path partial = Files.createDirectories(tmp.resolve("measured-only"));
        Files.copy(Fixtures.path("run-cpu/engine_bench.csv"), partial.resolve("engine_bench.csv"));
        assertEquals(0, dev.infercost.cli.Main.execute("report", partial.toString()));
        String s = Files.readString(partial.resolve("report.html"));
        assertTrue(s.contains("cost.csv is absent from this result folder"), "absent cost table said, not failed");
        assertTrue(s.contains("<section id=\"engine\""), "the measurements it has are shown");
    }

    /** A long table (cost_curve.csv holds thousands of sweep points) is sampled evenly so the page stays small. */
    @Test
    void longTablesAreSampledEvenlyAndSaySo(@TempDir Path tmp) throws Exception {
        StringBuilder csv = new StringBuilder("series,x [tok/s]\n");
        for (int i = 0; i < 1201; i++) csv.append(i < 600 ? "a" : "b").append(',').append(i).append('\n');
        Files.writeString(tmp.resolve("engine_bench.csv"), Files.readString(Fixtures.path("run-cpu/engine_bench.csv")));
        Files.writeString(tmp.resolve("long.csv"), csv);
        String s = new HtmlReport(List.of(tmp), List.of(tmp), HtmlReport.Options.DEFAULT).render();
        // 1201 rows, stride ceil(1201 / 500) = 3: rows 0, 3, ..., 1200 = 401 rows, both series present
        assertTrue(s.contains("long.csv (1201 rows; every 3rd row shown, 401 in all; the whole table is in the CSV and results.json)"), "summary says it is sampled");
        int at = s.indexOf("long.csv (1201 rows");
        String t = s.substring(at, s.indexOf("</details>", at));
        assertEquals(401, count(t, "<tr") - 1, "401 body rows and the header row");
        assertTrue(t.contains("data-v=\"1200\"") && t.contains("data-v=\"3\"") && !t.contains("data-v=\"1\""), "every 3rd row, the last included");
        assertEquals("2nd", HtmlReport.ordinal(2));
        assertEquals("11th", HtmlReport.ordinal(11));
        assertEquals("23rd", HtmlReport.ordinal(23));
    }
}
