package dev.infercost.engine.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.model.GgufFile;
import dev.infercost.model.MappedTensor;
import dev.infercost.model.Tensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The block formats on the three llama-quantize fixtures (src/test/resources/gguf): the scalar reference
 * ({@link dev.infercost.model.Quants}, through {@link Tensor#dequantizeRow}) against gguf-py's independent numpy
 * dequantisers (dequant.golden.json: per-tensor sum, sum of squares and 16 sampled values), and the engine's
 * Vector API unpacking ({@link QuantKernels}, through {@link Kernels#dequantRow}) against the scalar reference on
 * every row of every tensor.
 */
class QuantKernelsTest {
    static final Path DIR = Path.of("src/test/resources/gguf");
    static final String[] FILES = {"rand256-legacy.gguf", "rand256-q4_k_m.gguf", "rand256-kmix.gguf"};

    @Test
    void scalarReferenceEqualsGgufPyDequantisation() throws Exception {
        JsonNode gold = new ObjectMapper().readTree(DIR.resolve("dequant.golden.json").toFile());
        Set<TensorType> seen = EnumSet.noneOf(TensorType.class);
        for (String f : FILES) {
            GgufFile g = new GgufFile(DIR.resolve(f));
            JsonNode file = gold.get(f);
            for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode want = e.getValue();
                Tensor t = g.tensor(e.getKey());
                assertEquals(want.get("type").asText(), t.type().name(), f + " " + e.getKey());
                seen.add(t.type());
                float[] v = t.toFloatArray();
                assertEquals(want.get("n").asInt(), v.length);
                double sum = 0, sumsq = 0;
                for (float x : v) { sum += x; sumsq += (double) x * x; }
                // float32 values summed in double on both sides: equal up to the order of additions
                assertEquals(want.get("sumsq").asDouble(), sumsq, 1e-9 * Math.abs(want.get("sumsq").asDouble()) + 1e-9, f + " " + e.getKey() + " sum of squares");
                assertEquals(want.get("sum").asDouble(), sum, 1e-9 * want.get("sumsq").asDouble() + 1e-9, f + " " + e.getKey() + " sum");
                for (int k = 0; k < want.get("idx").size(); k++) {
                    int i = want.get("idx").get(k).asInt();
                    double w = want.get("val").get(k).asDouble();
                    // gguf-py computes in float32 too; one rounding of difference allowed (d*q - m vs fused forms)
                    assertEquals(w, v[i], Math.abs(w) * 1e-6 + 1e-9, f + " " + e.getKey() + "[" + i + "]");
                    assertEquals(w, t.get(i), Math.abs(w) * 1e-6 + 1e-9, f + " " + e.getKey() + ".get(" + i + ")");
                }
            }
        }
        assertEquals(EnumSet.complementOf(EnumSet.of(TensorType.F16)), seen, "fixtures cover every type but F16");
    }

    @Test
    void vectorUnpackingEqualsScalarReference() {
        Set<TensorType> seen = EnumSet.noneOf(TensorType.class);
        for (String f : FILES) {
            GgufFile g = new GgufFile(DIR.resolve(f));
            for (String name : g.tensors().keySet()) {
                MappedTensor t = (MappedTensor) g.tensor(name);
                if (t.type() == TensorType.F32) continue;
                seen.add(t.type());
                float[] ref = new float[t.cols()], vec = new float[t.cols()];
                for (int r = 0; r < t.rows(); r++) {
                    t.dequantizeRow(r, ref, 0);
                    Kernels.dequantRow(t.type(), t.data(), r * t.rowBytes(), t.cols(), vec, 0);
                    for (int c = 0; c < t.cols(); c++)
                        // the vector forms fuse q*d - m into one fma: at most one rounding of |m| apart
                        if (!(Math.abs(ref[c] - vec[c]) <= 1e-6f * (Math.abs(ref[c]) + 1e-3f)))
                            fail(f + " " + name + " " + t.type() + " [" + r + ", " + c + "]: scalar " + ref[c] + ", vector " + vec[c]);
                }
            }
        }
        assertTrue(seen.containsAll(EnumSet.of(TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1, TensorType.Q8_0,
                TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K, TensorType.IQ4_NL,
                TensorType.IQ4_XS, TensorType.BF16)), "covered: " + seen);
        System.out.println("QuantKernels: vector path " + (QuantKernels.VECTOR ? "on" : "off (scalar fallback)") + ", " + QuantKernels.L + " float lanes");
    }
}
