package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.cli.Main;
import dev.infercost.results.CostCurveColumn;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.Row;
import dev.infercost.results.CsvTable;
import dev.infercost.results.RunDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** End to end on the fixture run folder (a CPU run of the stories110M preset with a serving sweep). */
class CostStageTest {
    @TempDir
    Path tmp;
    Path run;

    @BeforeEach
    void copyFixture() throws IOException {
        Path src = Path.of("src/test/resources/fixtures/cpu-stories110M");
        run = tmp.resolve("20261130-091500-cpu-stories110M");
        Files.createDirectories(run);
        try (Stream<Path> s = Files.list(src)) {
            for (Path f : s.toList()) Files.copy(f, run.resolve(f.getFileName()));
        }
    }

    static CostRow only(List<CostRow> rows, String chip, String tier, Integer batch, String opStart) {
        List<CostRow> m = rows.stream().filter(r -> r.chip().equals(chip) && r.tier().equals(tier) && java.util.Objects.equals(r.batchSize(), batch)
                && r.operatingPoint().startsWith(opStart)).toList();
        assertEquals(1, m.size(), chip + " " + tier + " " + batch + " " + opStart + ": " + m);
        return m.get(0);
    }

    @Test
    void severalProfilesShareOneCostTable(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("run");
        Files.createDirectories(copy);
        Files.copy(run.resolve("engine_bench.csv"), copy.resolve("engine_bench.csv"));
        CostResult r = CostStage.run(RunDirectory.open(copy), CostOptions.defaults().withProfile("chat,rag"));
        CostRow chat = r.rows().stream().filter(x -> x.chip().equals("cpu-host") && x.profile().equals("chat") && x.batchSize() == 32).findFirst().orElseThrow();
        CostRow rag = r.rows().stream().filter(x -> x.chip().equals("cpu-host") && x.profile().equals("rag") && x.batchSize() == 32).findFirst().orElseThrow();
        // same device time per token, different ISL/OSL: rag 8000/300 vs chat 1000/500
        assertEquals(0.1008 * (1000 / 210.0 + 500 / 176.0) / 3600, chat.usdPerQuery(), 1e-15);
        assertEquals(0.1008 * (8000 / 210.0 + 300 / 176.0) / 3600, rag.usdPerQuery(), 1e-15);
        assertTrue(r.procurementTable().contains("profile chat"), "the first profile is the one printed");
    }

    @Test
    void measuredRowsCostInputAndOutputByPhaseTime() {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults());
        CostRow m = only(r.rows(), "cpu-host", "cloud-on-demand", 32, "decode");
        assertEquals("measured", m.provenance());
        assertEquals("cpu", m.silicon());
        assertEquals(0.1008, m.usdPerHour(), 0);
        assertEquals(210.0, m.prefillTokPerS(), 0); // prefill row at batch 32
        assertEquals(176.0, m.decodeTokPerS(), 0);
        assertEquals(0.1008 / (210 * 3600) * 1e6, m.usdPerMInput(), 1e-12);
        assertEquals(0.1008 / (176 * 3600) * 1e6, m.usdPerMOutput(), 1e-12);
        double secs = 1000 / 210.0 + 500 / 176.0;             // chat profile 1000/500
        assertEquals(0.1008 * secs / 3600, m.usdPerQuery(), 1e-15);
        assertEquals(7.5 * secs / 3600 * 1.0 * 1.56, m.whPerQuery(), 1e-12); // estimated 7.5 W, host factor 1, PUE 1.56
        assertTrue(m.powerBasis().startsWith("estimated"), m.powerBasis());
        // MBU recomputed from bytes per step: (438,119,424 + 32 x 256 x 73,728) B x 176/32 steps/s / 38.4 GB/s
        assertEquals((438_119_424.0 + 32 * 256 * 73_728.0) * 176 / 32 / 38.4e9, m.mbu(), 1e-12);
        assertTrue(m.basis().contains("LOW CONFIDENCE") && m.basis().contains("assumed"), m.basis());
        assertEquals(3, r.rows().stream().filter(x -> x.provenance().equals("measured") && x.operatingPoint().startsWith("decode")).count());
    }

    @Test
    void powerFallsBackToEnergyCsvThenToTdp() throws IOException {
        // blank the engine rows' power: the mean avg_power of energy.csv's non-idle windows (7.5 W) is used
        Path eb = run.resolve("engine_bench.csv");
        List<String> lines = Files.readAllLines(eb);
        int col = List.of(lines.get(0).split(",")).indexOf("power [W]");
        List<String> out = new java.util.ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            List<org.apache.commons.csv.CSVRecord> rec = org.apache.commons.csv.CSVFormat.DEFAULT.parse(new java.io.StringReader(l)).getRecords();
            List<String> cells = new java.util.ArrayList<>(rec.get(0).toList());
            cells.set(col, "");
            java.io.StringWriter w = new java.io.StringWriter();
            try (var p = new org.apache.commons.csv.CSVPrinter(w, org.apache.commons.csv.CSVFormat.DEFAULT.builder().setRecordSeparator("").get())) { p.printRecord(cells); }
            out.add(w.toString());
        }
        Files.write(eb, out);
        CostRow m = only(CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProjectModel(null)).rows(), "cpu-host", "cloud-on-demand", 32, "decode");
        assertEquals(7.5, m.powerW(), 1e-12);
        assertTrue(m.powerBasis().startsWith("energy.csv mean avg_power of 6 windows"), m.powerBasis());
        Files.delete(run.resolve("energy.csv"));
        Files.delete(run.resolve("cost.csv"));
        m = only(CostStage.run(RunDirectory.open(run), CostOptions.defaults()).rows(), "cpu-host", "cloud-on-demand", 32, "decode");
        assertEquals(7.5 * 0.75, m.powerW(), 1e-12); // catalog's assumed 7.5 W TDP share x power_draw_fraction 0.75
        assertTrue(m.powerBasis().startsWith("estimated: TDP 7.5 W x 0.75") && m.powerBasis().contains("TDP assumed"), m.powerBasis());
    }

    @Test
    void writesCostCsvWithTheContractColumnsAndNeverOverwrites() throws IOException {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults());
        assertEquals(run.resolve("cost.csv"), r.written());
        List<Map<String, String>> csv = CsvTable.read(r.written());
        assertEquals(ResultSchemas.COST_COLUMNS, List.copyOf(csv.get(0).keySet()));
        assertEquals(r.rows().size(), csv.size());
        // every cost.csv row has complete money columns; the rest went to cost_uncosted.csv
        for (String c : List.of("usd_per_hour [$/h]", "usd_per_m_input [$/M tok]", "usd_per_m_output [$/M tok]", "usd_per_query [$/query]"))
            assertTrue(csv.stream().noneMatch(x -> x.get(c).isEmpty()), c);
        assertEquals(r.uncosted().size(), CsvTable.read(run.resolve("cost_uncosted.csv")).size());
        assertFalse(r.uncosted().isEmpty());
        assertTrue(csv.stream().allMatch(x -> x.get("provenance").equals("measured") || x.get("provenance").equals("projected")));
        assertTrue(csv.stream().filter(x -> x.get("provenance").equals("projected")).allMatch(x -> x.get("assumptions").startsWith("PROJECTED")));
        String first = Files.readString(r.written());
        CostResult again = CostStage.run(RunDirectory.open(run), CostOptions.defaults());
        assertEquals(run.resolve("cost-2.csv"), again.written());
        assertEquals(first, Files.readString(run.resolve("cost.csv")));
        assertTrue(again.notes().stream().anyMatch(n -> n.contains("never overwritten") && n.contains("cost-2.csv")), again.notes().toString());
        Path explicit = tmp.resolve("mine.csv");
        Files.writeString(explicit, "x");
        BadInputException e = assertThrows(BadInputException.class, () -> CostStage.run(RunDirectory.open(run), CostOptions.defaults().withOut(explicit)));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
    }

    static CostRow proj(List<CostRow> rows, String chip, String tier, String opStart) {
        List<CostRow> m = rows.stream().filter(r -> r.chip().equals(chip) && r.tier().equals(tier) && r.operatingPoint().startsWith(opStart)).toList();
        assertEquals(1, m.size(), chip + " " + tier + " " + opStart + ": " + m);
        return m.get(0);
    }

    @Test
    void projectsAnotherModelShapeAcrossTheCatalog() {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProjectModel("llama-3.1-8b").withProfile("inferencex-1k1k"));
        only(r.rows(), "cpu-host", "cloud-on-demand", 32, "decode");   // the measured rows stay
        CostRow h100 = proj(r.rows(), "H100 SXM", "inferencex-owner", "projected at 50 tok/s/user");
        assertEquals("llama-3.1-8b", h100.model());
        assertEquals(50.0, h100.tokPerSUser(), 1e-9);
        // never the host's efficiency: the H100's comes from the Hopper rows of the calibration table
        assertTrue(h100.extra().calibration().contains("nvidia-hopper"), h100.extra().calibration());
        assertFalse(h100.assumptions().stream().anyMatch(x -> x.contains("MBU") && x.contains("cpu-host")));
        assertEquals(1.30 / (h100.decodeTokPerS() * 3600) * 1e6, h100.usdPerMOutput(), 1e-12);
        assertTrue(h100.extra().outLow() <= h100.usdPerMOutput() && h100.usdPerMOutput() <= h100.extra().outHigh(), h100.extra().toString());
        assertTrue(h100.extra().queryLow() <= h100.usdPerQuery() && h100.usdPerQuery() <= h100.extra().queryHigh());
        assertEquals(525.0, h100.powerW(), 0); // 700 W TDP x 0.75, labelled estimated
        assertTrue(h100.powerBasis().startsWith("estimated"));
        CostRow max = proj(r.rows(), "H100 SXM", "inferencex-owner", "projected max throughput TP");
        assertTrue(max.decodeTokPerS() > h100.decodeTokPerS() && max.tokPerSUser() < 50);
        // custom silicon borrows a family's efficiency, and says so; chips without a price keep tok/s and say why $ is empty
        CostRow maia200 = proj(r.rows(), "Maia 200", "owner-tco", "projected at 50");
        assertTrue(maia200.extra().calibration().startsWith("ASSUMED: borrowed from nvidia-blackwell"), maia200.extra().calibration());
        CostRow maia100 = r.uncosted().stream().filter(x -> x.chip().equals("Maia 100") && x.operatingPoint().startsWith("projected at")).findFirst().orElseThrow();
        assertTrue(maia100.decodeTokPerS() > 0 && Double.isNaN(maia100.usdPerHour()));
        CostRow trn = proj(r.rows(), "Trainium2", "cloud-on-demand", "projected at 50");
        assertEquals("custom", trn.silicon());
        // a 16 GB TPU v5e cannot hold 8B bf16 weights alone: TP2 or more, with the modelled all-reduce term
        CostRow v5e = r.uncosted().stream().filter(x -> x.chip().equals("TPU v5e") && x.operatingPoint().startsWith("projected max")).findFirst().orElseThrow();
        assertTrue(v5e.extra().tensorParallel() >= 2);
        assertTrue(v5e.assumptions().stream().anyMatch(x -> x.contains("MODELLED")), v5e.assumptions().toString());
        String t = r.procurementTable();
        assertTrue(t.contains("llama-3.1-8b BF16 (KV bf16), profile inferencex-1k1k 1000/1000, at >= 50 tok/s/user: tier inferencex-owner"), t);
        assertTrue(t.contains("tier owner-tco: cheapest custom silicon"), t);
        assertTrue(Files.exists(run.resolve("cost_curve.csv")));
        // cost_curve.csv: every operating point once per price tier, with the band, read through its column contract
        List<Row> curve = Row.readAll(run.resolve("cost_curve.csv"));
        assertEquals(ResultSchemas.COST_CURVE_TABLE.headers(), List.copyOf(curve.get(0).values().keySet()));
        List<Row> h100Owner = curve.stream().filter(x -> x.get(CostCurveColumn.CHIP).equals("H100 SXM") && x.get(CostCurveColumn.TIER).equals("inferencex-owner")).toList();
        List<Row> h100Tco = curve.stream().filter(x -> x.get(CostCurveColumn.CHIP).equals("H100 SXM") && x.get(CostCurveColumn.TIER).equals("owner-tco")).toList();
        assertFalse(h100Owner.isEmpty());
        assertEquals(h100Owner.size(), h100Tco.size(), "same points in every tier");
        for (Row x : h100Owner) {
            assertEquals("projected", x.get(CostCurveColumn.PROVENANCE));
            assertEquals("llama-3.1-8b", x.get(CostCurveColumn.MODEL));
            assertEquals(1.30, x.num(CostCurveColumn.USD_PER_HOUR), 0);
            assertTrue(x.num(CostCurveColumn.THROUGHPUT_PER_CHIP_LOW) <= x.num(CostCurveColumn.THROUGHPUT_PER_CHIP)
                    && x.num(CostCurveColumn.THROUGHPUT_PER_CHIP) <= x.num(CostCurveColumn.THROUGHPUT_PER_CHIP_HIGH));
            assertTrue(x.num(CostCurveColumn.USD_PER_M_OUTPUT_LOW) <= x.num(CostCurveColumn.USD_PER_M_OUTPUT)
                    && x.num(CostCurveColumn.USD_PER_M_OUTPUT) <= x.num(CostCurveColumn.USD_PER_M_OUTPUT_HIGH));
        }
        // the frontier is monotone: faster per user means less throughput per chip
        List<Row> front = h100Owner.stream().filter(x -> x.get(CostCurveColumn.ON_FRONTIER).equals("true"))
                .sorted(java.util.Comparator.comparingDouble(x -> x.num(CostCurveColumn.TOK_PER_S_PER_USER))).toList();
        assertTrue(front.size() >= 3, front.toString());
        for (int i = 1; i < front.size(); i++)
            assertTrue(front.get(i).num(CostCurveColumn.THROUGHPUT_PER_CHIP) <= front.get(i - 1).num(CostCurveColumn.THROUGHPUT_PER_CHIP));
        // the max-throughput row of cost.csv is the curve's fastest point per chip (same sweep)
        double best = h100Owner.stream().mapToDouble(x -> x.num(CostCurveColumn.THROUGHPUT_PER_CHIP)).max().orElseThrow();
        Row atMax = h100Owner.stream().filter(x -> max.operatingPoint().endsWith("TP" + x.get(CostCurveColumn.TENSOR_PARALLEL) + " batch=" + x.get(CostCurveColumn.BATCH_SIZE)))
                .findFirst().orElseThrow();
        assertEquals(best, atMax.num(CostCurveColumn.THROUGHPUT_PER_CHIP), 0);
    }

    /**
     * A serving point from an endpoint on 8 x H200 (device_class names a catalog chip, device_count 8) is priced per
     * device as measured for that chip and replaces the H200 projection of the same model, not of another model.
     */
    @Test
    void servingRowsNamingACatalogChipArePricedPerDevice() throws IOException {
        Path sv = tmp.resolve("h200-run");
        Files.createDirectories(sv);
        String header = "run_id,backend,device,device_class,device_count,model,weights,scenario,concurrency,arrival,input_throughput [tok/s],output_throughput [tok/s],"
                + "throughput_per_device [tok/s/device],tok_per_s_per_user [tok/s/user],ttft_p99 [ms],tpot_p99 [ms],prefill_time_share,power [W],valid\n";
        Files.writeString(sv.resolve("serving.csv"), header
                + "t,endpoint,H200 SXM x8 behind http://127.0.0.1:8000,H200 SXM,8,meta-llama/Llama-3.1-70B-Instruct,real,Concurrency,64,closed,16000,16000,2000,40,900,30,0.2,5600,true\n");
        CostResult r = CostStage.run(RunDirectory.open(sv), CostOptions.defaults().withProjectModel("llama-3.1-70b").withProjectDtype("fp8").withProfile("inferencex-1k1k"));
        CostRow m = r.rows().stream().filter(x -> x.chip().equals("H200 SXM") && x.tier().equals("inferencex-owner")).findFirst().orElseThrow();
        assertEquals("measured", m.provenance());
        // per device: input 16,000 / 8 = 2,000 tok/s over a 0.2 share of device time -> prefill 10,000 tok/s;
        // output 2,000 tok/s over 0.8 -> decode 2,500 tok/s. At InferenceX owner $1.41/h:
        assertEquals(1.41 / (2500 * 3600.0) * 1e6, m.usdPerMOutput(), 1e-12);   // 0.156667 $/M output
        assertEquals(1.41 / (10000 * 3600.0) * 1e6, m.usdPerMInput(), 1e-12);   // 0.0391667 $/M input
        assertEquals(1.41 * (1000 / 10000.0 + 1000 / 2500.0) / 3600, m.usdPerQuery(), 1e-15); // 0.5 device-seconds per 1k/1k query
        assertEquals(700.0, m.powerW(), 0); // 5,600 W for the group / 8 devices
        assertTrue(m.assumptions().stream().anyMatch(a -> a.contains("8 x H200 SXM")), m.assumptions().toString());
        assertTrue(r.rows().stream().noneMatch(x -> x.chip().equals("H200 SXM") && x.provenance().equals("projected")));
        assertTrue(r.rows().stream().anyMatch(x -> x.chip().equals("B200 (HGX 1000W)") && x.provenance().equals("projected")));
        // the measured rankings: one per tier, each headline naming the model; no ranking mixes tiers
        String t = r.procurementTable();
        assertTrue(t.contains("Procurement table: model meta-llama/Llama-3.1-70B-Instruct (real weights), profile inferencex-1k1k (ISL 1000 / OSL 1000 tokens), "
                + "serving sweep points: tier inferencex-owner"), t);
        String[] blocks = t.split("Procurement table: ");
        assertTrue(blocks.length > 2, t);
        int ranked = 0;
        for (int i = 1; i < blocks.length; i++) {
            String tier = blocks[i].substring(blocks[i].indexOf(": tier ") + 7, blocks[i].indexOf(", cheapest"));
            // columns "%3s  %-34s %-7s %-9s %-20s": the tier column starts at 3 + 2 + 34 + 1 + 7 + 1 + 9 + 1 = 58
            for (String line : blocks[i].split("\n"))
                if (line.matches("\\s*\\d+  .*")) { assertEquals(tier, line.substring(58, 78).trim(), line); ranked++; }
        }
        assertTrue(ranked >= blocks.length - 1, t);
        // the same serving measurement does not stand in for another model: the H200's 405B row is projected
        CostResult other = CostStage.run(RunDirectory.open(sv), CostOptions.defaults().withProjectModel("llama-3.1-405b").withProjectDtype("fp8")
                .withProfile("inferencex-1k1k").withOut(tmp.resolve("405b")));
        assertTrue(other.rows().stream().anyMatch(x -> x.chip().equals("H200 SXM") && x.provenance().equals("projected")));
        assertTrue(other.notes().stream().anyMatch(n -> n.startsWith("H200 SXM was measured with meta-llama/Llama-3.1-70B-Instruct, not llama-3.1-405b")), other.notes().toString());
        Files.writeString(sv.resolve("serving.csv"), header
                + "t,endpoint,x,H200 SXM,0,meta-llama/Llama-3.1-70B-Instruct,real,Concurrency,64,closed,16000,16000,2000,40,900,30,0.2,5600,true\n");
        BadInputException e = assertThrows(BadInputException.class, () -> CostStage.run(RunDirectory.open(sv), CostOptions.defaults().withOut(tmp.resolve("bad"))));
        assertTrue(e.getMessage().contains("device_count '0'"), e.getMessage());
    }

    @Test
    void noisyMeasuredPointsAreFlaggedAndExcludedUnlessAllowed() throws IOException {
        Path eb = run.resolve("engine_bench.csv");
        // batch 32 decode: 176 tok/s with a 99.9% error of 200 tok/s (wider than the mean, as quick mode can be)
        Files.writeString(eb, Files.readString(eb).replaceFirst("176\\.0,4\\.1", "176.0,200"));
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProjectModel("llama-3.1-8b"));
        assertTrue(r.rows().stream().noneMatch(x -> x.chip().equals("cpu-host") && java.util.Objects.equals(x.batchSize(), 32)));
        CostRow n = r.uncosted().stream().filter(x -> x.chip().equals("cpu-host") && java.util.Objects.equals(x.batchSize(), 32)).findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, n.extra().noisy());
        assertTrue(r.notes().stream().anyMatch(x -> x.startsWith("noisy: ") && x.contains("--allow-noisy")), r.notes().toString());
        // the exclusion is counted for the console line and the manifest, with what includes it
        assertEquals(List.of(Map.of("point", "cpu-host preset:stories110M jvm decode batch 32", "reason", "noisy: JMH 99.9% error above the mean",
                "include_with", "measure longer (run without --quick) or `infercost cost RUN --allow-noisy`")), r.manifestSection().get("measured_points_excluded"));
        assertEquals(r.rows().stream().filter(x -> !x.provenance().equals("projected")).count(), r.manifestSection().get("measured_rows_priced"));
        CostResult allowed = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProjectModel("llama-3.1-8b").withAllowNoisy(true));
        CostRow a = only(allowed.rows(), "cpu-host", "cloud-on-demand", 32, "decode");
        assertEquals(Boolean.TRUE, a.extra().noisy());
        assertTrue(a.assumptions().stream().anyMatch(x -> x.startsWith("NOISY") && x.contains("used anyway")));
    }

    @Test
    void exclusionLineCountsPointsByReason() {
        Map<String, CostStage.Exclusion> ex = new java.util.LinkedHashMap<>();
        ex.put("cpu-host m jvm decode batch 1", CostStage.Exclusion.NOISY);
        ex.put("cpu-host m jvm decode batch 8", CostStage.Exclusion.NOISY);
        ex.put("gpu m serving Server 4 req/s", CostStage.Exclusion.NO_CHIP);
        assertEquals("3 measured points not priced: 2 noisy: JMH 99.9% error above the mean (cpu-host m jvm decode batch 1, cpu-host m jvm decode batch 8; "
                + "include with measure longer (run without --quick) or `infercost cost RUN --allow-noisy`); 1 device_class not in the catalog "
                + "(gpu m serving Server 4 req/s; include with --usd-per-hour P, or a --catalog row for the chip); cost.csv holds 0 measured rows, only projections",
                CostStage.exclusionLine(ex, 0));
        assertNull(CostStage.exclusionLine(Map.of(), 3));
    }

    @Test
    void aFolderWithNothingPriceableIsRefusedNotWrittenEmpty() throws IOException {
        // a serve-bench folder against an endpoint: device_class unknown, a model that is no known shape, so nothing is priced
        Path sb = tmp.resolve("sb");
        Files.createDirectories(sb);
        Files.writeString(sb.resolve("serving.csv"), Files.readString(run.resolve("serving.csv")).replace("cpu-host", "unknown (endpoint)")
                .replace("preset:stories110M", "stories260K"));
        BadInputException e = assertThrows(BadInputException.class, () -> CostStage.run(RunDirectory.open(sb), CostOptions.defaults()));
        assertTrue(e.getMessage().contains("nothing could be priced") && e.getMessage().contains("device_class not in the catalog")
                && e.getMessage().contains("--usd-per-hour"), e.getMessage());
        assertFalse(Files.exists(sb.resolve("cost.csv")), "no 0-row cost.csv");
        // with a price for the endpoint's device it is priced
        CostResult r = CostStage.run(RunDirectory.open(sb), CostOptions.defaults().withUsdPerHour(2.0));
        assertTrue(r.rows().stream().anyMatch(x -> x.provenance().equals("measured") && x.usdPerHour() == 2.0));
    }

    @Test
    void aTargetBelowTheSlowestProjectedPointIsMetThereAndNotesNameTheProfile() {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProfile("chat,reasoning"));
        // every projected chip's frontier: an at-target row either exists, or its note names the profile
        for (String n : r.notes()) if (n.startsWith("not at target")) assertTrue(n.contains(", profile "), n);
        // a chip whose slowest swept point is faster than 50 tok/s/user: its at-target row is that point (the frontier's
        // highest throughput), so its figures equal the max-throughput row's, and its tok/s/user is >= 50
        List<CostRow> at = r.rows().stream().filter(x -> x.provenance().equals("projected") && x.operatingPoint().startsWith("projected at 50 tok/s/user")
                && x.tokPerSUser() > 50 * (1 + 1e-9)).toList();
        assertFalse(at.isEmpty(), "some chip meets 50 tok/s/user at its slowest swept point (H100 SXM did for reasoning)");
        for (CostRow a : at) {
            CostRow max = r.rows().stream().filter(x -> x.chip().equals(a.chip()) && x.tier().equals(a.tier()) && x.profile().equals(a.profile())
                    && x.operatingPoint().startsWith("projected max throughput")).findFirst().orElseThrow();
            assertEquals(max.decodeTokPerS(), a.decodeTokPerS(), 1e-9 * max.decodeTokPerS(), a.chip());
            assertEquals(max.tokPerSUser(), a.tokPerSUser(), 1e-9, a.chip());
            assertEquals(max.usdPerMOutput(), a.usdPerMOutput(), 1e-12, a.chip());
        }
    }

    @Test
    void consoleRanksByDollarsPerQueryAsTheReportAndListsEveryProfile() {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProfile("chat,reasoning"));
        String t = r.procurementTable();
        int start = t.indexOf("profile chat 1000/500, at >= 50 tok/s/user: tier owner-tco, cheapest $/query first");
        assertTrue(start >= 0, t);
        String block = t.substring(start, t.indexOf("\n\n", start));
        List<String> expected = r.rows().stream().filter(x -> x.profile().equals("chat") && x.tier().equals("owner-tco") && x.operatingPoint().startsWith("projected at "))
                .sorted(java.util.Comparator.comparingDouble(CostRow::usdPerQuery)).map(x -> x.chip().length() <= 34 ? x.chip() : x.chip().substring(0, 33)).toList();
        assertTrue(expected.size() > 3, expected.toString());
        int at = -1;
        for (String chip : expected) {
            int i = block.indexOf("  " + chip + " ");
            assertTrue(i > at, chip + " out of $/query order in\n" + block);
            at = i;
        }
        assertTrue(block.contains("per query"), block); // the custom-vs-Nvidia ratio is per query, as in the report
        assertTrue(t.contains("profile reasoning 1000/8000"), "the second profile is listed too:\n" + t);
    }

    @Test
    void importedVllmResultReplacesTheProjectionOfItsChip() throws IOException {
        // the fields vLLM's `vllm bench serve --save-result --metadata device_class="H200 SXM" num_gpus=8` writes
        // (metadata keys at top level, merged with the benchmark result); numbers made up for the test
        Path json = tmp.resolve("vllm-result.json");
        Files.writeString(json, """
                {"date": "20261201-101500", "backend": "vllm", "model_id": "meta-llama/Llama-3.1-70B-Instruct", "num_prompts": 1000,
                 "device_class": "H200 SXM", "num_gpus": "8", "request_rate": "inf", "burstiness": 1.0, "max_concurrency": 64,
                 "duration": 250.0, "completed": 1000, "total_input_tokens": 1000000, "total_output_tokens": 1000000,
                 "request_throughput": 4.0, "output_throughput": 16000.0, "total_token_throughput": 32000.0,
                 "mean_ttft_ms": 180.0, "median_ttft_ms": 150.0, "p99_ttft_ms": 900.0,
                 "mean_tpot_ms": 25.0, "median_tpot_ms": 24.0, "p99_tpot_ms": 40.0}
                """);
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProjectModel("llama-3.1-70b").withProjectDtype("fp8")
                .withProfile("inferencex-1k1k").withImports(List.of(json), null, null));
        CostRow m = r.rows().stream().filter(x -> x.chip().equals("H200 SXM") && x.tier().equals("inferencex-owner")).findFirst().orElseThrow();
        assertEquals("measured (imported)", m.provenance());
        assertEquals(1000.0 / 25.0, m.tokPerSUser(), 1e-12);
        // 16,000 output tok/s over 8 GPUs = 2,000 per GPU; a 1000/1000 query takes 1000 / 2000 = 0.5 chip-seconds at $1.41/h
        assertEquals(1.41 * 0.5 / 3600, m.usdPerQuery(), 1e-12);
        assertTrue(m.basis().contains(json.toString()), m.basis());
        assertTrue(r.rows().stream().noneMatch(x -> x.chip().equals("H200 SXM") && x.provenance().equals("projected")));
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("H200 SXM was measured in this run")), r.notes().toString());
        assertTrue(r.rows().stream().anyMatch(x -> x.chip().equals("B200 (HGX 1000W)") && x.provenance().equals("projected")));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"model_id\": \"x\", \"completed\": 3}");
        BadInputException e = assertThrows(BadInputException.class, () -> CostStage.run(RunDirectory.open(run),
                CostOptions.defaults().withImports(List.of(bad), "H100 SXM", null)));
        assertTrue(e.getMessage().contains("output_throughput"), e.getMessage());
    }

    @Test
    void servingSweepCostAtEqualServiceLevel() {
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withTarget(8.0, null, null));
        CostRow t = only(r.rows(), "cpu-host", "cloud-on-demand", null, "serving target 8");
        assertEquals(8.0, t.tokPerSUser(), 0);
        assertTrue(t.basis().contains("PCHIP"), t.basis());
        // equal service level from the engine points too: PCHIP of decode tok/s over tok/s/user across batch 1/8/32
        // (SciPy PchipInterpolator([5.5, 9.0625, 11.8], [176, 72.5, 11.8])(8.0) = 100.38530269964038)
        CostRow d = only(r.rows(), "cpu-host", "cloud-on-demand", null, "decode target 8");
        assertEquals(100.38530269964038, d.decodeTokPerS(), 1e-9);
        assertEquals(207.4959573374884, d.prefillTokPerS(), 1e-9);
        assertEquals(0.1008 / (d.decodeTokPerS() * 3600) * 1e6, d.usdPerMOutput(), 1e-12);
        assertTrue(r.procurementTable().contains("target 8 tok/s/user"), r.procurementTable());
        CostResult far = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withTarget(30.0, null, null));
        assertTrue(far.rows().stream().noneMatch(x -> x.operatingPoint().startsWith("serving target")));
        assertTrue(far.notes().stream().anyMatch(n -> n.contains("does not extrapolate")), far.notes().toString());
        // the invalid overloaded point is skipped, not costed
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("serving point skipped")), r.notes().toString());
    }

    @Test
    void userPriceAndCatalogOverridesAreReported() throws IOException {
        Path cat = tmp.resolve("site.csv");
        Files.writeString(cat, "parameter,scope,value,unit,source_url\nelectricity_price,our site,0.05,USD/kWh,our contract\n");
        CostResult r = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withUsdPerHour(0.05).withCatalog(cat));
        CostRow m = only(r.rows(), "cpu-host", "user", 32, "decode");
        assertEquals(0.05, m.usdPerHour(), 0);
        assertFalse(m.overridden().isEmpty());
        assertTrue(r.rows().stream().noneMatch(x -> x.chip().equals("cpu-host") && x.provenance().equals("measured") && !x.tier().equals("user")));
        assertTrue(r.procurementTable().contains("Overridden catalog values"), r.procurementTable());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("electricity_price")), r.notes().toString());
        CostRow owner = proj(r.rows(), "H100 SXM", "owner-tco", "projected max throughput");
        assertTrue(owner.overridden().contains("electricity_price"), owner.overridden().toString());
    }

    @Test
    void cliPrintsTheTableAndRejectsBadInput() {
        assertEquals(0, Main.execute("cost", run.toString(), "--profile", "rag", "--no-project"));
        assertTrue(Files.exists(run.resolve("cost.csv")));
        assertEquals(2, Main.execute("cost", tmp.resolve("nope").toString()));
        assertEquals(2, Main.execute("cost", run.toString(), "--profile", "banana"));
        assertEquals(2, Main.execute("cost", run.toString(), "--usd-per-hour", "-1"));
        assertEquals(2, Main.execute("cost", run.toString(), "--batch", "4"));
        assertEquals(0, Main.execute("cost", run.toString(), "--batch", "8", "--project-model", "llama-3.1-8b", "--out", tmp.resolve("out").toString()));
        assertTrue(Files.exists(tmp.resolve("out/cost.csv")));
    }
}
