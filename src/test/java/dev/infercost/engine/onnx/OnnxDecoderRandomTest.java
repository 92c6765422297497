package dev.infercost.engine.onnx;

import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Exported graphs (both variants) against the scalar llama2.c-style reference, on a small random GQA model. */
class OnnxDecoderRandomTest {
    static final LlamaConfig C = new LlamaConfig(32, 48, 2, 4, 2, 40, 64, 10000f, 1e-5f, false);

    @ParameterizedTest
    @EnumSource(OnnxExporter.Variant.class)
    void prefillThenBatchedDecodeAtDifferentPositionsMatchesReference(OnnxExporter.Variant variant) {
        LlamaModel m = RefLlama.random(C, 7, "rand");
        int[][] prompts = {{1, 5, 9, 3}, {1, 7}, {1, 2, 3, 4, 5, 6, 7}};
        RefLlama.Forward[] ref = new RefLlama.Forward[prompts.length];
        float[][] refLogits = new float[prompts.length][];
        for (int s = 0; s < prompts.length; s++) {
            ref[s] = new RefLlama.Forward(m);
            for (int p = 0; p < prompts[s].length; p++) refLogits[s] = ref[s].forward(prompts[s][p], p);
        }
        try (OnnxEngine e = OnnxEngine.open(m, new EngineOptions(1, null, Map.of("variant", variant.name())));
             DecodeSession ds = e.newSession(3, 32)) {
            int V = C.vocabSize();
            float[] lg = new float[3 * V];
            int[] tok = new int[3], pos = new int[3], slots = {0, 1, 2};
            for (int s = 0; s < prompts.length; s++) {
                ds.prefill(s, prompts[s], 0, lg);
                assertTrue(RefLlama.maxAbsDiff(lg, 0, refLogits[s], 0, V) < 1e-4, "prefill logits slot " + s);
                tok[s] = RefLlama.argmax(lg, 0, V);
                pos[s] = prompts[s].length;
            }
            for (int step = 0; step < 8; step++) {
                // step 3 decodes only slots 2 and 0 (a subset, other order); step 5 repeats step 4's positions
                // (rewrites the last KV entry with other tokens)
                int n = step == 3 ? 2 : 3;
                int[] sl = step == 3 ? new int[]{2, 0} : slots;
                if (step == 5) for (int i = 0; i < 3; i++) { pos[i]--; tok[i] = (tok[i] + 1) % C.vocabSize(); }
                int[] tk = new int[n], ps = new int[n];
                for (int i = 0; i < n; i++) { tk[i] = tok[sl[i]]; ps[i] = pos[sl[i]]; }
                ds.decode(n, sl, tk, ps, lg);
                for (int i = 0; i < n; i++) {
                    float[] r = ref[sl[i]].forward(tk[i], ps[i]);
                    double d = RefLlama.maxAbsDiff(lg, i * V, r, 0, V);
                    assertTrue(d < 1e-4, variant + " step " + step + " slot " + sl[i] + " max |diff| " + d);
                    tok[sl[i]] = RefLlama.argmax(lg, i * V, V);
                    pos[sl[i]]++;
                }
            }
        }
    }
}
