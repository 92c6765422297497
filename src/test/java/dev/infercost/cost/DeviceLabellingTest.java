package dev.infercost.cost;

import dev.infercost.engine.FallbackGuard;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.DeviceMatch;
import dev.infercost.hardware.PeakFigures;
import dev.infercost.measure.EngineBench;
import dev.infercost.measure.EngineBenchTable;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.ModelInfo;
import dev.infercost.model.PresetShapes;
import dev.infercost.results.CsvTable;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Device strings as the engines and NVML report them, matched to the bundled catalog: labels, peaks (MBU/MFU
 * denominators) and the cost rows priced from them. Peak figures are the catalog's spec-sheet rows
 * (accelerators.csv: H200 SXM 4.8 TB/s, 989 TFLOP/s bf16, 1979 TFLOP/s fp8; H100 SXM 3.35 TB/s; H100 PCIe
 * 2.0 TB/s; H100 NVL 3.9 TB/s; A100 80GB SXM 2.039 TB/s; MI300X 5.3 TB/s).
 */
class DeviceLabellingTest {
    static final Catalog CAT = Catalog.bundled();

    static DeviceMatch m(String device, String dtype) { return DeviceMatch.of(device, dtype, CAT, null, i -> null); }

    @Test
    void gpuNamesMatchTheirCatalogChipWithItsPeaks() {
        DeviceMatch h200 = m("tornado 0:0 NVIDIA H200 (PTX, GPU, wg 128)", "F16");
        assertEquals("H200 SXM", h200.deviceClass());
        assertTrue(h200.gpu());
        assertEquals(4800.0, h200.peaks().peakGBps(), 1e-9);   // 4.8 TB/s
        assertEquals(989.0, h200.peaks().peakTflops(), 1e-9);  // bf16_dense for F16 weights
        assertTrue(h200.how().contains("NVIDIA H200") && h200.how().contains("H200 SXM"), h200.how());
        assertTrue(h200.peaks().basis().contains("accelerators.csv"), "peak basis cites the catalog source: " + h200.peaks().basis());
        assertEquals(1979.0, m("tornado 0:0 NVIDIA H200 (PTX, GPU, wg 128)", "Q8_0").peaks().peakTflops(), 1e-9); // fp8_dense for Q8_0

        // NVML names SXM parts without a suffix; PCIe and NVL name themselves
        assertEquals("H100 SXM", m("NVIDIA H100 80GB HBM3", "F16").deviceClass());
        assertEquals(3350.0, m("NVIDIA H100 80GB HBM3", "F16").peaks().peakGBps(), 1e-9);
        assertEquals("H100 PCIe", m("tornado 0:0 NVIDIA H100 PCIe (OPENCL, GPU, wg 64)", "F16").deviceClass());
        assertEquals(2000.0, m("NVIDIA H100 PCIe", "F16").peaks().peakGBps(), 1e-9);
        assertEquals("H100 NVL", m("NVIDIA H100 NVL", "F16").deviceClass());
        assertEquals("A100 80GB SXM", m("NVIDIA A100-SXM4-80GB", "F16").deviceClass());
        assertEquals(2039.0, m("NVIDIA A100-SXM4-80GB", "F16").peaks().peakGBps(), 1e-9);
        assertEquals("MI300X", m("AMD Instinct MI300X", "F16").deviceClass());
        assertEquals(5300.0, m("AMD Instinct MI300X", "F16").peaks().peakGBps(), 1e-9);
    }

    @Test
    void anUnmatchedGpuIsUnknownWithoutPeaks() {
        for (String d : List.of("NVIDIA GeForce RTX 4090", "NVIDIA A100 80GB PCIe", "NVIDIA H200 NVL", "tornado 1:0 Intel(R) Data Center GPU Max 1550 (SPIRV, GPU, wg 64)")) {
            DeviceMatch u = m(d, "F16");
            assertEquals(DeviceMatch.UNKNOWN_GPU, u.deviceClass(), d);
            assertTrue(u.gpu(), d);
            assertTrue(Double.isNaN(u.peaks().peakGBps()) && Double.isNaN(u.peaks().peakTflops()), d + ": no guessed peaks");
            assertTrue(u.how().contains("--usd-per-hour"), u.how());
        }
        // a form factor the catalog lacks is not guessed (H200 NVL has its own TDP)
        assertTrue(m("NVIDIA H200 NVL", "F16").how().contains("H200 SXM"), "names the near miss");
    }

    @Test
    void providerOnlyStringsTakeTheGpuNameFromTheDriver() {
        String ort = "onnxruntime 1.23.2 cuda (2 threads, opt all), graph contrib";
        assertEquals(DeviceMatch.UNKNOWN_GPU, m(ort, "F32").deviceClass(), "no name anywhere: unknown");
        DeviceMatch named = DeviceMatch.of(ort, "F32", CAT, null, i -> i == 0 ? "NVIDIA H200" : null);
        assertEquals("H200 SXM", named.deviceClass());
        assertTrue(named.device().endsWith("[NVIDIA H200]"), named.device());
    }

    @Test
    void cpuDevicesAreTheCpuHostIncludingOpenClCpuDevices() {
        PeakFigures host = PeakFigures.cpuHostDefault();
        for (String d : List.of("cpu (2 threads)", "tornado 0:0 cpu-haswell-AMD EPYC 9R14 96-Core Processor (OPENCL, CPU, wg 1)",
                "onnxruntime 1.23.2 cpu (2 threads, opt all), graph contrib")) {
            DeviceMatch c = m(d, "F32");
            assertEquals(Accelerator.CPU_HOST, c.deviceClass(), d);
            assertFalse(c.gpu(), d);
            assertEquals(host.peakGBps(), c.peaks().peakGBps(), 1e-12);
            assertEquals(host.peakTflops(), c.peaks().peakTflops(), 1e-12);
            assertTrue(c.peaks().basis().contains("assumed"), c.peaks().basis());
        }
        String model = DeviceMatch.cpuModel();
        if (!model.isEmpty()) assertTrue(m("cpu (2 threads)", "F32").device().contains(model), "the row shows the CPU model");
    }

    @Test
    void theOverrideWinsAndIsShown() {
        DeviceMatch o = DeviceMatch.of("tornado 0:0 NVIDIA H200 (PTX, GPU, wg 128)", "F16", CAT, "H100-SXM", i -> null);
        assertEquals("H100 SXM", o.deviceClass());
        assertEquals(3350.0, o.peaks().peakGBps(), 1e-9);
        assertTrue(o.how().startsWith("--device-class H100-SXM"), o.how());
        DeviceMatch notInCatalog = DeviceMatch.of("NVIDIA L40S", "F16", CAT, "L40S", i -> null);
        assertEquals("L40S", notInCatalog.deviceClass());
        assertTrue(Double.isNaN(notInCatalog.peaks().peakGBps()));
    }

    @Test
    void theFallbackGuardRefusesACpuRunThatWasAskedForAGpu() {
        String pocl = "tornado 0:0 cpu-haswell-AMD EPYC 9R14 (OPENCL, CPU, wg 1)";
        FallbackGuard.Evidence e = FallbackGuard.check("tornado", FallbackGuard.requested(FallbackGuard.Expect.GPU, "tornado", "0:0", Map.of()), pocl);
        assertFalse(e.ok());
        assertThrows(FallbackGuard.FallbackException.class, e::requireOk);
        assertEquals("failed: fallback", e.manifestEntry().get("verdict"));
        // onnx asked for the CUDA provider but built on the CPU provider
        String req = FallbackGuard.requested(FallbackGuard.Expect.AUTO, "onnx", "cuda", Map.of());
        assertTrue(req.startsWith("gpu"), req);
        assertFalse(FallbackGuard.check("onnx", req, "onnxruntime 1.23.2 cpu (2 threads, opt all), graph contrib").ok());
        assertTrue(FallbackGuard.check("onnx", req, "onnxruntime 1.23.2 cuda (2 threads, opt all), graph contrib").ok());
        // nothing asked: whatever opened is fine; --expect-device cpu refuses a GPU
        assertTrue(FallbackGuard.check("jvm", FallbackGuard.requested(FallbackGuard.Expect.AUTO, "jvm", null, Map.of()), "cpu (2 threads)").ok());
        assertFalse(FallbackGuard.check("tornado", "cpu (--expect-device cpu)", "tornado 0:0 NVIDIA H200 (PTX, GPU, wg 128)").ok());
        assertThrows(dev.infercost.BadInputException.class, () -> FallbackGuard.Expect.parse("tpu"));
    }

    /** An engine_bench.csv as `run` writes it for a decode point measured on {@code device}. */
    static Path benchFolder(Path parent, String device, double tokS) {
        LlamaConfig cfg = PresetShapes.config("llama-3.2-1b");
        long wBytes = 2_471_000_000L;
        ModelInfo info = new ModelInfo("llama-3.2-1b", "preset", "preset:llama-3.2-1b:f16", true, "F16", wBytes);
        CsvTable t = EngineBenchTable.newTable();
        DeviceMatch dm = DeviceMatch.of(device, "F16", CAT, null, i -> null);
        EngineBench.Outcome o = new EngineBench.Outcome("decode", Map.of(), tokS, tokS * 0.01, 3, 1, 3, Map.of(), null);
        var row = EngineBenchTable.row("r1", new EngineBenchTable.Point("tornado", device, info, cfg, "decode", 1, 128, 128, 1, o, "pass"), dm.peaks());
        row.put(dev.infercost.results.EngineBenchColumn.DEVICE, dm.device());
        t.addRow(row);
        // prefill at ISL 128: 20 prompts/s = 2560 tok/s, so input tokens are costed too
        EngineBench.Outcome pf = new EngineBench.Outcome("prefill", Map.of(), 20.0, 0.2, 3, 1, 3, Map.of(), null);
        var prow = EngineBenchTable.row("r1", new EngineBenchTable.Point("tornado", device, info, cfg, "prefill", 1, 128, 128, 1, pf, "pass"), dm.peaks());
        prow.put(dev.infercost.results.EngineBenchColumn.DEVICE, dm.device());
        t.addRow(prow);
        RunDirectory dir = RunDirectory.create(parent, "fake-gpu");
        dir.writeCsv(ResultSchemas.ENGINE_BENCH, t);
        return dir.commit();
    }

    @Test
    void aMatchedGpuRowIsLabelledAndPricedAsThatChip(@TempDir Path tmp) {
        double tokS = 150.0;
        Path run = benchFolder(tmp, "tornado 0:0 NVIDIA H200 (PTX, GPU, wg 128)", tokS);
        Map<String, String> r = CsvTable.read(run.resolve(ResultSchemas.ENGINE_BENCH)).getFirst();
        assertEquals("H200 SXM", r.get("device_class"));
        assertEquals(4800.0, Double.parseDouble(r.get("peak_bandwidth [GB/s]")), 1e-9);
        // MBU = bytes per step x steps/s / peak = bytes x 150 / 4.8e12
        double bytes = Double.parseDouble(r.get("bytes_per_step [B]"));
        assertEquals(bytes * tokS / 4.8e12, Double.parseDouble(r.get("mbu")), 1e-6 * bytes * tokS / 4.8e12);

        CostResult c = CostStage.run(RunDirectory.open(run), CostOptions.defaults());
        List<CostRow> measured = c.rows().stream().filter(x -> x.provenance().equals("measured")).toList();
        assertFalse(measured.isEmpty(), "priced: " + c.notes());
        assertTrue(measured.stream().allMatch(x -> x.chip().equals("H200 SXM")), "every measured row is the H200, never cpu-host");
        // catalog cloud_on_demand quotes for H200 SXM: AWS p5en 7.91 $/h (hyperscaler: tier cloud-on-demand), Spheron 4.54 (neocloud)
        CostRow od = measured.stream().filter(x -> x.tier().equals("cloud-on-demand")).findFirst().orElseThrow(() -> new AssertionError(measured.stream().map(CostRow::tier).toList()));
        assertEquals(7.91, od.usdPerHour(), 1e-9);
        // $/M output tokens = 7.91 / (150 x 3600) x 1e6 = 14.648 $
        assertEquals(7.91 / (150.0 * 3600) * 1e6, od.usdPerMOutput(), 1e-9);
        CostRow neo = measured.stream().filter(x -> x.tier().equals("neocloud")).findFirst().orElseThrow();
        assertEquals(4.54, neo.usdPerHour(), 1e-9);
        assertEquals(bytes * tokS / 4.8e12, od.mbu(), 1e-6 * od.mbu());
    }

    @Test
    void anUnknownGpuIsPricedOnlyWithAUserPrice(@TempDir Path tmp) {
        Path run = benchFolder(tmp, "tornado 0:0 NVIDIA GeForce RTX 4090 (PTX, GPU, wg 128)", 120.0);
        Map<String, String> r = CsvTable.read(run.resolve(ResultSchemas.ENGINE_BENCH)).getFirst();
        assertEquals("unknown-gpu", r.get("device_class"));
        assertEquals("", r.get("mbu"), "no peak, no MBU");
        CostResult none = CostStage.run(RunDirectory.open(run), CostOptions.defaults().withProfile("chat"));
        assertTrue(none.rows().stream().noneMatch(x -> x.provenance().equals("measured")), "no catalog price is guessed for an unknown GPU");
        assertTrue(String.join("\n", none.notes()).contains("unknown-gpu"), none.notes().toString());

        Path run2 = benchFolder(tmp.resolve("b"), "tornado 0:0 NVIDIA GeForce RTX 4090 (PTX, GPU, wg 128)", 120.0);
        CostResult priced = CostStage.run(RunDirectory.open(run2), CostOptions.defaults().withUsdPerHour(0.80));
        List<CostRow> measured = java.util.stream.Stream.concat(priced.rows().stream(), priced.uncosted().stream())
                .filter(x -> x.provenance().equals("measured") && x.chip().equals("unknown-gpu")).toList();
        assertFalse(measured.isEmpty(), priced.notes().toString());
        CostRow u = measured.getFirst();
        assertEquals("unknown-gpu", u.chip());
        assertEquals(0.80, u.usdPerHour(), 1e-12);
        assertEquals(0.80 / (120.0 * 3600) * 1e6, u.usdPerMOutput(), 1e-9); // 1.85185 $/M
    }
}
