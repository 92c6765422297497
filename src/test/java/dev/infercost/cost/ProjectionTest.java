package dev.infercost.cost;

import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.CatalogValue;

import dev.infercost.BadInputException;
import dev.infercost.model.PresetShapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ProjectionTest {

    @Test
    void decodeProjectionByHand() {
        // Llama-3.1-8B in bf16 on H100 SXM (3.35 TB/s), batch 32, measured MBU 0.15, chat profile 1000/500.
        // params 8,030,261,248 -> weights 16,060,522,496 B; KV/position = 2 x 32 layers x 1024 x 2 B = 131,072 B;
        // decode context 1000 + 500/2 = 1250 -> bytes/step = 16,060,522,496 + 32 x 1250 x 131,072 = 21,303,402,496 B.
        double handBytes = 16_060_522_496.0 + 32.0 * 1250 * 131_072;
        double hand = 32 * 0.15 * 3.35e12 / handBytes;
        assertEquals(754.81, hand, 0.01);
        Accelerator h100 = Catalog.bundled().find("H100 SXM");
        Projection.Result r = Projection.project(h100, PresetShapes.config("llama-3.1-8b"), "bf16", 32, 0.15, 0.28, 1000, 500, 0.9);
        assertTrue(r.feasible());
        assertEquals("memory", r.decodeBound());
        assertEquals(hand, r.decodeTokPerS(), 1e-9);
        // prefill: 0.28 x 989.4e12 / FLOPs per token at mean context 500:
        // 2 x 7,504,658,432 matmul params + 4 x 32 x 500 x 4096 = 15,271,460,864 FLOP
        assertEquals(0.28 * 989.4e12 / 15_271_460_864.0, r.prefillTokPerS(), 1e-6);
        assertEquals(Projection.decodeTokPerS(32, 0.15, 3.35e12, handBytes), r.decodeTokPerS(), 1e-9);
    }

    @Test
    void fp8ProjectionUsesFp8PeakAndOneBytePerElement() {
        Accelerator h100 = Catalog.bundled().find("H100 SXM");
        Projection.Result r = Projection.project(h100, PresetShapes.config("llama-3.1-8b"), "fp8", 32, 0.15, 0.28, 1000, 500, 0.9);
        double bytes = 8_030_261_248.0 + 32.0 * 1250 * 65_536; // 1 B weights, KV 2 x 32 x 1024 x 1 B per position
        assertEquals(32 * 0.15 * 3.35e12 / bytes, r.decodeTokPerS(), 1e-9);
        assertEquals(0.28 * 1978.9e12 / 15_271_460_864.0, r.prefillTokPerS(), 1e-6);
    }

    @Test
    void measuredShapeFromPresetOrLlama2cHeader() {
        assertEquals(PresetShapes.config("stories110M"), CostStage.Builder.shapeOf("preset:stories110M"));
        String shared = System.getProperty("infercost.shared");
        org.junit.jupiter.api.Assumptions.assumeTrue(shared != null && Files.isRegularFile(Path.of(shared, "models/stories260K.bin")), "shared/models/stories260K.bin not present");
        var c = CostStage.Builder.shapeOf(Path.of(shared, "models/stories260K.bin").toString());
        assertNotNull(c);
        assertEquals(64, c.dim()); assertEquals(5, c.nLayers()); assertEquals(8, c.nHeads()); assertEquals(4, c.nKvHeads());
        assertEquals(512, c.vocabSize()); assertEquals(512, c.seqLen());
    }

    @Test
    void memoryCapacityLimitsTheBatch() {
        Accelerator v5e = Catalog.bundled().find("TPU v5e");
        Projection.Result r = Projection.project(v5e, PresetShapes.config("llama-3.1-8b"), "bf16", 1, 0.5, 0.3, 1000, 500, 0.9);
        assertFalse(r.feasible());
        assertTrue(Double.isNaN(r.decodeTokPerS()));
        assertTrue(r.assumptions().stream().anyMatch(a -> a.startsWith("does not fit")), r.assumptions().toString());
    }

    @Test
    void missingFigureNamesFieldAndRow(@TempDir Path tmp) throws Exception {
        // An empty BF16 cell (as Maia 200's in the published table) is named with its file and row.
        Path g = tmp.resolve("empty.csv");
        Files.writeString(g, "accelerator,vendor,metric,provider,value,unit\nOddChip,Acme,memory_bandwidth,,4,TB/s\nOddChip,Acme,bf16_dense,,,TFLOP/s\n");
        Catalog c = Catalog.load(g);
        BadInputException e = assertThrows(BadInputException.class, () -> c.find("OddChip").peakFlops("bf16"));
        assertTrue(e.getMessage().contains("OddChip") && e.getMessage().contains("bf16_dense") && e.getMessage().contains("empty.csv:"), e.getMessage());
        // a user chip without bandwidth cannot be projected
        Path f = tmp.resolve("mine.csv");
        Files.writeString(f, "accelerator,vendor,metric,provider,value,unit\nNewChip,Acme,hbm_capacity,,64,GB\n");
        Catalog u = Catalog.load(f);
        e = assertThrows(BadInputException.class, () -> Projection.project(u.find("NewChip"), PresetShapes.config("llama-3.1-8b"), "bf16", 1, 0.5, 0.3, 1000, 500, 0.9));
        assertTrue(e.getMessage().contains("NewChip") && e.getMessage().contains("memory_bandwidth"), e.getMessage());
        assertThrows(BadInputException.class, () -> Projection.decodeTokPerS(8, 1.5, 1e12, 1e9));
    }

    @Test
    void projectedPrefillOmittedNotInventedWhenPeakMissing(@TempDir Path tmp) throws Exception {
        Path g = tmp.resolve("empty.csv");
        Files.writeString(g, "accelerator,vendor,metric,provider,value,unit\nOddChip,Acme,memory_bandwidth,,4,TB/s\nOddChip,Acme,hbm_capacity,,96,GB\nOddChip,Acme,bf16_dense,,,TFLOP/s\n");
        Accelerator odd = Catalog.load(g).find("OddChip");
        Projection.Result r = Projection.project(odd, PresetShapes.config("llama-3.1-8b"), "bf16", 8, 0.2, 0.3, 1000, 500, 0.9);
        assertTrue(r.feasible());
        assertTrue(Double.isNaN(r.prefillTokPerS()));
        assertTrue(r.assumptions().stream().anyMatch(a -> a.startsWith("prefill not projected") && a.contains("bf16_dense")), r.assumptions().toString());
    }

    @Test
    void maia200GapsAreFilledOnlyByLabelledAssumptions() {
        Accelerator maia = Catalog.bundled().find("Maia 200");
        CatalogValue bf16 = maia.get("bf16_dense");
        assertEquals(2536, bf16.value(), 0);           // = published FP8 5,072 / 2
        assertEquals("assumed", bf16.provenance());
        CatalogValue price = maia.get("unit_price");
        assertEquals(35000, price.value(), 0);
        assertEquals("assumed", price.provenance());
    }
}
