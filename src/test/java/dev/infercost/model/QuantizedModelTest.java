package dev.infercost.model;

import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.Engines;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stories260K quantised to F16 and Q8_0 (by the test GGUF writer, ggml's reference quantiser), loaded back:
 * dequantised values within the format's rounding error of the F32 original, and greedy generation close.
 */
class QuantizedModelTest {
    @TempDir Path dir;

    LlamaModel quantised(LlamaModel f32, TensorType t) throws Exception {
        Path p = dir.resolve("s260k-" + t + ".gguf");
        GgufWriter.of(f32, t).write(p);
        return Models.load(p.toString(), null);
    }

    @Test
    void f16ValuesWithinHalfPrecisionRounding() throws Exception {
        LlamaModel f32 = TestModels.stories260K();
        LlamaModel f16 = quantised(f32, TensorType.F16);
        assertEquals("F16", f16.info().dtype(), "dtype names the matrices' type (norms stay F32)");
        assertEquals(TensorType.F16, f16.weights().wq()[0].type());
        for (int l = 0; l < f32.config().nLayers(); l++) {
            float[] a = f32.weights().w2()[l].toFloatArray(), b = f16.weights().w2()[l].toFloatArray();
            for (int i = 0; i < a.length; i++)
                // binary16: 11 significant bits -> relative rounding error <= 2^-11 (normal range); subnormals 2^-25
                assertTrue(Math.abs(a[i] - b[i]) <= Math.abs(a[i]) * 0x1p-11f + 0x1p-25f, "w2[" + l + "][" + i + "] " + a[i] + " vs " + b[i]);
        }
    }

    @Test
    void q8ValuesWithinHalfAQuantisationStep() throws Exception {
        LlamaModel f32 = TestModels.stories260K();
        LlamaModel q8 = quantised(f32, TensorType.Q8_0);
        assertEquals(TensorType.Q8_0, q8.weights().wq()[0].type());
        assertEquals(TensorType.F32, q8.weights().w2()[0].type(), "hidden_dim 172 is not a multiple of 32: w2 stays F32");
        float[] a = f32.weights().wq()[2].toFloatArray(), b = q8.weights().wq()[2].toFloatArray();
        for (int blk = 0; blk < a.length / 32; blk++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(a[blk * 32 + i]));
            float step = amax / 127f;
            for (int i = 0; i < 32; i++) {
                int k = blk * 32 + i;
                // half a step of rounding plus the fp16 rounding of the scale (<= 2^-11 relative, times |q| <= 127)
                assertTrue(Math.abs(a[k] - b[k]) <= step * 0.5f + step * 127 * 0x1p-11f + 1e-7f, "wq[" + k + "] " + a[k] + " vs " + b[k]);
            }
        }
    }

    @Test
    void quantisedModelsGenerateCloseToF32() throws Exception {
        LlamaModel f32 = TestModels.stories260K();
        int[] f32Toks = greedy(f32, 60);
        int same16 = prefixMatch(f32Toks, greedy(quantised(f32, TensorType.F16), 60));
        int same8 = prefixMatch(f32Toks, greedy(quantised(f32, TensorType.Q8_0), 60));
        // measured here: both follow the F32 greedy path for all 60 steps; bounds leave room for near-ties
        assertTrue(same16 >= 50, "F16 greedy tokens agree with F32 for only " + same16 + " steps");
        assertTrue(same8 >= 40, "Q8_0 greedy tokens agree with F32 for only " + same8 + " steps");
    }

    static int prefixMatch(int[] a, int[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) i++;
        return i;
    }

    static int[] greedy(LlamaModel m, int steps) {
        int[] prompt = m.tokenizer().encode("Once upon a time", true, false);
        int V = m.config().vocabSize();
        int[] out = new int[steps];
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()));
             DecodeSession s = e.newSession(1, prompt.length + steps)) {
            float[] logits = new float[V];
            s.prefill(0, prompt, 0, logits);
            for (int i = 0; i < steps; i++) {
                out[i] = Sampler.argmax(logits, 0, V);
                s.decode(1, new int[]{0}, new int[]{out[i]}, new int[]{prompt.length + i}, logits);
            }
        }
        return out;
    }
}
