package dev.infercost.bench.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.onnx.OnnxDecoder;
import dev.infercost.engine.onnx.OnnxEngine;
import dev.infercost.model.LlamaModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The harness's overhead over a bare ONNX Runtime loop on the same session: {@code harnessDecode} is one
 * batch-1 decode step through {@link DecodeSession} (small input tensors created, logits copied to the
 * caller, KV bookkeeping); {@code bareRun} is {@code OrtSession.run} on prebuilt inputs of the same shapes
 * (past KV of {@code context} positions) with the result closed. Overhead = harness / bare - 1 (µs per step).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OnnxOverheadBenchmark {
    @Param({"stories260K", "stories110M"})
    public String model;
    @Param({"contrib"})
    public String variant;
    @Param({"0"})
    public int threads;
    @Param({"64"})
    public int context;

    OnnxEngine engine;
    DecodeSession session;
    Map<String, OnnxTensor> bareInputs = new HashMap<>();
    OrtSession ort;
    int[] slot = {0}, token = {5}, position = new int[1];
    float[] logits;

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        LlamaModel m = dev.infercost.bench.DecoderState.load(model, "");
        engine = OnnxEngine.open(m, new EngineOptions(threads, null, Map.of("variant", variant)));
        session = engine.newSession(1, context + 1);
        int vocab = m.config().vocabSize();
        logits = new float[vocab];
        SplittableRandom rnd = new SplittableRandom(1);
        int[] fill = new int[context];
        for (int i = 0; i < context; i++) fill[i] = 3 + rnd.nextInt(vocab - 3);
        session.prefill(0, fill, 0, logits);
        position[0] = context;
        OnnxDecoder d = engine.decoder();
        ort = d.session();
        var env = d.environment();
        long[] mask = new long[context + 1];
        java.util.Arrays.fill(mask, 1);
        bareInputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[]{5}), new long[]{1, 1}));
        bareInputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[]{context}), new long[]{1, 1}));
        bareInputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[]{1, context + 1}));
        int n = d.kvHeads() * context * d.headSize();
        for (int l = 0; l < d.layers(); l++) {
            for (String kind : new String[]{"key", "value"}) {
                float[] kv = new float[n];
                for (int i = 0; i < n; i++) kv[i] = (float) rnd.nextGaussian();
                bareInputs.put("past_key_values." + l + "." + kind,
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(kv), new long[]{1, d.kvHeads(), context, d.headSize()}));
            }
        }
    }

    @Benchmark
    public float harnessDecode() {
        session.decode(1, slot, token, position, logits);
        return logits[0];
    }

    @Benchmark
    public long bareRun() throws OrtException {
        try (OrtSession.Result r = ort.run(bareInputs)) {
            return r.size();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        for (OnnxTensor t : bareInputs.values()) t.close();
        bareInputs.clear();
        session.close();
        engine.close();
    }
}
