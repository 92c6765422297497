package dev.infercost.model;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * GGUF export round trip: stories260K (llama2.c .bin) written by {@link GgufExporter}, read back by {@link GgufLoader}.
 * The CLI's export of the same model was checked by hand against a llama.cpp build (not run here):
 * <pre>
 * infercost export --model stories260K.bin --tokenizer tok512.bin --format gguf [--dtype f16] --out s260k.gguf
 * llama-tokenize -m s260k.gguf -p "Once upon a time" --ids     -&gt; [1, 403, 407, 261, 378]
 * llama-simple -m s260k.gguf -n 40 "Once upon a time"          -&gt; "Once upon a time, there was a little girl named
 *     Lily. She loved to play outside in the park. One day, she saw a big, red ball." (F32 and F16 alike, the same
 *     text as llama.cpp's converter's stories260K.gguf and run.c's goldens/stories260K_p1.txt)
 * </pre>
 */
class GgufExporterTest {
    @TempDir Path tmp;

    /** Greedy token ids after {@code prompt}, {@code steps} of them (prefill, then one decode step per token). */
    static int[] greedy(LlamaModel m, int[] prompt, int steps) {
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()));
             DecodeSession s = e.newSession(1, m.config().seqLen())) {
            float[] logits = new float[m.config().vocabSize()];
            s.prefill(0, prompt, 0, logits);
            int[] out = new int[steps];
            int tok = argmax(logits);
            int[] slot = {0}, t = new int[1], pos = new int[1], next = new int[1];
            for (int i = 0; i < steps; i++) {
                out[i] = tok;
                t[0] = tok;
                pos[0] = prompt.length + i;
                s.decodeGreedy(1, slot, t, pos, next, logits);
                tok = next[0];
            }
            return out;
        }
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    @Test
    void f32ExportLoadsBackWithIdenticalWeightsTokenizerAndGreedyTokens() {
        LlamaModel src = TestModels.stories260K();
        Path out = tmp.resolve("stories260K.gguf");
        GgufExporter.Result r = GgufExporter.write(src, out, GgufExporter.WeightType.F32);
        assertEquals(out, r.file());
        // shared classifier: no output.weight; 2 + 9 per layer tensors
        assertEquals(2 + 9 * 5, r.tensors());
        LlamaModel back = Models.load(out.toString(), null);
        assertEquals(src.config(), back.config());
        assertEquals("F32", back.info().dtype());
        for (int l = 0; l < 5; l++)
            assertArrayEquals(src.weights().wq()[l].toFloatArray(), back.weights().wq()[l].toFloatArray(), "blk." + l + ".attn_q");
        assertArrayEquals(src.weights().classifier().toFloatArray(), back.weights().classifier().toFloatArray());
        int[] prompt = src.tokenizer().encode("Once upon a time", true, false);
        // run.c's encode() ids for this prompt (goldens/stories260K_p1.tokens.txt)
        assertArrayEquals(new int[]{1, 403, 407, 261, 378}, prompt);
        assertArrayEquals(prompt, back.tokenizer().encode("Once upon a time", true, false));
        int[] a = greedy(src, prompt, 100), b = greedy(back, prompt, 100);
        assertArrayEquals(a, b, "greedy tokens of the export equal the source model's");
        // and they decode to run.c's greedy text (goldens/stories260K_p1.txt: the prompt, then 251 greedy tokens)
        StringBuilder text = new StringBuilder("Once upon a time");
        int prev = prompt[prompt.length - 1];
        for (int t : b) {
            text.append(new String(back.tokenizer().decodePiece(prev, t), java.nio.charset.StandardCharsets.UTF_8));
            prev = t;
        }
        String golden;
        try (var in = GgufExporterTest.class.getResourceAsStream("/goldens/stories260K_p1.txt")) {
            golden = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        assertTrue(text.length() > 200, text.toString());
        assertTrue(golden.startsWith(text.toString()), "run.c's greedy text starts with the export's 100 tokens:\n" + text);
    }

    @Test
    void f16ExportRoundsEachWeightToHalfPrecision() {
        LlamaModel src = TestModels.stories260K();
        Path out = tmp.resolve("stories260K-f16.gguf");
        GgufExporter.write(src, out, GgufExporter.WeightType.F16);
        LlamaModel back = Models.load(out.toString(), null);
        assertEquals("F16", back.info().dtype());
        float[] s = src.weights().w2()[3].toFloatArray(), h = back.weights().w2()[3].toFloatArray();
        for (int i = 0; i < s.length; i++) assertEquals(Float.float16ToFloat(Float.floatToFloat16(s[i])), h[i], 0f, "ffn_down[" + i + "]");
        assertEquals(TensorType.F32, back.weights().rmsAtt()[0].type(), "norm vectors stay F32");
        // half the bytes of the matrices: the F16 file is a little over half the F32 one
        long f32 = GgufExporter.write(src, tmp.resolve("f32.gguf"), GgufExporter.WeightType.F32).bytes();
        assertTrue(out.toFile().length() < 0.6 * f32, out.toFile().length() + " vs " + f32);
    }

    @Test
    void neverOverwrites() throws Exception {
        Path out = tmp.resolve("exists.gguf");
        Files.writeString(out, "keep me");
        BadInputException e = assertThrows(BadInputException.class, () -> GgufExporter.write(TestModels.stories260K(), out, GgufExporter.WeightType.F32));
        assertTrue(e.getMessage().contains("never overwrites"), e.getMessage());
        assertEquals("keep me", Files.readString(out));
        try (var s = Files.list(tmp)) { assertEquals(1, s.count(), "no temporary file left"); }
    }

    @Test
    void exportCommandWritesGgufAndOnnxAndRefusesBadOptions() throws Exception {
        Path gguf = tmp.resolve("s15.gguf"), onnx = tmp.resolve("s15.onnx");
        assertEquals(0, dev.infercost.cli.Main.execute("export", "--preset", "stories15M", "--format", "gguf", "--out", gguf.toString()));
        LlamaModel preset = Models.load("stories15M", null), back = Models.load(gguf.toString(), null);
        assertEquals(preset.config(), back.config());
        assertArrayEquals(preset.weights().w3()[2].toFloatArray(), back.weights().w3()[2].toFloatArray());
        int[] p = {1, 500, 9000, 31999, 42};
        assertArrayEquals(greedy(preset, p, 8), greedy(back, p, 8));
        assertEquals(0, dev.infercost.cli.Main.execute("export", "--preset", "stories15M", "--format", "onnx", "--out", onnx.toString()));
        assertTrue(Files.size(onnx) > 4L * preset.config().parameterCount(), "fp32 initializers inline");
        assertEquals(2, dev.infercost.cli.Main.execute("export", "--preset", "stories15M", "--format", "onnx", "--out", onnx.toString()), "never overwrites");
        assertEquals(2, dev.infercost.cli.Main.execute("export", "--preset", "stories15M", "--format", "safetensors", "--out", tmp.resolve("x").toString()));
        assertEquals(2, dev.infercost.cli.Main.execute("export", "--preset", "stories15M", "--dtype", "f16", "--out", tmp.resolve("y.bin").toString()),
                "f16 is for gguf only");
        assertEquals(2, dev.infercost.cli.Main.execute("export", "--preset", "stories15M", "--format", "gguf", "--dtype", "q4", "--out", tmp.resolve("z.gguf").toString()));
        // a qwen2 file (Q/K/V biases, NEOX RoPE) written with llama keys would generate wrong text: refused
        assertEquals(2, dev.infercost.cli.Main.execute("export", "--model", TestModels.class.getResource("/gguf/qwen2-q8_0.gguf").getPath(),
                "--format", "gguf", "--out", tmp.resolve("qwen2.gguf").toString()));
        try (var s = Files.list(tmp)) { assertEquals(2, s.count(), "only the two exports"); }
    }
}
