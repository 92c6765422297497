package dev.infercost.cli;

import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.serve.OpenAiServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code infercost serve}: an OpenAI-compatible HTTP server ({@link OpenAiServer}) over one engine with
 * continuous batching, until interrupted (Ctrl-C / SIGTERM).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"OpenAI-compatible server over an infercost engine (jvm, onnx, tornado) with continuous batching:",
                "POST /v1/completions, POST /v1/chat/completions (streaming SSE or not), GET /v1/models, GET /health.",
                "Greedy decoding. Bound to 127.0.0.1 unless --host says otherwise. Runs until interrupted."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", description = "model file (.bin, .gguf) or preset name (default: ../shared/models/stories260K.bin)")
    String model;
    @Option(names = "--tokenizer", description = "llama2.c tokenizer for .bin models (default: beside the model)")
    Path tokenizer;
    @Option(names = "--backend", defaultValue = "jvm", description = "engine backend: jvm | onnx | tornado (default ${DEFAULT-VALUE})")
    String backend;
    @Option(names = "--threads", defaultValue = "1", description = "engine threads, 0 = all processors (default ${DEFAULT-VALUE}, as generate and serve-bench: the scheduler thread runs the engine, and the HTTP handlers that stream each token, plus any load generator on the same host, need the other cores; on small models worker hand-offs cost more than they gain)")
    int threads;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "interface to bind (default ${DEFAULT-VALUE}; 0.0.0.0 exposes the server to the network)")
    String host;
    @Option(names = "--port", defaultValue = "8000", description = "TCP port, 0 = any free port (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--served-model-name", description = "model id clients send (default: the model's name)")
    String servedName;
    @Option(names = "--max-batch", defaultValue = "8", description = "continuous-batching slots (default ${DEFAULT-VALUE})")
    int maxBatch;
    @Option(names = "--max-context", description = "positions per slot, prompt + output (default: the model's context length)")
    Integer maxContext;
    @Option(names = "--max-prefill-tokens", defaultValue = "512", description = "prompt tokens prefilled per scheduler iteration (default ${DEFAULT-VALUE})")
    int maxPrefill;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "request body limit, bytes; larger bodies get 413 (default ${DEFAULT-VALUE})")
    int maxBody;

    @Override
    public Integer call() throws Exception {
        String spec = model;
        if (spec == null) {
            Path s = Path.of(System.getProperty("infercost.home", ".")).resolve("../shared/models/stories260K.bin").normalize();
            if (!Files.exists(s)) throw new dev.infercost.BadInputException("serve: no --model given and " + s + " does not exist");
            spec = s.toString();
        }
        LlamaModel m = Models.load(spec, tokenizer);
        int ctx = maxContext == null ? m.config().seqLen() : maxContext;
        if (ctx > m.config().seqLen()) m = Models.withContextLength(m, ctx);
        try (Engine e = Engines.require(backend).open(m, new EngineOptions(threads, null, Map.of()))) {
            OpenAiServer.Options o = new OpenAiServer.Options(host, port, servedName == null ? m.info().name() : servedName,
                    maxBatch, ctx, maxPrefill, maxBody);
            CountDownLatch stopped = new CountDownLatch(1);
            try (OpenAiServer s = OpenAiServer.start(e, m.tokenizer(), o)) {
                Thread hook = new Thread(() -> { s.close(); stopped.countDown(); }, "infercost-serve-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                System.out.printf("infercost serve: %s on %s %s, max batch %d, context %d, listening on %s (model id '%s')%n",
                        m.info().name(), e.backend(), e.device(), maxBatch, ctx, s.uri(), o.servedModel());
                System.out.flush();
                stopped.await();
            }
        }
        return 0;
    }
}
