package dev.infercost.cli;

import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.Sampler;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.model.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** infercost generate vs llama2.c run.c stdout (goldens in src/test/resources/goldens, see its README). */
class GenerateGoldenTest {
    static final String[] PROMPTS = {"", "Once upon a time", "Über café, 日本", "Tom saw a 🐶 and said \"woof\"! {x} ~ 42"};

    static byte[] golden(String name) throws Exception {
        try (InputStream in = GenerateGoldenTest.class.getResourceAsStream("/goldens/" + name)) {
            return in.readAllBytes();
        }
    }

    static byte[] generate(LlamaModel m, String prompt, int steps, float temp, float topp, long seed, int threads) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(threads, null, Map.of()))) {
            GenerateCommand.run(e, m.tokenizer(), prompt, Math.min(steps, m.config().seqLen()),
                    new Sampler(m.config().vocabSize(), temp, topp, seed), out, new PrintStream(new ByteArrayOutputStream()));
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "greedy .bin prompt {0}")
    @CsvSource({"0", "1", "2", "3"})
    void greedyBinMatchesRunC(int i) throws Exception {
        LlamaModel m = TestModels.stories260K();
        assertEquals(new String(golden("stories260K_p" + i + ".txt"), "UTF-8"), new String(generate(m, PROMPTS[i], 256, 0, 0.9f, 1, 1), "UTF-8"));
    }

    @ParameterizedTest(name = "greedy .gguf prompt {0}")
    @CsvSource({"0", "1", "2", "3"})
    void greedyGgufMatchesRunC(int i) throws Exception {
        LlamaModel m = Models.load(TestModels.file("stories260K.gguf").toString(), null);
        assertEquals(128, m.config().seqLen(), "the converter wrote llama.context_length=128");
        m = Models.withContextLength(m, 512);
        assertArrayEquals(golden("stories260K_p" + i + ".txt"), generate(m, PROMPTS[i], 256, 0, 0.9f, 1, 1));
    }

    @Test
    void greedyWithTwoThreadsMatchesRunC() throws Exception {
        LlamaModel m = TestModels.stories260K();
        assertArrayEquals(golden("stories260K_p1.txt"), generate(m, PROMPTS[1], 256, 0, 0.9f, 1, 2));
    }

    @Test
    void seededTopPSamplingMatchesRunC() throws Exception {
        LlamaModel m = TestModels.stories260K();
        assertArrayEquals(golden("stories260K_p1_t0.8_p0.9_s42.txt"), generate(m, "Once upon a time", 256, 0.8f, 0.9f, 42, 1));
    }

    @Test
    void seededMultinomialSamplingMatchesRunC() throws Exception {
        LlamaModel m = TestModels.stories260K();
        assertArrayEquals(golden("stories260K_lily_t1_p1_s7.txt"), generate(m, "Lily", 256, 1.0f, 1.0f, 7, 1));
    }

    @Test
    void cliPrintsExactlyRunCStdout() throws Exception {
        String bin = TestModels.file("stories260K.bin").toString();
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(out, true));
            rc = Main.execute("generate", "--model", bin, "--prompt", "Once upon a time", "--steps", "256", "--temperature", "0");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        assertArrayEquals(golden("stories260K_p1.txt"), out.toByteArray());
    }

    @Test
    void shortStepsStopInsidePrompt() throws Exception {
        LlamaModel m = TestModels.stories260K();
        // run.c -n 3 on "Once upon a time" (ids 1 403 407 261 378) prints "Once upon a\n" (3 forward positions)
        assertEquals("Once upon a\n", new String(generate(m, "Once upon a time", 3, 0, 0.9f, 1, 1), "UTF-8"));
        String full = new String(golden("stories260K_p1.txt"), "UTF-8");
        String five = new String(generate(m, "Once upon a time", 10, 0, 0.9f, 1, 1), "UTF-8");
        assertTrue(full.startsWith(five.substring(0, five.length() - 1)), five);
    }
}
