package dev.infercost.engine.tornado;

import dev.infercost.cli.GenerateCommand;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.engine.Engines;
import dev.infercost.engine.Sampler;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TornadoVM backend against the JVM engine (and, through it, llama2.c run.c's goldens) on the real
 * stories260K checkpoint (F32). Runs only in the Maven profile "tornado" (TORNADOVM_HOME set), on TornadoVM's
 * default device 0:0 unless -Dinfercost.tornado.device=B:D.
 */
class TornadoLlamaEngineTest {
    static final String DEVICE = System.getProperty("infercost.tornado.device", "0:0");
    static LlamaModel model;
    static Engine tornado, jvm;

    @BeforeAll
    static void open() {
        Path dir = Path.of(System.getProperty("infercost.shared", "../shared"), "models");
        assumeTrue(Files.isRegularFile(dir.resolve("stories260K.bin")), "needs ../shared/models/stories260K.bin");
        EngineProvider p = Engines.require("tornado");
        model = Models.load(dir.resolve("stories260K.bin").toString(), dir.resolve("tok512.bin"));
        tornado = p.open(model, new EngineOptions(0, DEVICE, Map.of()));
        jvm = Engines.require("jvm").open(model, new EngineOptions(1, null, Map.of()));
    }

    @AfterAll
    static void close() {
        if (tornado != null) tornado.close();
        if (jvm != null) jvm.close();
    }

    static String generate(Engine e, String prompt, int steps) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GenerateCommand.run(e, model.tokenizer(), prompt, steps, new Sampler(model.config().vocabSize(), 0f, 0.9f, 1),
                out, new PrintStream(new ByteArrayOutputStream()));
        return out.toString(StandardCharsets.UTF_8);
    }

    static String golden(String name) throws IOException {
        try (InputStream in = TornadoLlamaEngineTest.class.getResourceAsStream("/goldens/" + name)) {
            assertNotNull(in, "golden " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void greedyGenerateMatchesJvmEngineAndRunC() throws IOException {
        // one prompt: each generate() opens a session, and each session compiles the kernels (~10 s on PoCL)
        String t = generate(tornado, "Once upon a time", 256);
        assertEquals(generate(jvm, "Once upon a time", 256), t, "tornado vs jvm");
        assertEquals(golden("stories260K_p1.txt"), t, "tornado vs llama2.c run.c (-t 0 -n 256 -i \"Once upon a time\")");
    }

    /** Max |a-b| over the row divided by max |b| of the row. */
    static double relErr(float[] a, float[] b, int off, int len) {
        double num = 0, den = 0;
        for (int i = off; i < off + len; i++) {
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }

    /**
     * Batched decode with sequences in different slots at different positions (continuous batching), after a
     * multi-row prefill: logits agree with the JVM engine within 1e-4 relative (max |diff| / max |logit|) for
     * every row and step, and the device argmax equals the argmax of the JVM logits.
     */
    @Test
    void batchedLogitsAndDeviceArgmaxAgreeWithJvm() {
        checkBatched(tornado, 256);
    }

    /**
     * The same with full-size grids every step (fixed_grids=true: rows and attention splits a step does not use
     * are launched and skipped by the kernels), the mode a CUDA-graph replay needs; one attention split (context
     * 100) and two (context 256). On a PTX device the same check runs with cuda_graph=true; elsewhere that option
     * must be refused with a message naming the backend.
     */
    @Test
    void fixedGridsAndCudaGraphAgreeWithJvm() {
        try (Engine fixed = Engines.require("tornado").open(model, new EngineOptions(0, DEVICE, Map.of("fixed_grids", "true")))) {
            assertTrue(fixed.device().contains("fixed grids"), fixed.device());
            checkBatched(fixed, 100);
            checkBatched(fixed, 256);
        }
        if (tornado.device().contains("(PTX,")) {
            try (Engine graph = Engines.require("tornado").open(model, new EngineOptions(0, DEVICE, Map.of("cuda_graph", "true")))) {
                checkBatched(graph, 256);
            }
        } else {
            dev.infercost.BadInputException ex = assertThrows(dev.infercost.BadInputException.class,
                    () -> Engines.require("tornado").open(model, new EngineOptions(0, DEVICE, Map.of("cuda_graph", "true"))));
            assertTrue(ex.getMessage().contains("PTX"), ex.getMessage());
        }
    }

    static void checkBatched(Engine tornado, int context) {
        int vocab = model.config().vocabSize(), n = 3, steps = 40;
        int[][] prompts = {{1, 403, 407, 261, 378}, {1, 403}, {1, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309}};
        try (DecodeSession t = tornado.newSession(4, context); DecodeSession j = jvm.newSession(4, context)) {
            int[] slots = {2, 0, 3}, tokens = new int[n], pos = new int[n], next = new int[n];
            float[] lt = new float[4 * vocab], lj = new float[4 * vocab];
            for (int i = 0; i < n; i++) {
                t.prefill(slots[i], prompts[i], 0, lt);
                j.prefill(slots[i], prompts[i], 0, lj);
                double err = relErr(lt, lj, 0, vocab);
                assertTrue(err < 1e-4, "prefill logits of prompt " + i + ": relative error " + err);
                tokens[i] = argmax(lj, 0, vocab);
                pos[i] = prompts[i].length;
            }
            for (int s = 0; s < steps; s++) {
                t.decode(n, slots, tokens, pos, lt);
                j.decode(n, slots, tokens, pos, lj);
                for (int i = 0; i < n; i++) {
                    double err = relErr(lt, lj, i * vocab, vocab);
                    assertTrue(err < 1e-4, "step " + s + " row " + i + ": relative error " + err);
                }
                // the same step again through the device argmax must not change anything but return the same ids
                for (int i = 0; i < n; i++) {
                    tokens[i] = argmax(lj, i * vocab, vocab);
                    pos[i]++;
                }
            }
            // device-side greedy continues the same sequences: compare ids with the JVM engine's argmax
            for (int s = 0; s < 20; s++) {
                t.decodeGreedy(n, slots, tokens, pos, next, lt);
                j.decode(n, slots, tokens, pos, lj);
                for (int i = 0; i < n; i++) {
                    assertEquals(argmax(lj, i * vocab, vocab), next[i], "device argmax, step " + s + " row " + i);
                    tokens[i] = next[i];
                    pos[i]++;
                }
            }
        }
    }

    static int argmax(float[] x, int off, int len) {
        int best = 0;
        for (int v = 1; v < len; v++) if (x[off + v] > x[off + best]) best = v;
        return best;
    }
}
