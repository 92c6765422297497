package dev.infercost.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.measure.loadgen.Clock;
import dev.infercost.measure.loadgen.ServingRunner;
import dev.infercost.model.Tokenizer;
import dev.infercost.workload.RequestSpec;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible HTTP server over one infercost engine ({@code infercost serve}), so infercost's kernels can
 * be driven by any peer client (vLLM bench, AIPerf, GuideLLM, {@code serve-bench --endpoint}).
 *
 * <p>HTTP is Jetty 12 (core handler API, each request on a virtual thread); generation is the continuous-batching
 * scheduler of {@code serve-bench} ({@link ServingRunner#serve}) on one platform thread that owns the engine's
 * {@link DecodeSession}: requests join the running batch as they arrive and leave as they finish.
 *
 * <p>Endpoints (request and response shapes of the OpenAI API reference):
 * <ul>
 *   <li>{@code POST /v1/completions}: {@code prompt} (text, encoded with BOS as llama2.c does, or an array of
 *       token ids used as given), {@code max_tokens} (default 16, as OpenAI), {@code stream},
 *       {@code stream_options.include_usage}, {@code ignore_eos} (vLLM / llama-server extension);</li>
 *   <li>{@code POST /v1/chat/completions}: {@code messages} (their contents joined by newlines: the models served
 *       here have no chat template), {@code max_tokens} or {@code max_completion_tokens} (default: up to the
 *       context);</li>
 *   <li>{@code GET /v1/models}, {@code GET /health}.</li>
 * </ul>
 * Decoding is greedy (argmax; {@code temperature}/{@code top_p} are accepted and have no effect, which
 * {@code /v1/models} states); it stops at the model's end-of-generation tokens ({@code Tokenizer#endOfGeneration}) unless {@code ignore_eos}, at {@code max_tokens},
 * or at the context. Streams send one chunk per token whose bytes complete UTF-8 text, a final chunk with
 * {@code finish_reason} ("length" or "stop"), a {@code usage} chunk when asked, and {@code data: [DONE]}.
 *
 * <p>Bad requests get a 4xx with an OpenAI-style {@code {"error": {"message", "type", "code"}}} body: 400 for
 * malformed JSON or fields (named in the message), 404 for an unknown path or model, 405 for a wrong method,
 * 413 for a body over {@code maxBodyBytes}. Bound to 127.0.0.1 unless another host is given.
 */
public final class OpenAiServer implements AutoCloseable {
    /**
     * @param host          interface to bind (127.0.0.1 by default on the command line)
     * @param port          TCP port (0 = any free port; see {@link #port()})
     * @param servedModel   the model id clients send and {@code /v1/models} lists
     * @param maxBatch      continuous-batching slots
     * @param maxContext    positions per slot (prompt + generated)
     * @param maxPrefill    prompt tokens prefilled per scheduler iteration
     * @param maxBodyBytes  request body limit (larger: 413)
     */
    public record Options(String host, int port, String servedModel, int maxBatch, int maxContext, int maxPrefill, int maxBodyBytes) {
        public Options {
            if (maxBatch < 1) throw new BadInputException("--max-batch " + maxBatch + ": must be >= 1");
            if (maxContext < 2) throw new BadInputException("--max-context " + maxContext + ": must be >= 2");
            if (maxBodyBytes < 1024) throw new BadInputException("--max-body-bytes " + maxBodyBytes + ": must be >= 1024");
            if (port < 0 || port > 65535) throw new BadInputException("--port " + port + ": must be 0..65535");
        }
    }

    /** Listen backlog of the HTTP connector (uvicorn, which vLLM uses, defaults to 2048). */
    static final int ACCEPT_QUEUE = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Engine engine;
    private final Tokenizer tok;
    private final Options opt;
    private final DecodeSession session;
    private final BlockingQueue<ServingRunner.LiveRequest> inbox = new LinkedBlockingQueue<>();
    private final Thread scheduler;
    private final Server server;
    private final ServerConnector connector;
    private final AtomicLong ids = new AtomicLong();
    private final Set<Integer> stop;
    private volatile boolean stopping;
    private volatile Throwable schedulerFailure;

    private OpenAiServer(Engine engine, Tokenizer tok, Options opt) throws Exception {
        this.engine = engine; this.tok = tok; this.opt = opt;
        this.stop = tok.endOfGeneration();
        this.session = engine.newSession(opt.maxBatch(), opt.maxContext());
        var cfg = engine.config();
        ServingRunner runner = new ServingRunner(session, Clock.system(),
                new ServingRunner.Config(opt.maxBatch(), (long) opt.maxBatch() * opt.maxContext(), opt.maxPrefill(), Long.MAX_VALUE),
                cfg.vocabSize(), stop, null, 0, 4);
        scheduler = new Thread(() -> {
            try {
                runner.serve(inbox, () -> stopping);
            } catch (Throwable t) {
                schedulerFailure = t;
            }
        }, "infercost-serve-scheduler");
        scheduler.setDaemon(true);
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("infercost-serve-http");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost(opt.host());
        connector.setPort(opt.port());
        // the JDK's default listen backlog (50) drops the connections of an all-at-once burst (an Offline point of
        // hundreds of requests, each on its own HTTP/1.1 connection) as connect errors; the kernel caps this at
        // net.core.somaxconn
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    route(request, response, callback);
                } catch (Throwable t) {
                    if (!response.isCommitted()) error(response, callback, 500, "internal error: " + t, "server_error");
                    else callback.failed(t);
                }
                return true;
            }
        });
        scheduler.start();
        server.start();
    }

    /**
     * Starts the server (HTTP listener and scheduler thread) over an open engine; closing it stops both and
     * frees the session (the engine stays open).
     *
     * @throws BadInputException the port cannot be bound, or the KV cache does not fit
     */
    public static OpenAiServer start(Engine engine, Tokenizer tokenizer, Options o) {
        try {
            return new OpenAiServer(engine, tokenizer, o);
        } catch (BadInputException e) {
            throw e;
        } catch (Exception e) {
            throw new BadInputException("serve: cannot listen on " + o.host() + ":" + o.port() + " (" + e.getMessage() + ")", e);
        }
    }

    /** The bound port. */
    public int port() { return connector.getLocalPort(); }

    /** http://host:port */
    public URI uri() { return URI.create("http://" + (opt.host().contains(":") ? "[" + opt.host() + "]" : opt.host()) + ":" + port()); }

    public Options options() { return opt; }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Stops the listener and the scheduler, frees the session; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        stopping = true;
        try {
            server.stop();
        } catch (Exception e) {
            // shutting down anyway
        }
        try {
            scheduler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.close();
    }

    // ------------------------------------------------------------------ routing

    private void route(Request req, Response resp, Callback cb) throws IOException {
        String path = Request.getPathInContext(req);
        String method = req.getMethod();
        switch (path) {
            case "/health" -> {
                if (!method.equals("GET")) { error(resp, cb, 405, "use GET " + path, "invalid_request_error"); return; }
                if (schedulerFailure != null) { error(resp, cb, 503, "scheduler failed: " + schedulerFailure, "server_error"); return; }
                json(resp, cb, 200, JSON.createObjectNode().put("status", "ok"));
            }
            case "/v1/models" -> {
                if (!method.equals("GET")) { error(resp, cb, 405, "use GET " + path, "invalid_request_error"); return; }
                ObjectNode root = JSON.createObjectNode().put("object", "list");
                ObjectNode m = root.putArray("data").addObject();
                m.put("id", opt.servedModel()).put("object", "model").put("created", System.currentTimeMillis() / 1000).put("owned_by", "infercost");
                m.put("max_model_len", opt.maxContext());
                m.put("backend", engine.backend()).put("device", engine.device());
                m.put("sampling", "greedy (argmax); temperature and top_p have no effect");
                json(resp, cb, 200, root);
            }
            case "/v1/completions", "/v1/chat/completions" -> {
                if (!method.equals("POST")) { error(resp, cb, 405, "use POST " + path, "invalid_request_error"); return; }
                generate(req, resp, cb, path.equals("/v1/chat/completions"));
            }
            default -> error(resp, cb, 404, "no route " + method + " " + path + " (serving /v1/completions, /v1/chat/completions, /v1/models, /health)", "invalid_request_error");
        }
    }

    /** A request that failed validation: status and message. */
    private static final class Invalid extends Exception {
        final int status;

        Invalid(int status, String msg) { super(msg, null, false, false); this.status = status; }
    }

    private JsonNode readBody(Request req) throws Invalid, IOException {
        long len = req.getLength();
        if (len > opt.maxBodyBytes()) throw new Invalid(413, "request body of " + len + " bytes exceeds the limit of " + opt.maxBodyBytes());
        byte[] b;
        try (InputStream in = Request.asInputStream(req)) {
            b = in.readNBytes(opt.maxBodyBytes() + 1);
        }
        if (b.length > opt.maxBodyBytes()) throw new Invalid(413, "request body exceeds the limit of " + opt.maxBodyBytes() + " bytes");
        JsonNode j;
        try {
            j = JSON.readTree(b);
        } catch (IOException e) {
            throw new Invalid(400, "body is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage()));
        }
        if (j == null || !j.isObject()) throw new Invalid(400, "body must be a JSON object");
        return j;
    }

    private static int intField(JsonNode j, String name, int dflt, int min) throws Invalid {
        JsonNode v = j.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min)
            throw new Invalid(400, "field '" + name + "' must be an integer >= " + min + ", got " + v);
        return v.asInt();
    }

    private static boolean boolField(JsonNode j, String name) throws Invalid {
        JsonNode v = j.get(name);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw new Invalid(400, "field '" + name + "' must be true or false, got " + v);
        return v.asBoolean();
    }

    private void generate(Request req, Response resp, Callback cb, boolean chat) throws IOException {
        int[] prompt;
        int maxTokens;
        boolean stream, ignoreEos, usage;
        try {
            JsonNode j = readBody(req);
            JsonNode model = j.get("model");
            if (model != null && !model.isNull()) {
                if (!model.isTextual()) throw new Invalid(400, "field 'model' must be a string");
                if (!model.asText().equals(opt.servedModel())) throw new Invalid(404, "model '" + model.asText() + "' is not served here; serving '" + opt.servedModel() + "'");
            }
            int n = intField(j, "n", 1, 1);
            if (n != 1) throw new Invalid(400, "field 'n': only 1 choice per request is supported");
            if (chat) {
                JsonNode msgs = j.get("messages");
                if (msgs == null || !msgs.isArray() || msgs.isEmpty()) throw new Invalid(400, "field 'messages' must be a non-empty array");
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < msgs.size(); i++) {
                    JsonNode c = msgs.get(i).get("content");
                    if (c == null || !c.isTextual()) throw new Invalid(400, "messages[" + i + "].content must be a string");
                    if (i > 0) sb.append('\n');
                    sb.append(c.asText());
                }
                dev.infercost.workload.PromptFileValidator.checkLength("messages", sb.toString(), tok, opt.maxContext());
                prompt = tok.encode(sb.toString(), true, false);
            } else {
                JsonNode p = j.get("prompt");
                if (p == null || p.isNull()) throw new Invalid(400, "field 'prompt' is required (a string or an array of token ids)");
                if (p.isTextual()) {
                    dev.infercost.workload.PromptFileValidator.checkLength("prompt", p.asText(), tok, opt.maxContext());
                    prompt = tok.encode(p.asText(), true, false);
                }
                else if (p.isArray() && !p.isEmpty() && p.get(0).isTextual()) {
                    if (p.size() != 1) throw new Invalid(400, "field 'prompt': batches of prompts are not supported; send one request per prompt");
                    dev.infercost.workload.PromptFileValidator.checkLength("prompt[0]", p.get(0).asText(), tok, opt.maxContext());
                    prompt = tok.encode(p.get(0).asText(), true, false);
                } else if (p.isArray() && !p.isEmpty()) {
                    prompt = new int[p.size()];
                    int vocab = engine.config().vocabSize();
                    for (int i = 0; i < prompt.length; i++) {
                        JsonNode t = p.get(i);
                        if (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0 || t.asInt() >= vocab) // 2^32 + 1 must not wrap to 1
                            throw new Invalid(400, "prompt[" + i + "] = " + t + ": token ids must be integers in [0, " + vocab + ")");
                        prompt[i] = t.asInt();
                    }
                } else throw new Invalid(400, "field 'prompt' must be a string or a non-empty array of token ids");
            }
            if (prompt.length >= opt.maxContext())
                throw new Invalid(400, "prompt is " + prompt.length + " tokens; the context is " + opt.maxContext() + " (prompt + output)");
            int room = opt.maxContext() - prompt.length;
            int dflt = chat ? room : 16;
            maxTokens = intField(j, "max_tokens", -1, 1);
            if (maxTokens < 0) maxTokens = intField(j, "max_completion_tokens", dflt, 1);
            maxTokens = Math.min(maxTokens, room);
            stream = boolField(j, "stream");
            ignoreEos = boolField(j, "ignore_eos");
            JsonNode so = j.get("stream_options");
            usage = so != null && so.isObject() && so.path("include_usage").asBoolean(false);
        } catch (Invalid e) {
            error(resp, cb, e.status, e.getMessage(), e.status == 404 ? "not_found_error" : "invalid_request_error");
            return;
        } catch (BadInputException e) { // prompt text the tokenizer refuses (a lone surrogate) or too long for the context
            error(resp, cb, 400, e.getMessage(), "invalid_request_error");
            return;
        }

        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        ServingRunner.LiveRequest live = new ServingRunner.LiveRequest(new RequestSpec(0, prompt, maxTokens, ignoreEos), new ServingRunner.TokenSink() {
            @Override public void token(int token, long nanos) { events.add(token); }
            @Override public void done(String reason) { events.add(reason); }
        });
        inbox.add(live);
        String id = (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        Utf8Pieces text = new Utf8Pieces(tok, prompt[prompt.length - 1]);
        int count = 0;
        String finish;
        if (!stream) {
            StringBuilder all = new StringBuilder();
            while (true) {
                Object ev = take(events);
                if (ev instanceof Integer t) { count++; all.append(text.add(t)); }
                else { finish = (String) ev; break; }
            }
            if (finish.startsWith("rejected")) { error(resp, cb, 400, finish, "invalid_request_error"); return; }
            if (finish.startsWith("failed")) { error(resp, cb, 500, finish, "server_error"); return; }
            all.append(text.flush());
            ObjectNode root = JSON.createObjectNode().put("id", id).put("object", chat ? "chat.completion" : "text_completion")
                    .put("created", created).put("model", opt.servedModel());
            ObjectNode c = root.putArray("choices").addObject().put("index", 0);
            if (chat) c.putObject("message").put("role", "assistant").put("content", all.toString());
            else c.put("text", all.toString()).putNull("logprobs");
            c.put("finish_reason", finish);
            root.putObject("usage").put("prompt_tokens", prompt.length).put("completion_tokens", count).put("total_tokens", prompt.length + count);
            json(resp, cb, 200, root);
            return;
        }
        resp.setStatus(200);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        OutputStream out = Content.Sink.asOutputStream(resp);
        try {
            boolean first = true;
            while (true) {
                Object ev = take(events);
                String piece;
                if (ev instanceof Integer t) { count++; piece = text.add(t); }
                else {
                    finish = (String) ev;
                    break;
                }
                if (piece.isEmpty()) continue;
                send(out, chunk(id, created, chat, piece, null, first));
                first = false;
            }
            if (finish.startsWith("rejected") || finish.startsWith("failed")) {
                String type = finish.startsWith("failed") ? "server_error" : "invalid_request_error";
                send(out, JSON.createObjectNode().set("error", JSON.createObjectNode().put("message", finish).put("type", type)).toString());
            } else {
                String rest = text.flush();
                send(out, chunk(id, created, chat, rest, finish, first));
                if (usage) {
                    ObjectNode u = JSON.createObjectNode().put("id", id).put("object", chat ? "chat.completion.chunk" : "text_completion")
                            .put("created", created).put("model", opt.servedModel());
                    u.putArray("choices");
                    u.putObject("usage").put("prompt_tokens", prompt.length).put("completion_tokens", count).put("total_tokens", prompt.length + count);
                    send(out, u.toString());
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
            cb.succeeded();
        } catch (IOException e) {
            live.cancel();   // client gone: free the slot at the next step
            cb.failed(e);
        }
    }

    /** The next event of a request; "failed: ..." when the scheduler thread has died (never waits forever). */
    private Object take(LinkedBlockingQueue<Object> q) {
        try {
            while (true) {
                Object o = q.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (o != null) return o;
                Throwable f = schedulerFailure;
                if (f != null) return "failed: the scheduler stopped (" + f + ")";
                if (stopping) return "failed: the server is shutting down";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
        }
    }

    private String chunk(String id, long created, boolean chat, String piece, String finish, boolean first) {
        ObjectNode o = JSON.createObjectNode().put("id", id).put("object", chat ? "chat.completion.chunk" : "text_completion")
                .put("created", created).put("model", opt.servedModel());
        ObjectNode c = o.putArray("choices").addObject().put("index", 0);
        if (chat) {
            ObjectNode d = c.putObject("delta");
            if (first) d.put("role", "assistant");
            d.put("content", piece);
        } else c.put("text", piece).putNull("logprobs");
        if (finish == null) c.putNull("finish_reason"); else c.put("finish_reason", finish);
        return o.toString();
    }

    private static void send(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(Response resp, Callback cb, int status, JsonNode body) {
        resp.setStatus(status);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(resp, true, body.toString(), cb);
    }

    private static void error(Response resp, Callback cb, int status, String message, String type) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("message", message).put("type", type).put("code", status);
        json(resp, cb, status, e);
    }

    /**
     * Turns generated token ids into text as llama2.c prints them ({@link Tokenizer#decodePiece}), holding back
     * the bytes of an incomplete UTF-8 character (byte-fallback pieces) until it is complete.
     */
    static final class Utf8Pieces {
        private final Tokenizer tok;
        private int prev;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        /** @param last the prompt's last token (llama2.c decodes each piece after its predecessor) */
        Utf8Pieces(Tokenizer tok, int last) { this.tok = tok; this.prev = last; }

        /** Adds a token; returns the text that is now complete (may be empty). */
        String add(int token) {
            pending.writeBytes(tok.decodePiece(prev, token));
            prev = token;
            byte[] b = pending.toByteArray();
            int n = completePrefix(b);
            pending.reset();
            pending.write(b, n, b.length - n);
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }

        /** What is left at the end (an incomplete character decodes to U+FFFD). */
        String flush() {
            String s = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            return s;
        }

        /** Length of the longest prefix of {@code b} that does not end inside a UTF-8 character. */
        static int completePrefix(byte[] b) {
            int n = b.length;
            for (int back = 1; back <= Math.min(3, n); back++) {
                int x = b[n - back] & 0xFF;
                if ((x & 0xC0) == 0x80) continue;              // continuation byte: look further back
                int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : x >= 0xC0 ? 2 : 1;
                return need > back ? n - back : n;
            }
            return n;
        }
    }

    @Override public String toString() { return "OpenAiServer[" + uri() + ", " + opt.servedModel() + ", " + Arrays.asList(engine.backend(), engine.device()) + "]"; }
}
