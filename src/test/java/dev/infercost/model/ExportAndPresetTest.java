package dev.infercost.model;

import dev.infercost.BadInputException;
import dev.infercost.cli.Main;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** llama2.c export round trip and preset models (shapes, determinism, value scale, dtypes). */
class ExportAndPresetTest {
    @TempDir Path dir;

    static float[] logits(LlamaModel m, int[] toks) {
        float[] out = new float[m.config().vocabSize()];
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()));
             DecodeSession s = e.newSession(1, toks.length)) {
            for (int p = 0; p < toks.length; p++) s.decode(1, new int[]{0}, new int[]{toks[p]}, new int[]{p}, out);
        }
        return out;
    }

    @Test
    void exportRoundTripOfRealModelIsByteIdentical() throws Exception {
        Path src = TestModels.file("stories260K.bin");
        LlamaModel m = TestModels.stories260K();
        Path out = dir.resolve("copy.bin");
        Llama2cFormat.write(m, out);
        byte[] a = Files.readAllBytes(src), b = Files.readAllBytes(out);
        assertEquals(a.length, b.length);
        // header and weights identical; the legacy freq_cis tables are recomputed (run.c ignores them)
        long weightsEnd = 28 + 4L * m.config().parameterCount();
        for (int i = 0; i < weightsEnd; i++) if (a[i] != b[i]) throw new AssertionError("byte " + i + " differs");
        BadInputException again = assertThrows(BadInputException.class, () -> Llama2cFormat.write(m, out));
        assertTrue(again.getMessage().contains("never overwrites"), again.getMessage());
    }

    @Test
    void exportRoundTripOfPresetGivesIdenticalLogits() throws Exception {
        Path out = dir.resolve("s15.bin"), tok = dir.resolve("s15.tok");
        int rc = Main.execute("export", "--preset", "stories15M:f16", "--out", out.toString(), "--tokenizer-out", tok.toString());
        assertEquals(0, rc);
        LlamaModel preset = Models.load("stories15M:f16", null);
        LlamaModel back = Models.load(out.toString(), tok);
        assertEquals(preset.config(), back.config());
        assertEquals(Llama2cFormat.expectedBytes(preset.config()), Files.size(out));
        int[] toks = {1, 500, 9000, 31999, 42};
        assertArrayEquals(logits(preset, toks), logits(back, toks), 1e-6f);
        assertEquals(2, Main.execute("export", "--preset", "stories15M", "--out", out.toString()), "never overwrites");
    }

    @Test
    void presetsAreDeterministicAndScaled() {
        LlamaModel a = Models.load("preset:stories15M", null), b = Models.load("STORIES15M", null);
        assertTrue(a.info().syntheticWeights());
        assertEquals("synthetic", a.info().weightsLabel());
        assertEquals("F32", a.info().dtype());
        assertEquals(PresetShapes.config("stories15M"), a.config());
        float[] x = a.weights().w1()[3].toFloatArray(), y = b.weights().w1()[3].toFloatArray();
        assertArrayEquals(x, y);
        double sum = 0, sq = 0;
        for (float v : x) { sum += v; sq += v * v; }
        double mean = sum / x.length, std = Math.sqrt(sq / x.length - mean * mean);
        assertEquals(0.02, std, 0.0005);
        assertEquals(0.0, mean, 0.0005);
        assertEquals(1.0f, a.weights().rmsAtt()[0].get(5));
        assertNotEquals(a.weights().wq()[0].get(0), a.weights().wq()[1].get(0), "layers get different seeds");
        assertEquals(32000, a.tokenizer().vocabSize());

        LlamaModel q = Models.load("stories15M:q8_0", null);
        assertEquals(TensorType.Q8_0, q.weights().wq()[0].type());
        assertEquals("Q8_0", q.info().dtype());
        float[] qv = q.weights().w2()[0].toFloatArray();
        double qsq = 0;
        for (float v : qv) qsq += v * v;
        assertEquals(0.02, Math.sqrt(qsq / qv.length), 0.001);
        assertEquals(TensorType.F16, Models.load("preset:stories15M:f16", null).weights().wq()[0].type());
        assertEquals(TensorType.Q8_0, SyntheticModels.defaultType("llama-3.2-1b"));
        assertThrows(BadInputException.class, () -> Models.load("stories15M:q4_k", null));
        assertTrue(a.tokenizer().piece(400).length() > 0);
    }

    @Test
    void presetWithARealTokenizerOfTheSameSize() {
        LlamaModel m = Models.load("stories15M", TestModels.file("tokenizer.bin"));
        assertEquals(" Hello", m.tokenizer().piece(15043));
        assertTrue(m.info().syntheticWeights());
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load("stories15M", TestModels.file("tok512.bin")));
        assertTrue(e.getMessage().contains("vocab_size=32000") && e.getMessage().contains("512 entries"), e.getMessage());
    }
}
