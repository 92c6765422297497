package dev.infercost.engine;

import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AccuracyGateTest {
    static LlamaModel stories260K() {
        String s = System.getProperty("infercost.shared");
        Assumptions.assumeTrue(s != null && Files.isRegularFile(Path.of(s, "models", "stories260K.bin")), "needs ../shared/models/stories260K.bin");
        return Models.load(Path.of(s, "models", "stories260K.bin").toString(), Path.of(s, "models", "tok512.bin"));
    }

    @Test
    void verdictPassesForOnnxAndJvmOnStories260K() {
        LlamaModel m = stories260K();
        AccuracyGate.Verdict v = AccuracyGate.verdict(m, "onnx");
        assertEquals("pass", v.status(), v.detail());
        assertTrue(v.detail().startsWith("vs jvm"), v.detail());
        AccuracyGate.Verdict j = AccuracyGate.verdict(m, "jvm");
        assertEquals("pass", j.status(), j.detail());
        assertTrue(j.detail().startsWith("vs onnx"), j.detail());
        assertSame(v, AccuracyGate.verdict(m, "onnx"), "cached");
    }

    @Test
    void verdictIsNotCheckedForUnknownBackendAndLargeModels() {
        LlamaModel m = stories260K();
        assertEquals("not-checked", AccuracyGate.verdict(m, "no-such-backend").status());
        // shapes only: the gate decides from the parameter count before touching weights
        LlamaModel big = new LlamaModel(new dev.infercost.model.ModelInfo("llama-3.1-8b", "preset", "preset:llama-3.1-8b", true, "Q8_0", 0),
                dev.infercost.model.PresetShapes.config("llama-3.1-8b"), null, null);
        AccuracyGate.Verdict v = AccuracyGate.verdict(big, "onnx");
        assertEquals("not-checked", v.status());
        assertTrue(v.detail().contains("infercost verify"), v.detail());
    }

    /** The gate can fail: the same prompts on two engines holding different weights. */
    @Test
    void differentWeightsFail() {
        LlamaModel m = stories260K();
        // a copy of stories260K whose final norm weight is scaled by 1.01: logits move, the gate must see it
        dev.infercost.model.LlamaWeights w = m.weights();
        float[] scaled = w.rmsFinal().toFloatArray();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= 1.01f;
        dev.infercost.model.Tensor t = new dev.infercost.model.Tensor() {
            final java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(scaled);
            public dev.infercost.model.TensorType type() { return dev.infercost.model.TensorType.F32; }
            public int rows() { return 1; }
            public int cols() { return scaled.length; }
            public float get(long i) { return scaled[(int) i]; }
            public void dequantizeRow(int row, float[] dst, int off) { System.arraycopy(scaled, 0, dst, off, scaled.length); }
            public java.lang.foreign.MemorySegment data() { return seg; }
        };
        LlamaModel changed = new LlamaModel(m.info(), m.config(), new dev.infercost.model.LlamaWeights(w.tokenEmbedding(), w.rmsAtt(), w.wq(), w.wk(), w.wv(), w.wo(),
                w.rmsFfn(), w.w1(), w.w2(), w.w3(), t, w.classifier()), m.tokenizer());
        try (Engine a = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()));
             Engine b = Engines.require("onnx").open(changed, new EngineOptions(1, null, Map.of()))) {
            AccuracyGate.Comparison c = AccuracyGate.compare(m, a, b, AccuracyGate.prompts(m, 2), 8, 1e-3);
            assertEquals("fail", c.verdict(), c.toString());
            assertTrue(c.maxAbsDiff() > 1e-3);
            assertTrue(c.detail().contains("> atol"), c.detail());
        }
    }
}
