package dev.infercost.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.cli.GenerateCommand;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.Sampler;
import dev.infercost.serve.OpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code generate} on tiny llama-architecture GGUFs with byte-level BPE vocabularies (random F32 weights around the
 * tokenizer fixtures; {@code tokenizer/README.md}) prints the same text as llama.cpp's {@code llama-simple}: the
 * prompt (tokenized with BOS as the vocabulary asks: yes for llama-bpe, no for this qwen2 file), then 48 greedy tokens
 * decoded from their bytes, including characters split over tokens and invalid UTF-8 bytes as llama.cpp writes them.
 * Golden: {@code llama-simple -m FIXTURE.gguf -n 48 "Hello 🌍, it's 1234567" > FIXTURE.llama-simple.txt}; llama-simple
 * also prints control tokens (it renders specials), which infercost, like llama-server by default, does not. The
 * same continuation comes back from {@code serve}'s {@code /v1/completions}.
 */
class ByteLevelGenerateGoldenTest {
    static final String PROMPT = "Hello 🌍, it's 1234567";

    @ParameterizedTest(name = "{0}: generate prints llama-simple's text")
    @ValueSource(strings = {"bpe-llama3-tiny", "bpe-qwen2-tiny"})
    void generateEqualsLlamaSimple(String name) throws Exception {
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/" + name + ".llama-simple.txt")) {
            golden = in.readAllBytes();
        }
        byte[] bos = "<|begin_of_text|>".getBytes(StandardCharsets.UTF_8);
        if (Arrays.equals(golden, 0, bos.length, bos, 0, bos.length)) golden = Arrays.copyOfRange(golden, bos.length, golden.length);
        LlamaModel m = Models.load(ByteLevelBpeTokenizerTest.fixture(name + ".gguf").toString(), null);
        int prompt = m.tokenizer().encode(PROMPT, true, false).length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()))) {
            // steps = positions including the prompt; prompt + 47 positions sample 48 tokens, as llama-simple -n 48
            GenerateCommand.run(e, m.tokenizer(), PROMPT, prompt + 47, new Sampler(m.config().vocabSize(), 0f, 0.9f, 1), out,
                    new PrintStream(new ByteArrayOutputStream()));
        } finally {
            if (m.tokenizer() instanceof AutoCloseable c) c.close();
        }
        assertEquals(new String(golden, StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
        assertArrayEquals(golden, out.toByteArray(), "byte for byte, invalid UTF-8 included");
    }

    /** serve's /v1/completions (greedy, 48 tokens) returns llama-simple's continuation of the prompt. */
    @Test
    void serveCompletionEqualsLlamaSimple() throws Exception {
        String golden;
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/bpe-qwen2-tiny.llama-simple.txt")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(golden.startsWith(PROMPT));
        String want = golden.substring(PROMPT.length()).replaceFirst("\n$", ""); // llama-simple ends with a newline
        LlamaModel m = Models.load(ByteLevelBpeTokenizerTest.fixture("bpe-qwen2-tiny.gguf").toString(), null);
        ObjectMapper om = new ObjectMapper();
        try (Engine e = Engines.require("jvm").open(m, new EngineOptions(1, null, Map.of()));
             OpenAiServer s = OpenAiServer.start(e, m.tokenizer(), new OpenAiServer.Options("127.0.0.1", 0, "tiny", 2, 256, 256, 1 << 16));
             HttpClient http = HttpClient.newHttpClient()) {
            String body = om.createObjectNode().put("model", "tiny").put("prompt", PROMPT).put("max_tokens", 48).put("temperature", 0).toString();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(s.uri().resolve("/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode j = om.readTree(r.body());
            assertEquals(want, j.at("/choices/0/text").asText());
            assertEquals("length", j.at("/choices/0/finish_reason").asText());
            assertEquals(m.tokenizer().encode(PROMPT, true, false).length, j.at("/usage/prompt_tokens").asInt());
        } finally {
            if (m.tokenizer() instanceof AutoCloseable c) c.close();
        }
    }
}
