package dev.infercost.bench.onnx;

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
 * Decode on backend "onnx" (exported graph, ONNX Runtime CPU) beside "jvm", same model, same state:
 * {@code batch} slots pre-filled to {@code context} positions with random tokens; each measured step feeds
 * one token per slot at position {@code context} (rewriting the same KV position, so every step attends over
 * the same context and the workload is stationary).
 */
@State(Scope.Benchmark)
public class OnnxBenchState {
    /** "stories260K" (the real checkpoint in ../shared/models, or -Dinfercost.shared), a model path, or a preset name. */
    @Param({"stories260K", "stories110M"})
    public String model;
    @Param({"onnx", "jvm"})
    public String backend;
    /** ONNX export variant (ignored by other backends). */
    @Param({"contrib"})
    public String variant;
    @Param({"0"})
    public int threads;
    @Param({"64"})
    public int context;

    public LlamaModel loaded;
    public Engine engine;
    public DecodeSession session;
    public int batch;
    public int[] slots, tokens, positions, next;
    public float[] logits;

    /** Resolves "stories260K" to the shared checkpoint; anything else goes to {@link Models#load}. */
    public static LlamaModel load(String model) {
        if (model.equals("stories260K")) {
            Path dir = Path.of(System.getProperty("infercost.shared", "../shared"), "models");
            if (Files.isRegularFile(dir.resolve("stories260K.bin")))
                return Models.load(dir.resolve("stories260K.bin").toString(), dir.resolve("tok512.bin"));
        }
        return Models.load(model, null);
    }

    void open(int batch) {
        this.batch = batch;
        loaded = load(model);
        engine = Engines.require(backend).open(loaded, new EngineOptions(threads, null, Map.of("variant", variant)));
        int vocab = loaded.config().vocabSize();
        session = engine.newSession(batch, Math.min(loaded.config().seqLen(), context + 1));
        SplittableRandom rnd = new SplittableRandom(42);
        slots = new int[batch];
        tokens = new int[batch];
        positions = new int[batch];
        next = new int[batch];
        logits = new float[batch * vocab];
        int[] fill = new int[context];
        for (int i = 0; i < fill.length; i++) fill[i] = 3 + rnd.nextInt(vocab - 3);
        for (int b = 0; b < batch; b++) {
            slots[b] = b;
            tokens[b] = 3 + rnd.nextInt(vocab - 3);
            positions[b] = context;
            session.prefill(b, fill, 0, logits);
        }
    }

    int step() {
        session.decodeGreedy(batch, slots, tokens, positions, next, logits);
        return next[0];
    }

    @TearDown(Level.Trial)
    public void close() {
        if (session != null) session.close();
        if (engine != null) engine.close();
    }

    public static class Batch1 extends OnnxBenchState { @Setup(Level.Trial) public void setup() { open(1); } }
    public static class Batch8 extends OnnxBenchState { @Setup(Level.Trial) public void setup() { open(8); } }
    public static class Batch32 extends OnnxBenchState { @Setup(Level.Trial) public void setup() { open(32); } }
}
