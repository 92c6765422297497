package dev.infercost.cost;

import dev.infercost.hardware.Calibration;
import dev.infercost.hardware.Catalog;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The validation table: every published point of reference/calibration.csv (TensorRT-LLM perf overview, AMD ROCm
 * performance results, InferenceX; source URL and date in each row) projected with an efficiency fitted WITHOUT that
 * point (leave-one-out), so the check cannot pass by construction.
 */
class CalibrationValidationTest {
    final Calibrator c = new Calibrator(Catalog.bundled(), Calibration.bundled());

    @Test
    void publishedPointsAreProjectedWithinTheBandLeaveOneOut() {
        List<Calibrator.Validation> vs = c.validate();
        assertTrue(vs.size() >= 8);
        for (Calibrator.Validation v : vs) {
            assertFalse(v.efficiency().ids().contains(v.point().id()), "leave-one-out: " + v.point().id());
            assertFalse(v.point().sourceUrl().isEmpty() || v.point().sourceDate().isEmpty(), v.point().id());
        }
        // the coverage the issue asks for: dense 8B and 70B-class on H100/H200/B200/MI300X-class, at least one MoE point
        assertIn(vs, "trt-h100-8b"); assertIn(vs, "trt-h200-8b"); assertIn(vs, "trt-h200-70b"); assertIn(vs, "trt-h100-70b");
        assertIn(vs, "trt-b200-70b-fp4"); assertIn(vs, "rocm-mi300x-70b"); assertIn(vs, "trt-h200-qwen3"); assertIn(vs, "trt-h100-qwen3");
        // stated honestly: InferenceX's B200 FP8 point at 76 tok/s/user (another stack, FP8, interactivity-bound) is
        // projected at 0.55x from the TensorRT-LLM FP4 Blackwell rows: it misses the band
        Calibrator.Validation ix = vs.stream().filter(v -> v.point().id().equals("ix-b200-70b-fp8")).findFirst().orElseThrow();
        assertFalse(ix.withinBand());
        assertEquals(0.55, ix.ratio(), 0.05);
        assertEquals(vs.size() - 1, vs.stream().filter(Calibrator.Validation::withinBand).count(), Calibrator.render(vs));
    }

    static void assertIn(List<Calibrator.Validation> vs, String id) {
        Calibrator.Validation v = vs.stream().filter(x -> x.point().id().equals(id)).findFirst().orElseThrow();
        assertTrue(v.withinBand(), id + " ratio " + v.ratio());
    }

    @Test
    void fittedEfficiencyReproducesThePublishedFigure() {
        // H200 Llama-3.3-70B FP8 TP1 1000/1000: 2,909 output tok/s (TensorRT-LLM perf overview)
        Calibration.Point p = c.calibration().points().stream().filter(x -> x.id().equals("trt-h200-70b")).findFirst().orElseThrow();
        double eta = c.fit(p);
        assertTrue(eta > 0.3 && eta < 0.9, "eta " + eta);
        assertEquals(2909, c.project(p, eta), 2909 * 1e-6);
    }

    @Test
    void chipsWithoutRowsBorrowAndSaySo() {
        Calibrator.Efficiency e = c.estimate("TPU7x (Ironwood)", null, false, null);
        assertTrue(e.borrowed() && e.basis().startsWith("ASSUMED: borrowed from nvidia-blackwell"), e.basis());
        assertTrue(e.low() < e.eta() && e.eta() < e.high());
        Calibrator.Efficiency h = c.estimate("H200 SXM", null, false, null);
        assertFalse(h.borrowed());
    }

    @Test
    void hyperscaleOwnerTcoAgainstInferenceX() {
        Catalog cat = Catalog.bundled();
        // MI300X and GB200 within 10%; H100/H200/B200/MI355X differ by the unit-price term, named in the table
        assertEquals(1.12, HyperscaleTco.of(cat.find("MI300X"), cat).usdPerHour(), 0.112);
        assertEquals(2.21, HyperscaleTco.of(cat.find("GB200"), cat).usdPerHour(), 0.221);
        HyperscaleTco h = HyperscaleTco.of(cat.find("H100 SXM"), cat);
        // hand check of H100: IT capex (27,500 + 32,000/8) / (1 - 0.19) = 38,888.9; annuity 10%, 6 y = 38,888.9 x 0.229607 = 8,929.2/y
        assertEquals(38888.888888, h.itCapex(), 1e-3);
        assertEquals(38888.888888 * 0.1 / (1 - Math.pow(1.1, -6)) / 8760, h.capexPerHour(), 1e-9);
        assertEquals(1.73 * 0.0806, h.powerPerHour(), 1e-12);
        String t = HyperscaleTco.render(cat);
        assertTrue(t.contains("unit price term: InferenceX implies"), t);
    }
}
