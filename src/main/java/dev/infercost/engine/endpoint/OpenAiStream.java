package dev.infercost.engine.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infercost.BadInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Client for one OpenAI-compatible serving endpoint (vLLM, SGLang, TensorRT-LLM, TGI, llama.cpp's llama-server,
 * {@code infercost serve}): sends one streaming request ({@code "stream": true}, server-sent events) and times
 * every event carrying generated text as it arrives.
 *
 * <p>Requests (OpenAI API reference, "Completions" and "Chat Completions"): {@code POST <base>/v1/completions}
 * with {@code prompt} (text, or an array of token ids, which vLLM, SGLang and llama-server accept and which keeps
 * ISL exact) or {@code POST <base>/v1/chat/completions} with one user message; {@code max_tokens},
 * {@code temperature: 0}, {@code stream_options: {"include_usage": true}} so the server reports token counts in
 * a final chunk, and when fixed output lengths are wanted the {@code ignore_eos: true} extension (vLLM,
 * llama-server, SGLang; servers that ignore it are detected by the caller from the returned counts).
 * {@code Authorization: Bearer KEY} when a key is given.
 *
 * <p>Stream parsing (WHATWG HTML, "Server-sent events"): lines {@code data: JSON}, terminated by
 * {@code data: [DONE]}; a completion chunk's text is {@code choices[0].text}, a chat chunk's
 * {@code choices[0].delta.content}; a chunk with {@code usage} gives {@code prompt_tokens} and
 * {@code completion_tokens}. The arrival time of a chunk is read from the caller's clock when its line has been
 * read completely.
 *
 * <p>Failures are returned, never thrown: HTTP status other than 200 ("http 500: body"), no response or no
 * complete stream within the timeout ("timeout after N s"), a data line that is not JSON or carries an
 * {@code error} object ("malformed SSE: ..." / "server error: ..."), the connection closing before
 * {@code [DONE]} ("stream closed before [DONE] ..."), connection refused ("connect: ...").
 * Thread-safe: one instance serves any number of concurrent requests (one thread per request, virtual threads
 * fit).
 */
public final class OpenAiStream implements AutoCloseable {
    /** The two OpenAI text-generation APIs. */
    public enum Api {
        COMPLETIONS("/v1/completions"), CHAT("/v1/chat/completions");

        public final String path;

        Api(String path) { this.path = path; }

        /** Parses completions | chat. @throws BadInputException otherwise */
        public static Api parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "completions", "completion" -> COMPLETIONS;
                case "chat", "chat-completions", "chat_completions" -> CHAT;
                default -> throw new BadInputException("--api " + s + ": expected completions or chat");
            };
        }
    }

    /**
     * @param base        server root, e.g. {@code http://127.0.0.1:8000} (a trailing {@code /v1} is accepted)
     * @param api         which API to call
     * @param model       {@code model} field of each request (the served model name)
     * @param apiKey      bearer token, or null
     * @param timeout     limit for one whole request (headers and stream)
     * @param ignoreEos   send {@code ignore_eos: true}
     */
    public record Config(URI base, Api api, String model, String apiKey, Duration timeout, boolean ignoreEos) {
        public Config {
            String b = base.toString();
            if (b.endsWith("/")) b = b.substring(0, b.length() - 1);
            if (b.endsWith("/v1")) b = b.substring(0, b.length() - 3);
            base = URI.create(b);
            if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https")) || base.getHost() == null)
                throw new BadInputException("--endpoint " + b + ": expected http://HOST:PORT or https://HOST");
            if (model == null || model.isBlank()) throw new BadInputException("--served-model: the model name the server expects is required");
            if (timeout.isNegative() || timeout.isZero()) throw new BadInputException("--request-timeout " + timeout + ": must be > 0");
        }

        /** True when the server is on this host (loopback address or localhost). */
        public boolean local() {
            String h = base.getHost().toLowerCase(Locale.ROOT);
            return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
        }
    }

    /** What to send: token ids (completions only) or text. */
    public record Prompt(int[] tokenIds, String text) {
        public static Prompt tokens(int[] ids) { return new Prompt(ids, null); }
        public static Prompt text(String t) { return new Prompt(null, t); }
    }

    /**
     * The outcome of one request. Times are the caller's clock, ns.
     *
     * @param sentNanos        just before the request was handed to the HTTP client
     * @param chunkNanos       arrival of each chunk that carried non-empty text
     * @param text             concatenated generated text
     * @param promptTokens     {@code usage.prompt_tokens}, -1 when the server gave none
     * @param completionTokens {@code usage.completion_tokens}, -1 when the server gave none
     * @param finishReason     last {@code finish_reason} seen (null if none)
     * @param httpStatus       response status (-1 without a response)
     * @param endNanos         when the stream ended (the {@code [DONE]} line was read) or failed
     * @param error            null on success, else the reason (see the class doc)
     */
    public record Outcome(long sentNanos, long[] chunkNanos, String text, int promptTokens, int completionTokens,
                          String finishReason, int httpStatus, long endNanos, String error) {
        public boolean ok() { return error == null; }
    }

    /** A handle to abort an in-flight request (the load point's cut-off). */
    public static final class Abort {
        private final AtomicBoolean aborted = new AtomicBoolean();
        private volatile InputStream body;
        private volatile java.util.concurrent.CompletableFuture<?> pending;

        /** Cancels the wait for headers or closes the stream; the request returns with error {@link #ABORTED}. */
        public void abort() {
            aborted.set(true);
            java.util.concurrent.CompletableFuture<?> p = pending;
            if (p != null) p.cancel(true);
            InputStream b = body;
            if (b != null) try { b.close(); } catch (IOException ignored) { /* closing anyway */ }
        }

        public boolean aborted() { return aborted.get(); }
    }

    /** Error text of a request stopped by {@link Abort#abort()}. */
    public static final String ABORTED = "aborted at the cut-off";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Config cfg;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final URI uri;

    public OpenAiStream(Config cfg) {
        this.cfg = cfg;
        this.uri = URI.create(cfg.base() + cfg.api().path);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(cfg.timeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "endpoint-timeouts");
            t.setDaemon(true);
            return t;
        });
    }

    public Config config() { return cfg; }

    /** The JSON body of one request (exposed for the request-record files and tests). */
    public String body(Prompt p, int maxTokens) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", cfg.model());
        if (cfg.api() == Api.COMPLETIONS) {
            if (p.tokenIds() != null) {
                ArrayNode a = b.putArray("prompt");
                for (int t : p.tokenIds()) a.add(t);
            } else b.put("prompt", p.text());
        } else {
            if (p.text() == null) throw new BadInputException("--api chat sends text; token-id prompts need --api completions");
            ObjectNode m = b.putArray("messages").addObject();
            m.put("role", "user");
            m.put("content", p.text());
        }
        b.put("max_tokens", maxTokens);
        b.put("temperature", 0);
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        if (cfg.ignoreEos()) b.put("ignore_eos", true);
        return b.toString();
    }

    /**
     * Sends one streaming request and reads it to the end. Never throws for server or network failures.
     *
     * @param clock  monotonic ns time source for the timestamps
     * @param abort  handle the caller may use to stop the request, or null
     */
    public Outcome send(Prompt p, int maxTokens, LongSupplier clock, Abort abort) {
        return finish(begin(request(p, maxTokens), maxTokens, clock), clock, abort);
    }

    /** The HTTP request for one prompt (immutable: build it before the load point and send it any number of times). */
    public HttpRequest request(Prompt p, int maxTokens) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(cfg.timeout())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body(p, maxTokens)));
        if (cfg.apiKey() != null && !cfg.apiKey().isEmpty()) rb.header("Authorization", "Bearer " + cfg.apiKey());
        return rb.build();
    }

    /**
     * A request handed to the HTTP client, not yet read.
     *
     * @param sentNanos the clock just before the hand-over
     */
    public record InFlight(long sentNanos, int maxTokens, java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> response) {}

    /** Hands {@code req} to the HTTP client without blocking (the load generator's send moment). */
    public InFlight begin(HttpRequest req, int maxTokens, LongSupplier clock) {
        long sent = clock.getAsLong();
        return new InFlight(sent, maxTokens, http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** Waits for the response of {@code f} and reads its stream to the end (see {@link #send}). */
    public Outcome finish(InFlight f, LongSupplier clock, Abort abort) {
        int maxTokens = f.maxTokens();
        long[] times = new long[Math.max(8, maxTokens + 2)];
        int n = 0, promptTok = -1, complTok = -1, status;
        String finish = null;
        StringBuilder text = new StringBuilder();
        AtomicBoolean timedOut = new AtomicBoolean();
        long sent = f.sentNanos();
        HttpResponse<InputStream> resp;
        try {
            if (abort != null) {
                abort.pending = f.response();
                if (abort.aborted()) f.response().cancel(true);
            }
            resp = f.response().get();
        } catch (java.util.concurrent.CancellationException ce) {
            return fail(sent, times, n, text, -1, clock, ABORTED);
        } catch (java.util.concurrent.ExecutionException ee) {
            Throwable e = ee.getCause();
            if (abort != null && abort.aborted()) return fail(sent, times, n, text, -1, clock, ABORTED);
            if (e instanceof HttpTimeoutException)
                return fail(sent, times, n, text, -1, clock, "timeout after " + secs(cfg.timeout()) + " s (no response headers)");
            return fail(sent, times, n, text, -1, clock, "connect: " + msg(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(sent, times, n, text, -1, clock, "interrupted");
        }
        status = resp.statusCode();
        InputStream in = resp.body();
        if (abort != null) {
            abort.body = in;
            if (abort.aborted()) abort.abort();
        }
        long remaining = cfg.timeout().toNanos() - (clock.getAsLong() - sent);
        ScheduledFuture<?> killer = timer.schedule(() -> {
            timedOut.set(true);
            try { in.close(); } catch (IOException ignored) { /* closing anyway */ }
        }, Math.max(1, remaining), TimeUnit.NANOSECONDS);
        try (in) {
            if (status != 200) {
                String b = new String(in.readNBytes(300), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
                return fail(sent, times, n, text, status, clock, "http " + status + (b.isEmpty() ? "" : ": " + b));
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            boolean done = false;
            long doneNanos = -1;
            String line;
            while ((line = r.readLine()) != null) {
                long t = clock.getAsLong();
                if (line.isEmpty() || line.startsWith(":")) continue;   // event separator, comment
                if (!line.startsWith("data:")) {
                    if (line.startsWith("event:") || line.startsWith("id:") || line.startsWith("retry:")) continue;
                    return fail(sent, times, n, text, status, clock, "malformed SSE: line is not a field: " + cut(line));
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) { done = true; doneNanos = t; break; }
                JsonNode j;
                try {
                    j = JSON.readTree(data);
                } catch (IOException e) {
                    return fail(sent, times, n, text, status, clock, "malformed SSE: data is not JSON: " + cut(data));
                }
                if (j == null || !j.isObject()) return fail(sent, times, n, text, status, clock, "malformed SSE: data is not a JSON object: " + cut(data));
                if (j.has("error")) return fail(sent, times, n, text, status, clock, "server error in stream: " + cut(j.get("error").toString()));
                JsonNode u = j.get("usage");
                if (u != null && u.isObject()) {
                    if (u.path("prompt_tokens").canConvertToInt()) promptTok = u.get("prompt_tokens").asInt();
                    if (u.path("completion_tokens").canConvertToInt()) complTok = u.get("completion_tokens").asInt();
                }
                JsonNode ch = j.get("choices");
                if (ch != null && ch.isArray() && !ch.isEmpty()) {
                    JsonNode c0 = ch.get(0);
                    JsonNode piece = cfg.api() == Api.COMPLETIONS ? c0.get("text") : c0.path("delta").get("content");
                    if (piece != null && piece.isTextual() && !piece.asText().isEmpty()) {
                        if (n == times.length) times = Arrays.copyOf(times, n * 2);
                        times[n++] = t;
                        text.append(piece.asText());
                    }
                    JsonNode fr = c0.get("finish_reason");
                    if (fr != null && fr.isTextual()) finish = fr.asText();
                } else if (u == null) {
                    return fail(sent, times, n, text, status, clock, "malformed SSE: chunk has neither choices nor usage: " + cut(data));
                }
            }
            if (!done) {
                if (abort != null && abort.aborted()) return fail(sent, times, n, text, status, clock, ABORTED);
                if (timedOut.get()) return fail(sent, times, n, text, status, clock, "timeout after " + secs(cfg.timeout()) + " s");
                return fail(sent, times, n, text, status, clock, "stream closed before [DONE] after " + n + " chunks");
            }
            return new Outcome(sent, Arrays.copyOf(times, n), text.toString(), promptTok, complTok, finish, status, doneNanos, null);
        } catch (IOException e) {
            if (abort != null && abort.aborted()) return fail(sent, times, n, text, status, clock, ABORTED);
            if (timedOut.get()) return fail(sent, times, n, text, status, clock, "timeout after " + secs(cfg.timeout()) + " s");
            return fail(sent, times, n, text, status, clock, "stream closed before [DONE] after " + n + " chunks (" + msg(e) + ")");
        } finally {
            killer.cancel(false);
        }
    }

    private static Outcome fail(long sent, long[] times, int n, StringBuilder text, int status, LongSupplier clock, String why) {
        return new Outcome(sent, Arrays.copyOf(times, n), text.toString(), -1, -1, null, status, clock.getAsLong(), why);
    }

    private static String secs(Duration d) { return String.format(Locale.ROOT, "%.3g", d.toNanos() / 1e9); }

    private static String msg(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }

    private static String cut(String s) { return s.length() > 120 ? s.substring(0, 120) + "..." : s; }

    /** GET {@code <base>/v1/models}: the ids the server serves (for a check before a sweep). */
    public java.util.List<String> models() {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(cfg.base() + "/v1/models")).timeout(cfg.timeout()).GET();
        if (cfg.apiKey() != null && !cfg.apiKey().isEmpty()) rb.header("Authorization", "Bearer " + cfg.apiKey());
        try {
            HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new BadInputException("--endpoint " + cfg.base() + ": GET /v1/models answered http " + r.statusCode());
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (JsonNode m : JSON.readTree(r.body()).path("data")) ids.add(m.path("id").asText());
            return ids;
        } catch (IOException e) {
            throw new BadInputException("--endpoint " + cfg.base() + ": cannot reach the server (" + msg(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException("interrupted");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.close();
    }
}
