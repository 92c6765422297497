package dev.infercost.engine.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infercost.BadInputException;
import dev.infercost.cli.Main;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.onnx.OnnxExporter;
import dev.infercost.engine.tornado.TornadoEngineProvider;
import dev.infercost.model.Llama2cFormat;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.LlamaWeights;
import dev.infercost.model.MappedTensor;
import dev.infercost.model.Models;
import dev.infercost.model.Rope;
import dev.infercost.model.Tensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.infercost.engine.jvm.GgufGoldenTest.DIR;
import static dev.infercost.engine.jvm.GgufGoldenTest.LOGPROB_TOL;
import static dev.infercost.engine.jvm.GgufGoldenTest.compare;
import static dev.infercost.engine.jvm.GgufGoldenTest.golden;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The qwen2, qwen3 and phi3 architectures against llama.cpp on the random-weight fixtures in src/test/resources/gguf
 * (made by make_random_llama.py --arch ..., quantised by llama-quantize, goldens by golden.py through llama-server;
 * commands in the README there): greedy tokens over 64 steps and the top-8 log-probabilities of every step, with
 * {@link GgufGoldenTest#compare}'s rules and tolerance (0.3: llama.cpp quantises activations to 8 bits before its
 * quantised dot products, this engine keeps them fp32; the fixtures' F32 parents, not committed, agreed with
 * llama.cpp to the figures in the README). Each architecture feature is also shown to matter: the same weights
 * without it leave llama.cpp's path, so a loader that dropped it would fail here.
 */
class ArchGoldenTest {
    @TempDir Path tmp;

    static LlamaModel load(String name) {
        return Models.load(DIR.resolve(name + ".gguf").toString(), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-q8_0", "qwen3-q8_0", "phi3-q4_k_m", "mistral-q8_0"})
    void greedyTokensAndLogprobsMatchLlamaCpp(String name) throws Exception {
        LlamaModel m = load(name);
        GgufGoldenTest.Result r = compare(m, golden(name), LOGPROB_TOL);
        System.out.printf("%s (%s): %d steps, greedy token = llama.cpp's at %d (rest near-ties), max |logprob diff| %.4f%n",
                name, m.architecture(), r.steps(), r.steps() - r.nearTies(), r.maxDiff());
        assertEquals(64, r.steps());
        assertTrue(r.maxDiff() <= LOGPROB_TOL, name + ": log-probabilities differ from llama.cpp's by " + r.maxDiff());
        assertTrue(r.nearTies() <= 3, name + ": " + r.nearTies() + " near-tie steps");
    }

    /** The same weights with one feature removed must fail the golden comparison (or move far from it). */
    static void assertLeavesLlamaCpp(LlamaModel changed, String golden, String what) throws Exception {
        AssertionError err = null;
        GgufGoldenTest.Result r = null;
        try {
            r = compare(changed, golden(golden), LOGPROB_TOL);
        } catch (AssertionError e) {
            err = e;
        }
        assertTrue(err != null || r.maxDiff() > 1.0, what + " should move the output off llama.cpp's: " + r);
    }

    static LlamaModel withRope(LlamaModel m, Rope r) {
        return new LlamaModel(m.info(), m.config(), m.weights(), m.tokenizer(), r, m.architecture());
    }

    static LlamaModel withWeights(LlamaModel m, LlamaWeights w) {
        return new LlamaModel(m.info(), m.config(), w, m.tokenizer(), m.rope(), m.architecture());
    }

    @Test
    void qwen2HasBiasesAndNeoxRopeAndBothMatter() throws Exception {
        LlamaModel m = load("qwen2-q8_0");
        LlamaWeights w = m.weights();
        assertEquals("qwen2", m.architecture());
        assertTrue(m.rope().neox());
        assertEquals(2, w.bq().length);
        assertEquals(128, w.bq()[0].cols());   // dim
        assertEquals(64, w.bk()[0].cols());    // 2 KV heads x 32
        assertNull(w.bo());
        assertFalse(w.hasQkNorm());
        assertLeavesLlamaCpp(withRope(m, new Rope(m.rope().theta(), null, 1f, false)), "qwen2-q8_0", "adjacent-pair instead of NEOX RoPE");
        assertLeavesLlamaCpp(withWeights(m, new LlamaWeights(w.tokenEmbedding(), w.rmsAtt(), w.wq(), w.wk(), w.wv(), w.wo(), w.rmsFfn(),
                w.w1(), w.w2(), w.w3(), w.rmsFinal(), w.classifier())), "qwen2-q8_0", "dropping the Q/K/V biases");
    }

    @Test
    void qwen3HasItsOwnHeadWidthAndQkNormThatMatters() throws Exception {
        LlamaModel m = load("qwen3-q8_0");
        LlamaWeights w = m.weights();
        assertEquals("qwen3", m.architecture());
        // qwen3.attention.key_length 64 with dim 128 and 4 heads: Q is 256 wide, K/V 128
        assertEquals(64, m.config().headSize());
        assertEquals(256, m.config().qDim());
        assertEquals(128, m.config().kvDim());
        assertEquals(256, w.wq()[0].rows());
        assertEquals(256, w.wo()[0].cols());
        assertEquals(64, w.qNorm()[0].cols());
        assertFalse(w.hasBiases());
        assertTrue(m.config().toShapeString().endsWith("/hd=64"), m.config().toShapeString());
        assertEquals(m.config().withSeqLen(m.config().seqLen()).toShapeString(),
                dev.infercost.model.LlamaConfig.parseShape(m.config().toShapeString()).withSeqLen(m.config().seqLen()).toShapeString());
        assertLeavesLlamaCpp(withWeights(m, new LlamaWeights(w.tokenEmbedding(), w.rmsAtt(), w.wq(), w.wk(), w.wv(), w.wo(), w.rmsFfn(),
                w.w1(), w.w2(), w.w3(), w.rmsFinal(), w.classifier())), "qwen3-q8_0", "dropping the Q/K RMSNorm");
    }

    @Test
    void phi3FusedTensorsAreSplitInPlaceAndTheOrderMatters() throws Exception {
        LlamaModel m = load("phi3-q4_k_m");
        LlamaWeights w = m.weights();
        assertEquals("phi3", m.architecture());
        assertTrue(m.rope().neox());
        assertEquals(256, w.wq()[0].rows());
        assertEquals(128, w.wk()[0].rows());
        assertEquals(128, w.wv()[0].rows());
        // views of the one mapped attn_qkv / ffn_up tensor, rows Q|K|V and gate|up, no copies
        MappedTensor q = (MappedTensor) w.wq()[0], k = (MappedTensor) w.wk()[0], v = (MappedTensor) w.wv()[0];
        assertEquals(q.data().address() + q.data().byteSize(), k.data().address());
        assertEquals(k.data().address() + k.data().byteSize(), v.data().address());
        MappedTensor gate = (MappedTensor) w.w1()[0], up = (MappedTensor) w.w3()[0];
        assertEquals(gate.data().address() + gate.data().byteSize(), up.data().address());
        assertEquals(TensorType.Q6_K, q.type()); // llama-quantize's Q4_K_M puts attn_qkv in Q6_K
        // gate and up swapped: silu of the wrong half
        Tensor[] g = w.w1(), u = w.w3();
        assertLeavesLlamaCpp(withWeights(m, new LlamaWeights(w.tokenEmbedding(), w.rmsAtt(), w.wq(), w.wk(), w.wv(), w.wo(), w.rmsFfn(),
                u, w.w2(), g, w.rmsFinal(), w.classifier())), "phi3-q4_k_m", "taking the halves of ffn_up the other way round");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-q8_0", "qwen3-q8_0", "phi3-q4_k_m"})
    void backendsWithoutTheGraphRefuseNamingTheArchitecture(String name) throws Exception {
        LlamaModel m = load(name);
        String arch = m.architecture();
        BadInputException onnx = assertThrows(BadInputException.class,
                () -> OnnxExporter.export(m, tmp.resolve(name + ".onnx"), OnnxExporter.Variant.STANDARD));
        assertTrue(onnx.getMessage().contains("architecture " + arch) && onnx.getMessage().contains("onnx export")
                && onnx.getMessage().contains(m.info().source()), onnx.getMessage());
        assertFalse(Files.exists(tmp.resolve(name + ".onnx")), "nothing written");
        BadInputException onnxBackend = assertThrows(BadInputException.class,
                () -> dev.infercost.engine.Engines.require("onnx").open(m, EngineOptions.defaults()));
        assertTrue(onnxBackend.getMessage().contains("architecture " + arch), onnxBackend.getMessage());
        BadInputException tornado = assertThrows(BadInputException.class,
                () -> new TornadoEngineProvider().open(m, new EngineOptions(1, null, Map.of())));
        assertTrue(tornado.getMessage().contains("architecture " + arch) && tornado.getMessage().contains("tornado"), tornado.getMessage());
        BadInputException l2c = assertThrows(BadInputException.class, () -> Llama2cFormat.write(m, tmp.resolve(name + ".bin")));
        assertTrue(l2c.getMessage().contains("architecture " + arch), l2c.getMessage());
        assertFalse(Files.exists(tmp.resolve(name + ".bin")), "nothing written");
        // through the CLI: exit status 2
        assertEquals(2, Main.execute("export", "--model", DIR.resolve(name + ".gguf").toString(), "--out", tmp.resolve(name + "-cli.bin").toString()));
        // verify skips the backends that cannot run the graph rather than reporting a failure
        assertEquals(0, Main.execute("verify", "--model", DIR.resolve(name + ".gguf").toString(), "--out", tmp.resolve("verify").toString(),
                "--steps", "2", "--prompts", "1", "--threads", "1"));
    }

    @Test
    void mistralStyleLlamaFileLoadsAsLlamaWithItsHeadWidth() {
        // llama arch with llama.attention.key_length 64 != dim/heads 32 (as Mistral NeMo), rope theta 1e6, and a
        // llama.attention.sliding_window key, which llama.cpp's llama graph does not read either
        LlamaModel m = load("mistral-q8_0");
        assertEquals("llama", m.architecture());
        assertEquals(64, m.config().headSize());
        assertEquals(256, m.config().qDim());
        assertEquals(1e6f, m.config().ropeTheta());
        assertFalse(m.rope().neox());
        assertEquals(java.util.List.of("head_dim 64 != dim/heads"), m.graphExtras());
        BadInputException e = assertThrows(BadInputException.class, () -> m.requireLlamaGraph("the onnx export"));
        assertTrue(e.getMessage().contains("head_dim 64 != dim/heads not supported by the onnx export"), e.getMessage());
    }

    @Test
    void aNonFiniteBiasIsCaughtByTheWeightScan() {
        LlamaModel m = load("qwen2-q8_0");
        LlamaWeights w = m.weights();
        float[] bad = w.bk()[1].toFloatArray();
        bad[5] = Float.NaN;
        java.lang.foreign.MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate(4L * bad.length);
        java.lang.foreign.MemorySegment.copy(bad, 0, seg, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, bad.length);
        Tensor[] bk = w.bk().clone();
        bk[1] = new MappedTensor(TensorType.F32, 1, bad.length, seg);
        LlamaModel nan = withWeights(m, new LlamaWeights(w.tokenEmbedding(), w.rmsAtt(), w.wq(), w.wk(), w.wv(), w.wo(), w.rmsFfn(),
                w.w1(), w.w2(), w.w3(), w.rmsFinal(), w.classifier(), w.bq(), bk, w.bv(), w.bo(), w.qNorm(), w.kNorm()));
        BadInputException e = assertThrows(BadInputException.class, () -> dev.infercost.model.ModelFileValidator.requireFiniteWeights(nan));
        assertTrue(e.getMessage().contains("weight layer 1 K bias [0, 5] is NaN"), e.getMessage());
    }

    @Test
    void theAccuracyGateSaysNotCheckedRatherThanFailWhenItsReferenceCannotRunTheGraph() {
        // a "fail" would drop the measured rows from cost; the onnx reference cannot run qwen2, so nothing was checked
        dev.infercost.engine.AccuracyGate.Verdict v = dev.infercost.engine.AccuracyGate.verdict(load("qwen2-q8_0"), "jvm");
        assertEquals("not-checked", v.status(), v.detail());
        assertTrue(v.detail().contains("qwen2"), v.detail());
    }

    @Test
    void llamaModelsStillRunEverywhere() {
        LlamaModel m = load("rand256-q4_k_m");
        assertEquals("llama", m.architecture());
        assertTrue(m.graphExtras().isEmpty(), m.graphExtras().toString());
        m.requireLlamaGraph("the onnx export"); // no exception
    }
}
