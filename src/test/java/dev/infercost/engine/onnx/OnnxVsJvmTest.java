package dev.infercost.engine.onnx;

import dev.infercost.engine.AccuracyGate;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The exported decoder on ONNX Runtime against the JVM engine (backend "jvm") on real and preset models. */
class OnnxVsJvmTest {
    static Path shared() {
        String s = System.getProperty("infercost.shared");
        Assumptions.assumeTrue(s != null && Files.isRegularFile(Path.of(s, "models", "stories260K.bin")),
                "needs ../shared/models/stories260K.bin (-Dinfercost.shared)");
        return Path.of(s, "models");
    }

    static String golden(String name) throws Exception {
        try (var in = OnnxVsJvmTest.class.getClassLoader().getResourceAsStream("goldens/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Greedy-generates up to {@code steps} tokens (llama2.c: stop when BOS is sampled); records every step's logits. */
    static String generate(Engine e, LlamaModel m, int[] prompt, int steps, List<float[]> logitsOut) {
        int V = m.config().vocabSize();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (DecodeSession s = e.newSession(1, m.config().seqLen())) {
            float[] lg = new float[V];
            s.prefill(0, prompt, 0, lg);
            int pos = prompt.length, prev = prompt[prompt.length - 1];
            for (int i = 0; i < steps; i++) {
                logitsOut.add(lg.clone());
                int next = AccuracyGate.argmaxOf(lg);
                if (next == m.tokenizer().bos()) break;
                text.writeBytes(m.tokenizer().decodePiece(prev, next));
                if (pos >= m.config().seqLen()) break;
                s.decode(1, new int[]{0}, new int[]{next}, new int[]{pos++}, lg);
                prev = next;
            }
        }
        return text.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(OnnxExporter.Variant.class)
    void stories260KGreedy256StepsSameTextAsJvmLogitsWithin1e4(OnnxExporter.Variant variant) throws Exception {
        Path dir = shared();
        LlamaModel m = Models.load(dir.resolve("stories260K.bin").toString(), dir.resolve("tok512.bin"));
        int[] prompt = m.tokenizer().encode("Once upon a time", true, false);
        List<float[]> lj = new java.util.ArrayList<>(), lo = new java.util.ArrayList<>();
        String tj, to;
        try (Engine jvm = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()))) {
            tj = generate(jvm, m, prompt, 256, lj);
        }
        try (Engine onnx = Engines.require("onnx").open(m, new EngineOptions(1, null, Map.of("variant", variant.name())))) {
            to = generate(onnx, m, prompt, 256, lo);
        }
        assertEquals(tj, to, "greedy text onnx[" + variant + "] vs jvm");
        assertEquals(256, lo.size(), "256 steps without an early BOS");
        double max = 0;
        for (int i = 0; i < lo.size(); i++) max = Math.max(max, RefLlama.maxAbsDiff(lo.get(i), 0, lj.get(i), 0, m.config().vocabSize()));
        assertTrue(max < 1e-4, "max |logit diff| over 256 steps " + max);
        // and the llama2.c run.c golden (the JVM engine's own reference): the prompt plus the generated text
        String g = golden("stories260K_p1.txt").strip();
        assertTrue(g.startsWith(("Once upon a time" + to).strip().substring(0, 200)), "matches llama2.c's greedy output");
    }

    @Test
    void bothExportVariantsAgree() {
        Path dir = shared();
        LlamaModel m = Models.load(dir.resolve("stories260K.bin").toString(), dir.resolve("tok512.bin"));
        try (Engine a = Engines.require("onnx").open(m, new EngineOptions(1, null, Map.of("variant", "standard")));
             Engine b = Engines.require("onnx").open(m, new EngineOptions(1, null, Map.of("variant", "contrib")))) {
            AccuracyGate.Comparison c = AccuracyGate.compare(m, a, b, AccuracyGate.prompts(m, 4), 32, 1e-4);
            assertEquals("pass", c.verdict(), c.toString());
            assertEquals(33, c.agreementMin());
        }
    }

    /** Preset stories15M (synthetic weights), batch 8 at different positions, ONNX vs JVM. */
    @Test
    void presetStories15MBatch8AgreesWithJvm() {
        LlamaModel m = Models.load("stories15M", null);
        int B = 8, V = m.config().vocabSize();
        try (Engine jvm = Engines.require("jvm").open(m, new EngineOptions(2, null, Map.of()));
             Engine onnx = Engines.require("onnx").open(m, new EngineOptions(2, null, Map.of()));
             DecodeSession sj = jvm.newSession(B, 64); DecodeSession so = onnx.newSession(B, 64)) {
            float[] lj = new float[B * V], lo = new float[B * V];
            int[] slots = new int[B], tok = new int[B], pos = new int[B];
            for (int b = 0; b < B; b++) {
                int[] prompt = new int[2 + b];
                for (int i = 0; i < prompt.length; i++) prompt[i] = (i == 0) ? 1 : 100 + 37 * b + 11 * i;
                sj.prefill(b, prompt, 0, lj);
                so.prefill(b, prompt, 0, lo);
                assertTrue(RefLlama.maxAbsDiff(lo, 0, lj, 0, V) < 1e-3, "prefill slot " + b);
                slots[b] = b;
                tok[b] = AccuracyGate.argmaxOf(Arrays.copyOf(lj, V));
                pos[b] = prompt.length;
            }
            double max = 0;
            for (int step = 0; step < 8; step++) {
                sj.decode(B, slots, tok, pos, lj);
                so.decode(B, slots, tok, pos, lo);
                max = Math.max(max, RefLlama.maxAbsDiff(lo, 0, lj, 0, B * V));
                for (int b = 0; b < B; b++) {
                    int tj = RefLlama.argmax(lj, b * V, V);
                    assertEquals(tj, RefLlama.argmax(lo, b * V, V), "step " + step + " row " + b);
                    tok[b] = tj;
                    pos[b]++;
                }
            }
            assertTrue(max < 1e-3, "max |logit diff| " + max);
        }
    }
}
