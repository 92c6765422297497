package dev.infercost.bench;

import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * JMH state shared by the decoder benchmarks: one model opened on one backend, with a KV-cache session
 * whose {@code batch} slots are each pre-filled to {@code context} positions. A decode step then feeds one
 * token per slot at position {@code context}, so every measured step attends over the same context
 * (the step rewrites the same KV position each time, which keeps the workload stationary).
 */
@State(Scope.Benchmark)
public class DecoderState {
    /** Model spec as accepted by {@link Models#load}: a file path or a preset name. */
    @Param({"stories110M"})
    public String model;
    /** Tokenizer path for llama2.c checkpoints ("" = look beside the model). */
    @Param({""})
    public String tokenizer;
    @Param({"jvm"})
    public String backend;
    /** Backend device selector ("" = default). */
    @Param({""})
    public String device;
    /** Worker threads (0 = all processors). */
    @Param({"0"})
    public int threads;
    /** Backend options for {@link EngineOptions#extra}, comma-separated key=value (e.g. "variant=standard,spinning=0" for onnx). */
    @Param({""})
    public String extra;
    /** Positions already in each slot's KV cache when a decode step runs. */
    @Param({"128"})
    public int context;
    /** Prompt length for the prefill benchmark (ISL). */
    @Param({"128"})
    public int isl;

    public LlamaModel loaded;
    public Engine engine;
    public DecodeSession session;
    public int batch;
    public int[] slots, tokens, positions, next, prompt;
    public float[] logits;

    /** Opens the engine and pre-fills {@code batch} slots; called by each benchmark's own state. */
    void open(int batch) {
        this.batch = batch;
        loaded = load(model, tokenizer);
        engine = Engines.require(backend).open(loaded, new EngineOptions(threads, device.isEmpty() ? null : device, extraOptions(extra)));
        int vocab = loaded.config().vocabSize();
        int maxContext = Math.min(loaded.config().seqLen(), Math.max(context, isl) + 1);
        session = engine.newSession(batch, maxContext);
        SplittableRandom rnd = new SplittableRandom(42);
        slots = new int[batch];
        tokens = new int[batch];
        positions = new int[batch];
        next = new int[batch];
        logits = new float[batch * vocab];
        int[] fill = new int[Math.min(context, maxContext - 1)];
        for (int i = 0; i < fill.length; i++) fill[i] = 3 + rnd.nextInt(vocab - 3);
        for (int b = 0; b < batch; b++) {
            slots[b] = b;
            tokens[b] = 3 + rnd.nextInt(vocab - 3);
            positions[b] = fill.length;
            if (fill.length > 0) session.prefill(b, fill, 0, logits);
        }
        prompt = new int[Math.min(isl, maxContext)];
        for (int i = 0; i < prompt.length; i++) prompt[i] = 3 + rnd.nextInt(vocab - 3);
    }

    /**
     * Loads {@code model} as {@link Models#load} does; "stories260K" alone names the real checkpoint in
     * {@code ../shared/models} (or {@code -Dinfercost.shared}) with its tok512.bin.
     */
    public static LlamaModel load(String model, String tokenizer) {
        if (model.equals("stories260K")) {
            Path dir = Path.of(System.getProperty("infercost.shared", "../shared"), "models");
            if (Files.isRegularFile(dir.resolve("stories260K.bin")))
                return Models.load(dir.resolve("stories260K.bin").toString(), dir.resolve("tok512.bin"));
        }
        return Models.load(model, tokenizer == null || tokenizer.isEmpty() ? null : Path.of(tokenizer));
    }

    /** "k=v,k=v" as a map; empty for "". @throws dev.infercost.BadInputException for a part without '=' */
    static Map<String, String> extraOptions(String spec) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) return m;
        for (String part : spec.split(",")) {
            int e = part.indexOf('=');
            if (e <= 0) throw new dev.infercost.BadInputException("extra '" + part + "': expected key=value");
            m.put(part.substring(0, e).trim(), part.substring(e + 1).trim());
        }
        return m;
    }

    @TearDown(Level.Trial)
    public void close() {
        if (session != null) session.close();
        if (engine != null) engine.close();
    }

    /** One greedy decode step over all slots; returns a token so JMH keeps the work alive. */
    int step() {
        session.decodeGreedy(batch, slots, tokens, positions, next, logits);
        return next[0];
    }

    /** Batch-size variants: JMH needs {@code @OperationsPerInvocation} constants, so each batch is a state. */
    public static class Batch1 extends DecoderState { @Setup(Level.Trial) public void setup() { open(1); } }
    public static class Batch8 extends DecoderState { @Setup(Level.Trial) public void setup() { open(8); } }
    public static class Batch32 extends DecoderState { @Setup(Level.Trial) public void setup() { open(32); } }
    /** Any batch size, as a JMH parameter (run with {@code -opi batchSize} so ops/s is tok/s). */
    public static class BatchN extends DecoderState {
        @Param({"1"})
        public int batchSize;
        @Setup(Level.Trial) public void setup() {
            if (batchSize < 1) throw new IllegalArgumentException("batchSize " + batchSize + ": expected >= 1");
            open(batchSize);
        }
    }
}
