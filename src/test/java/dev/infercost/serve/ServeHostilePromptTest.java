package dev.infercost.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.model.GgufLoader;
import dev.infercost.model.LlamaModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 through serve's /v1/completions and /v1/chat/completions on a GPT-2 byte-level vocabulary (the tiny
 * qwen2-vocabulary fixture, DJL tokenizers): lone surrogates, invalid UTF-8, multi-megabyte prompts and token ids out
 * of range get a 400 with a message naming the problem (never a 500, a crash or unbounded tokenisation); NUL and
 * control characters are text and are served.
 */
class ServeHostilePromptTest {
    static LlamaModel model;
    static Engine engine;
    static OpenAiServer server;

    @BeforeAll
    static void start() {
        model = GgufLoader.load(Path.of("src/test/resources/tokenizer/bpe-qwen2-tiny.gguf"));
        engine = Engines.require("jvm").open(model, new EngineOptions(1, null, Map.of()));
        server = OpenAiServer.start(engine, model.tokenizer(), new OpenAiServer.Options("127.0.0.1", 0, "tiny", 2, 64, 64, 8 << 20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (engine != null) engine.close();
        if (model != null && model.tokenizer() instanceof AutoCloseable c) c.close();
    }

    static HttpResponse<String> post(String path, byte[] body) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(HttpRequest.newBuilder(URI.create(server.uri() + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void hostilePromptsGet400AndTextWithControlsIsServed() throws Exception {
        ObjectMapper om = new ObjectMapper();
        int vocab = model.config().vocabSize();
        byte[] invalidUtf8 = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', 'h', (byte) 0xC3, (byte) 0x28, '"', '}'};
        record Case(String path, byte[] body, int status, String says) {}
        List<Case> cases = List.of(
                new Case("/v1/completions", "{\"prompt\": \"hi \\ud800 there\", \"max_tokens\": 2}".getBytes(StandardCharsets.UTF_8), 400, "lone UTF-16 surrogate U+D800"),
                new Case("/v1/completions", "{\"prompt\": [\"\\udc00\"], \"max_tokens\": 2}".getBytes(StandardCharsets.UTF_8), 400, "surrogate U+DC00"),
                new Case("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\\udfffb\"}], \"max_tokens\": 2}".getBytes(StandardCharsets.UTF_8), 400, "surrogate"),
                new Case("/v1/completions", invalidUtf8, 400, "not JSON"),
                new Case("/v1/completions", ("{\"prompt\": \"" + "x".repeat(4 << 20) + "\"}").getBytes(StandardCharsets.UTF_8), 400, "not tokenised"),
                new Case("/v1/completions", ("{\"prompt\": \"" + "\u4e2d".repeat(1 << 20) + "\"}").getBytes(StandardCharsets.UTF_8), 400, "not tokenised"),
                new Case("/v1/completions", ("{\"prompt\": [1, " + vocab + "]}").getBytes(StandardCharsets.UTF_8), 400, "prompt[1]"),
                new Case("/v1/completions", "{\"prompt\": [-1]}".getBytes(StandardCharsets.UTF_8), 400, "prompt[0]"),
                new Case("/v1/completions", "{\"prompt\": [1e30]}".getBytes(StandardCharsets.UTF_8), 400, "prompt[0]"),
                new Case("/v1/completions", "{\"prompt\": [4294967297]}".getBytes(StandardCharsets.UTF_8), 400, "prompt[0]"),
                new Case("/v1/completions", "{\"prompt\": \"a\\u0000b\\u0007\\u001b[0m\", \"max_tokens\": 2}".getBytes(StandardCharsets.UTF_8), 200, null),
                new Case("/v1/completions", "{\"prompt\": \"<|endoftext|><|im_start|>\", \"max_tokens\": 2}".getBytes(StandardCharsets.UTF_8), 200, null));
        for (Case c : cases) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = post(c.path(), c.body());
            double s = (System.nanoTime() - t0) / 1e9;
            String what = c.path() + " " + new String(c.body(), 0, Math.min(50, c.body().length), StandardCharsets.UTF_8);
            assertEquals(c.status(), r.statusCode(), what + " -> " + r.body());
            assertTrue(s < 5, what + " took " + s + " s (bounded work)");
            JsonNode j = om.readTree(r.body());
            if (c.says() != null) assertTrue(j.path("error").path("message").asText().contains(c.says()), what + " -> " + r.body());
            else assertEquals(2, j.path("usage").path("completion_tokens").asInt(), r.body());
        }
    }
}
