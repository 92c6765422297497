package dev.infercost.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.cli.Main;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.endpoint.OpenAiStream;
import dev.infercost.measure.loadgen.Clock;
import dev.infercost.measure.loadgen.EndpointRunner;
import dev.infercost.measure.loadgen.PointMetrics;
import dev.infercost.measure.loadgen.RequestRecord;
import dev.infercost.measure.loadgen.ServingRunner;
import dev.infercost.measure.loadgen.SloProfile;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.TestModels;
import dev.infercost.model.Tokenizer;
import dev.infercost.results.CsvTable;
import dev.infercost.results.ResultSchemas;
import dev.infercost.workload.LengthDistribution;
import dev.infercost.workload.RequestSpec;
import dev.infercost.workload.Workload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * serve-bench's endpoint client against infercost serve on loopback, over the real stories260K model: the text
 * streamed back under continuous batching must equal single-sequence in-process greedy decoding of the same
 * prompts; malformed requests get the documented 4xx.
 */
class ServeEndToEndTest {
    static LlamaModel model;
    static Engine engine;
    static OpenAiServer server;

    @BeforeAll
    static void start() {
        model = TestModels.stories260K();
        engine = Engines.require("jvm").open(model, new EngineOptions(1, null, Map.of()));
        server = OpenAiServer.start(engine, model.tokenizer(), new OpenAiServer.Options("127.0.0.1", 0, "stories260K", 4, 512, 512, 4096));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    /** Reference: one sequence at a time, prefill then greedy decode steps, decoded as llama2.c prints pieces. */
    static String greedy(RequestSpec r) {
        Tokenizer t = model.tokenizer();
        int vocab = model.config().vocabSize();
        try (DecodeSession s = engine.newSession(1, 512)) {
            float[] logits = new float[vocab];
            s.prefill(0, r.prompt(), 0, logits);
            int tok = argmax(logits), prev = r.prompt()[r.prompt().length - 1], pos = r.prompt().length;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int[] next = new int[1];
            for (int i = 0; i < r.maxOutputTokens(); i++) {
                if (!r.ignoreEos() && (tok == t.bos() || tok == t.eos())) break;
                out.writeBytes(t.decodePiece(prev, tok));
                prev = tok;
                if (i + 1 == r.maxOutputTokens()) break;
                s.decodeGreedy(1, new int[]{0}, new int[]{tok}, new int[]{pos++}, next, new float[vocab]);
                tok = next[0];
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    static int argmax(float[] x) {
        int b = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
        return b;
    }

    @Test
    void streamedTokensUnderBatchingEqualInProcessGreedyDecoding() {
        // 12 requests at once into 4 slots: they join and leave the running batch at different steps
        Workload wl = new Workload(LengthDistribution.of("uniform:4,24"), LengthDistribution.of("uniform:8,40"), 7, true, null);
        List<RequestSpec> pool = wl.build(12, model.config().vocabSize(), model.tokenizer().bos(), model.tokenizer(), 128);
        OpenAiStream.Config cfg = new OpenAiStream.Config(server.uri(), OpenAiStream.Api.COMPLETIONS, "stories260K", null, Duration.ofSeconds(30), true);
        try (OpenAiStream client = new OpenAiStream(cfg)) {
            EndpointRunner runner = new EndpointRunner(client, Clock.system(), model.tokenizer(), EndpointRunner.PromptMode.TOKENS, 60_000_000_000L);
            ServingRunner.Result r = runner.run(pool, new ServingRunner.Plan.OpenLoop(new long[12]));
            assertEquals("usage", r.tokenCountSource());
            assertEquals(List.of(), r.notes(), "the server honours ignore_eos and max_tokens");
            PointMetrics m = PointMetrics.of(r, SloProfile.defaults());
            assertEquals(12, m.completed());
            assertEquals(0, m.failed());
            for (RequestRecord q : r.records()) {
                RequestSpec spec = pool.get(q.id());
                assertNull(q.error(), q.toString());
                assertEquals(spec.prompt().length, q.inputTokens(), "usage.prompt_tokens = ISL (token-id prompt sent as is)");
                assertEquals(spec.maxOutputTokens(), q.outputTokens());
                assertEquals(greedy(spec), q.text(), "request " + q.id());
            }
        }
    }

    @Test
    void chatApiMatchesGreedyDecodingWithEosStops() {
        Tokenizer t = model.tokenizer();
        String text = "Once upon a time";
        RequestSpec spec = new RequestSpec(0, t.encode(text, true, false), 200, false, text);
        OpenAiStream.Config cfg = new OpenAiStream.Config(server.uri(), OpenAiStream.Api.CHAT, "stories260K", null, Duration.ofSeconds(30), false);
        try (OpenAiStream client = new OpenAiStream(cfg)) {
            OpenAiStream.Outcome o = client.send(OpenAiStream.Prompt.text(text), 200, System::nanoTime, null);
            assertNull(o.error());
            assertEquals(greedy(spec), o.text());
            // greedy() stops at BOS/EOS as the server does; the finish reason says which limit ended the text
            int n = model.tokenizer().encode(o.text(), false, false).length;
            assertTrue(n > 10, o.text());
            assertEquals(o.completionTokens() == 200 ? "length" : "stop", o.finishReason());
        }
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(HttpRequest.newBuilder(URI.create(server.uri() + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void malformedRequestsGetClear4xx() throws Exception {
        ObjectMapper om = new ObjectMapper();
        record Case(String path, String body, int status, String says) {}
        for (Case c : List.of(
                new Case("/v1/completions", "{bad", 400, "not JSON"),
                new Case("/v1/completions", "[1,2]", 400, "JSON object"),
                new Case("/v1/completions", "{\"max_tokens\": 4}", 400, "'prompt' is required"),
                new Case("/v1/completions", "{\"prompt\": [1, 9999]}", 400, "prompt[1]"),
                new Case("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": -3}", 400, "'max_tokens'"),
                new Case("/v1/completions", "{\"prompt\": \"hi\", \"n\": 2}", 400, "'n'"),
                new Case("/v1/completions", "{\"prompt\": \"hi\", \"model\": \"gpt-4\"}", 404, "not served"),
                new Case("/v1/completions", "{\"prompt\": [" + "5,".repeat(600) + "5]}", 400, "context"),
                new Case("/v1/completions", "{\"prompt\": \"" + "x".repeat(5000) + "\"}", 413, "exceeds the limit"),
                new Case("/v1/chat/completions", "{\"messages\": []}", 400, "'messages'"),
                new Case("/v1/embeddings", "{}", 404, "no route"))) {
            HttpResponse<String> r = post(c.path(), c.body());
            assertEquals(c.status(), r.statusCode(), c.path() + " " + c.body().substring(0, Math.min(40, c.body().length())) + " -> " + r.body());
            JsonNode e = om.readTree(r.body()).path("error");
            assertTrue(e.path("message").asText().contains(c.says()), r.body());
        }
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/completions")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode());
            r = c.send(HttpRequest.newBuilder(URI.create(server.uri() + "/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            r = c.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/models")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("stories260K", om.readTree(r.body()).path("data").get(0).path("id").asText());
        }
        assertEquals("127.0.0.1", server.uri().getHost(), "loopback by default");
    }

    @TempDir Path out;

    @Test
    void serveBenchCliWritesTablesRecordsAndJsonForAnEndpoint() throws Exception {
        int rc = Main.execute("serve-bench", "--endpoint", server.uri().toString(), "--served-model", "stories260K",
                "--tokenizer", TestModels.file("stories260K.bin").toString(), "--scenario", "concurrency", "--concurrency", "1,3",
                "--isl", "8", "--osl", "6", "--min-duration", "0.2", "--min-queries", "6", "--warmup", "2",
                "--device-class", "H200 SXM", "--device-count", "2", "--out", out.toString());
        assertEquals(0, rc);
        Path run;
        try (Stream<Path> s = Files.list(out)) { run = s.filter(p -> p.getFileName().toString().endsWith("serve-bench")).findFirst().orElseThrow(); }
        List<Map<String, String>> rows = CsvTable.read(run.resolve(ResultSchemas.SERVING));
        assertEquals(ResultSchemas.SERVING_COLUMNS, List.copyOf(rows.getFirst().keySet()));
        assertEquals(2, rows.size());
        for (Map<String, String> r : rows) {
            assertEquals("endpoint", r.get("backend"));
            assertEquals("H200 SXM", r.get("device_class"));
            assertEquals("2", r.get("device_count"));
            assertEquals("usage", r.get("token_count_source"));
            assertEquals("0", r.get("failed [req]"));
            assertEquals("true", r.get("valid"), r.get("invalid_reasons"));
            assertEquals("6", r.get("mean_osl [tok]"));
            assertEquals(Double.parseDouble(r.get("output_throughput [tok/s]")) / 2, Double.parseDouble(r.get("throughput_per_device [tok/s/device]")), 1e-3);
            assertEquals("none", r.get("energy_basis"));
            assertTrue(r.get("energy_reasons").contains("not measured"), r.get("energy_reasons"));
        }
        ObjectMapper om = new ObjectMapper();
        JsonNode json = om.readTree(run.resolve("serving.json").toFile());
        assertEquals(2, json.path("points").size());
        assertEquals(rows.get(1).get("completed [req]"), json.path("points").get(1).path("completed [req]").asText());
        List<String> lines = Files.readAllLines(run.resolve("requests.jsonl"));
        int total = Integer.parseInt(rows.get(0).get("completed [req]")) + Integer.parseInt(rows.get(1).get("completed [req]"));
        assertEquals(total, lines.size());
        JsonNode first = om.readTree(lines.getFirst());
        assertEquals("ok", first.path("status").asText());
        assertEquals(6, first.path("tokens_out").asInt());
        assertTrue(first.path("sent_ms").asDouble() >= first.path("scheduled_ms").asDouble());
        assertTrue(first.path("first_token_ms").asDouble() > first.path("sent_ms").asDouble());
        assertFalse(first.path("text").asText().isEmpty());

        // the cost stage prices these rows as a measured H200 SXM (device_class names the catalog chip)
        assertEquals(0, Main.execute("cost", "--no-project", run.toString()));
        List<dev.infercost.results.Row> cost = dev.infercost.results.Row.readAll(run.resolve(ResultSchemas.COST));
        assertTrue(cost.stream().anyMatch(c -> "H200 SXM".equals(c.get(dev.infercost.results.CostColumn.CHIP))
                && "measured".equals(c.get(dev.infercost.results.CostColumn.PROVENANCE))
                && c.get(dev.infercost.results.CostColumn.OPERATING_POINT).startsWith("serving")), "a measured H200 SXM serving row");
    }
}
