package dev.infercost.measure.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A loopback OpenAI-style completions server (Jetty) whose behaviour per request is scripted by the test: the
 * {@link Script} gets the request's prompt token ids and writes the response through {@link Out}.
 */
final class ScriptedSseServer implements AutoCloseable {
    interface Script {
        void respond(int[] prompt, int maxTokens, Out out) throws Exception;
    }

    /** The response of one request. */
    static final class Out {
        final Response resp;
        final Callback cb;
        OutputStream os;

        Out(Response resp, Callback cb) { this.resp = resp; this.cb = cb; }

        OutputStream stream() {
            if (os == null) {
                resp.setStatus(200);
                resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                os = Content.Sink.asOutputStream(resp);
            }
            return os;
        }

        void raw(String s) throws Exception {
            stream().write(s.getBytes(StandardCharsets.UTF_8));
            stream().flush();
        }

        void chunk(String text) throws Exception {
            raw("data: {\"choices\":[{\"index\":0,\"text\":" + new ObjectMapper().writeValueAsString(text) + ",\"finish_reason\":null}]}\n\n");
        }

        void usage(int prompt, int completion) throws Exception {
            raw("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + "}}\n\n");
        }

        void done() throws Exception {
            raw("data: [DONE]\n\n");
            os.close();
            cb.succeeded();
        }

        void status(int code, String body) {
            resp.setStatus(code);
            Content.Sink.write(resp, true, body, cb);
        }

        /** Drops the connection mid-response. */
        void abort() {
            cb.failed(new java.io.IOException("scripted abort"));
        }
    }

    /** The Authorization header of the latest completion request (null if none). */
    volatile String lastAuthorization;
    private final Server server;
    private final ServerConnector conn;

    ScriptedSseServer(Script script) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(pool);
        conn = new ServerConnector(server);
        conn.setHost("127.0.0.1");
        conn.setPort(0);
        server.addConnector(conn);
        server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request req, Response resp, Callback cb) throws Exception {
                String path = Request.getPathInContext(req);
                if (path.equals("/v1/models")) {
                    Content.Sink.write(resp, true, "{\"data\":[{\"id\":\"scripted\"}]}", cb);
                    return true;
                }
                lastAuthorization = req.getHeaders().get("Authorization");
                JsonNode j;
                try (InputStream in = Request.asInputStream(req)) { j = new ObjectMapper().readTree(in); }
                JsonNode p = j.get("prompt");
                int[] ids = new int[p.size()];
                for (int i = 0; i < ids.length; i++) ids[i] = p.get(i).asInt();
                Out out = new Out(resp, cb);
                try {
                    script.respond(ids, j.path("max_tokens").asInt(), out);
                } catch (Exception e) {
                    cb.failed(e);
                }
                return true;
            }
        });
        server.start();
    }

    URI uri() { return URI.create("http://127.0.0.1:" + conn.getLocalPort()); }

    @Override public void close() throws Exception { server.stop(); }
}
