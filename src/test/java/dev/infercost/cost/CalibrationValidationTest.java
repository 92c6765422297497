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
        // InferenceX's B200 FP8 point at 76 tok/s/user is published as input+output tok/s per GPU (InferenceX
        // utils/process_result.py: tput_per_gpu = total_token_throughput / tp; issue SemiAnalysisAI/InferenceX#293):
        // 4,431 x 1000 / (1000 + 1000) = 2,215.5 output tok/s per GPU is what is compared
        Calibrator.Validation ix = vs.stream().filter(v -> v.point().id().equals("ix-b200-70b-fp8")).findFirst().orElseThrow();
        assertTrue(ix.point().countsTotalTokens());
        assertEquals(4431, ix.point().publishedValue());
        assertEquals(2215.5, ix.point().perChip(), 1e-9);
        assertEquals(vs.size(), vs.stream().filter(Calibrator.Validation::withinBand).count(), Calibrator.render(vs));
    }

    @Test
    void theSplitAloneDoesNotRescueTheInferenceXPointReadAsOutputTokens() {
        // stated honestly: had the InferenceX figure counted output tokens only (4,431), the two-fraction fit (Blackwell
        // rows without it are TensorRT-LLM FP4 max-throughput rows) would still project it below 0.67x: the change that
        // brings it into the band is the sourced token count, not the split
        Calibration.Point p = c.calibration().points().stream().filter(x -> x.id().equals("ix-b200-70b-fp8")).findFirst().orElseThrow();
        Calibration.Point asOutput = new Calibration.Point(p.id(), p.chip(), p.stack(), p.model(), p.weights(), p.kv(), p.tp(), p.isl(), p.osl(),
                p.operatingPoint(), p.publishedValue(), "output tok/s per GPU", p.chipsInFigure(), p.sourceUrl(), p.sourceDate(), p.confidence(), p.notes());
        assertEquals(4431, asOutput.perChip());
        Calibrator.Efficiency e = c.estimate(p.chip(), p.stack(), false, p.id());
        assertFalse(e.ids().contains(p.id()));
        double ratio = c.project(asOutput, e.mid()) / asOutput.perChip();
        assertTrue(ratio < 0.67, "ratio " + ratio);
    }

    @Test
    void bandwidthAndComputeFractionsAreFittedJointly() {
        // Hopper dense rows (TensorRT-LLM, FP8): decode mostly bandwidth-bound, prefill FLOP-bound; the two fractions
        // come out apart, and the joint fit's squared log error over the pool is no larger than that of one shared
        // figure (the pool's geometric mean of single-figure fits); grid tolerance 1e-3
        Calibrator.Efficiency h = c.estimate("H200 SXM", "TensorRT-LLM", false, null);
        assertTrue(h.split().bw() > h.split().flop() + 0.05, h.describe());
        List<Calibration.Point> pool = c.calibration().points().stream().filter(x -> h.ids().contains(x.id())).toList();
        double split = 0, one = 0;
        for (Calibration.Point p : pool) {
            split += Math.pow(Math.log(c.project(p, h.mid()) / p.perChip()), 2);
            one += Math.pow(Math.log(c.project(p, h.eta()) / p.perChip()), 2);
        }
        assertTrue(split <= one + 1e-3, split + " vs " + one);
        // the band scales both fractions: low < mid < high
        assertTrue(h.lowEff().bw() < h.mid().bw() && h.mid().bw() < h.highEff().bw());
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
