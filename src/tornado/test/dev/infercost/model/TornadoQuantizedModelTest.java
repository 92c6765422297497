package dev.infercost.model;

import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TornadoVM's in-kernel F16 and Q8_0 decoding against the JVM engine's own dequantised path, on stories260K
 * written as GGUF F16 and Q8_0 by the test GGUF writer (Q8_0: w2 stays F32 because hidden_dim 172 is not a
 * multiple of 32, so the model also mixes types). Both engines see the same quantised bytes; what can differ is
 * only the dequantisation code and float summation order, so the stated tolerance is the F32 one: logits within
 * 1e-4 relative (max |diff| / max |logit| per row), and identical greedy ids from the device argmax.
 * (In the package of GgufWriter, a test helper of the model loaders; runs only in the Maven profile "tornado".)
 */
class TornadoQuantizedModelTest {
    static final double TOLERANCE = 1e-4;
    @TempDir Path dir;

    @Test
    void f16AgreesWithJvmEngine() throws Exception {
        check(TensorType.F16);
    }

    @Test
    void q8AgreesWithJvmEngine() throws Exception {
        check(TensorType.Q8_0);
    }

    /**
     * The same checks with work-groups of 16 for every weight type. CPU devices default to wg=1, where the
     * work-group tree reductions do nothing; GPUs run 32-256. (Three kernel shapes passed at wg=1 and failed here:
     * a local array passed to a helper, a separate batch-1 reduction before the batched loop, and, in Q8_0's qkvRope,
     * product branches not closed by a barrier.)
     */
    @Test
    void workGroupsOfSixteenAgreeWithJvmEngine() throws Exception {
        for (TensorType t : new TensorType[]{TensorType.F32, TensorType.F16, TensorType.Q8_0}) check(t, Map.of("wg", "16"));
    }

    void check(TensorType type) throws Exception {
        check(type, Map.of());
    }

    void check(TensorType type, Map<String, String> extra) throws Exception {
        LlamaModel f32 = TestModels.stories260K();
        Path p = dir.resolve("s260k-" + type + extra.hashCode() + ".gguf");
        GgufWriter.of(f32, type).write(p);
        LlamaModel m = Models.load(p.toString(), null);
        assertEquals(type, m.weights().wq()[0].type());
        int vocab = m.config().vocabSize();
        String device = System.getProperty("infercost.tornado.device", "0:0");
        try (Engine t = Engines.require("tornado").open(m, new EngineOptions(0, device, extra));
             Engine j = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()));
             DecodeSession st = t.newSession(2, 64); DecodeSession sj = j.newSession(2, 64)) {
            if (extra.containsKey("wg")) assertTrue(t.device().contains("wg " + extra.get("wg")), t.device());
            int[][] prompts = {{1, 403, 407, 261, 378}, {1, 300, 301}};
            int[] slots = {1, 0}, tokens = new int[2], pos = new int[2], next = new int[2];
            float[] lt = new float[2 * vocab], lj = new float[2 * vocab];
            for (int i = 0; i < 2; i++) {
                st.prefill(slots[i], prompts[i], 0, lt);
                sj.prefill(slots[i], prompts[i], 0, lj);
                assertClose(lt, lj, 0, vocab, type + " prefill " + i);
                tokens[i] = argmax(lj, 0, vocab);
                pos[i] = prompts[i].length;
            }
            for (int s = 0; s < 12; s++) {
                st.decode(2, slots, tokens, pos, lt);
                sj.decode(2, slots, tokens, pos, lj);
                for (int i = 0; i < 2; i++) {
                    assertClose(lt, lj, i * vocab, vocab, type + " step " + s + " row " + i);
                    tokens[i] = argmax(lj, i * vocab, vocab);
                    pos[i]++;
                }
            }
            for (int s = 0; s < 8; s++) {
                st.decodeGreedy(2, slots, tokens, pos, next, lt);
                sj.decode(2, slots, tokens, pos, lj);
                for (int i = 0; i < 2; i++) {
                    assertEquals(argmax(lj, i * vocab, vocab), next[i], type + " device argmax step " + s + " row " + i);
                    tokens[i] = next[i];
                    pos[i]++;
                }
            }
            // one row per step (batch-1 decode): the products' single-row path
            for (int s = 0; s < 6; s++) {
                st.decode(1, slots, tokens, pos, lt);
                sj.decode(1, slots, tokens, pos, lj);
                assertClose(lt, lj, 0, vocab, type + " batch-1 step " + s);
                tokens[0] = argmax(lj, 0, vocab);
                pos[0]++;
            }
        }
    }

    static void assertClose(float[] a, float[] b, int off, int len, String what) {
        double num = 0, den = 0;
        for (int i = off; i < off + len; i++) {
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        assertTrue(num / den < TOLERANCE, what + ": relative logit error " + num / den);
    }

    static int argmax(float[] x, int off, int len) {
        int best = 0;
        for (int v = 1; v < len; v++) if (x[off + v] > x[off + best]) best = v;
        return best;
    }
}
