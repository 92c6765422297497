package dev.infercost.cost;

import dev.infercost.hardware.Catalog;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ServingModelTest {
    final Catalog cat = Catalog.bundled();

    @Test
    void onePointByHand() {
        // Llama-3.1-8B FP8 weights and KV, H100 SXM (3.35 TB/s, 1,978.9 TFLOP/s FP8), TP1, batch 1, ISL 1000 / OSL 1000, eta 0.5
        ModelShape m = ModelShape.of("llama-3.1-8b");
        // matmul params: 32 x (4096^2 x 2 + 4096 x 1024 x 2 + 4096 x 14336 x 3) + 128256 x 4096 (classifier; lookup table not read)
        assertEquals(7_504_658_432.0, m.denseParams(), 0);
        assertEquals(2 * 32 * 1024, m.kvElementsPerToken());
        ServingModel.Setup s = new ServingModel.Setup(m, Precision.FP8, Precision.FP8, 1000, 1000, 0.9);
        ServingModel.Point p = ServingModel.point(cat.find("H100 SXM"), s, 1, 1, 0.5);
        double step = (7_504_658_432.0 + 65_536.0 * 1500) / (0.5 * 3.35e12);                    // memory-bound step [s]
        double pf = 1000 * (2 * 7_504_658_432.0 + 4.0 * 32 * 500 * 4096) / (0.5 * 1978.9e12);      // compute-bound prefill [s]
        double life = 1000 * step + pf;
        assertEquals(1000 / life, p.tokPerSUser(), 1e-9);
        assertEquals(1000 / life, p.tokPerSChip(), 1e-9);
        assertEquals((pf + step) * 1e3, p.ttftMs(), 1e-9);
        assertEquals("memory", p.bound());
    }

    @Test
    void tiedEmbeddingsCountedOnce() {
        ModelShape tied = ModelShape.of("llama-3.2-1b");
        // 16 x (2048^2 x 2 + 2048 x 512 x 2 + 2048 x 8192 x 3) + 128256 x 2048 once (the tied classifier)
        assertEquals(16.0 * (2048L * 2048 * 2 + 2048L * 512 * 2 + 2048L * 8192 * 3) + 128256.0 * 2048, tied.denseParams(), 0);
    }

    @Test
    void moeReadsTheExpertsTheBatchTouches() {
        ModelShape ds = ModelShape.of("deepseek-r1");
        assertEquals(37e9 - 129280.0 * 7168, ds.activeParams(), 1e3);
        assertEquals(8, ds.expertsTouched(1), 1e-9);
        assertTrue(ds.paramsReadPerStep(1) < ds.paramsReadPerStep(64));
        assertEquals(ds.residentParams(), ds.paramsReadPerStep(100_000), ds.residentParams() * 1e-6);   // all 256 touched
    }

    @Test
    void batchLimitedByMemoryAndTpWhenWeightsDoNotFit() {
        ServingModel.Setup s = new ServingModel.Setup(ModelShape.of("llama-3.1-70b"), Precision.FP8, Precision.FP8, 1000, 1000, 0.9);
        // 70.55 GB of weights in 72 GB usable leave 1.45 GB: 4 sequences of 2000 x 163,840 B of KV (327.7 MB each)
        assertEquals(4, ServingModel.maxBatch(cat.find("H100 SXM"), s, 1));
        assertTrue(ServingModel.maxBatch(cat.find("H100 SXM"), s, 2) > 100);
        java.util.List<ServingModel.Point> sweep = ServingModel.sweep(cat.find("H100 SXM"), s, 0.5, new java.util.ArrayList<>());
        assertTrue(sweep.stream().filter(p -> p.tp() == 1).allMatch(p -> p.batch() <= 4));
        assertTrue(sweep.stream().anyMatch(p -> p.tp() == 8));
        assertTrue(sweep.stream().filter(p -> p.tp() >= 2).allMatch(p -> p.commShare() > 0));
    }
}
