package dev.infercost.engine.onnx;

import ai.onnx.proto.OnnxMl;
import dev.infercost.BadInputException;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.LlamaWeights;
import dev.infercost.model.Tensor;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.infercost.engine.onnx.OnnxGraph.attr;
import static dev.infercost.engine.onnx.OnnxGraph.attrs;
import static dev.infercost.engine.onnx.OnnxGraph.in;

/**
 * Exports a loaded Llama-architecture decoder ({@link LlamaModel}: llama2.c, GGUF, preset) to an ONNX
 * decoder with KV cache, in the Hugging Face Optimum I/O layout so that one engine runs infercost's own
 * exports and decoders users bring:
 * <pre>
 * inputs : input_ids [batch, seq] int64, attention_mask [batch, past+seq] int64 (1 = attend),
 *          position_ids [batch, seq] int64,
 *          past_key_values.L.key / .value [batch, n_kv_heads, past, head_size] float32   (L = 0..n_layers-1)
 * outputs: logits [batch, seq, vocab] float32,
 *          present.L.key / .value [batch, n_kv_heads, past+seq, head_size] float32 (= past concatenated with seq)
 * </pre>
 * Batch, seq and past are dynamic axes, so one graph serves prefill (past may be 0) and decode (seq 1).
 * Key j is visible to query i when {@code attention_mask[b, j] == 1} and {@code j <= past + i} (causal with
 * past), so sequences at different positions in one batch are padded with masked entries.
 * RoPE follows llama2.c run.c: adjacent pairs (2i, 2i+1) rotated by {@code pos * theta^(-2i/head_size)}
 * (the "interleaved" convention); RMSNorm {@code x / sqrt(mean(x^2) + eps) * w}; SwiGLU FFN
 * {@code w2(silu(w1 x) * w3 x)}; grouped-query attention maps query head h to KV head {@code h / (n_heads/n_kv_heads)}.
 *
 * <p>Variants: {@link Variant#STANDARD} uses only standard ONNX opset-17 operators (portable to any runtime);
 * {@link Variant#CONTRIB} uses the ONNX Runtime operators its own LLM exports use, per ONNX Runtime's
 * ContribOperators.md: {@code com.microsoft.RotaryEmbedding} (interleaved=1, cos/sin caches
 * [max_pos, head_size/2], position_ids [batch, seq]), {@code SimplifiedLayerNormalization} (RMSNorm,
 * registered by ORT in the ONNX domain) and {@code com.microsoft.SkipSimplifiedLayerNormalization}
 * (residual add + RMSNorm; output 3 is the sum). Attention stays standard MatMul/Softmax so both variants
 * keep the same padded-mask semantics.
 *
 * <p>Weights are written as fp32 (quantised GGUF tensors are dequantised). Model metadata
 * ({@code metadata_props}) records the {@link LlamaConfig} so the file can be reopened without its source.
 * Above {@link #EXTERNAL_DATA_THRESHOLD} bytes of weights (protobuf's 2 GiB message limit) the weights go
 * to an external data file {@code <name>.onnx.data} beside the model.
 */
public final class OnnxExporter {
    private OnnxExporter() {}

    /** Weight bytes above which initializers go to an external data file (protobuf messages are limited to 2 GiB). */
    public static final long EXTERNAL_DATA_THRESHOLD = 1_800_000_000L;
    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
    static final int BOOL = OnnxMl.TensorProto.DataType.BOOL_VALUE;
    static final String MS = "com.microsoft";

    /** Operator set of an export. */
    public enum Variant {
        /** Standard ONNX operators only (opset 17). */
        STANDARD,
        /** ONNX Runtime contrib operators (com.microsoft RotaryEmbedding, SkipSimplifiedLayerNormalization; SimplifiedLayerNormalization). */
        CONTRIB;

        public static Variant parse(String s) {
            for (Variant v : values()) if (v.name().equalsIgnoreCase(s)) return v;
            throw new BadInputException("unknown ONNX export variant '" + s + "'; expected standard or contrib");
        }
    }

    /** What an export wrote. @param externalData the external data file, or null when all weights are inline */
    public record Result(Path model, Path externalData, Variant variant, long weightBytes) {}

    private static final String NEVER = "export never overwrites (choose another --out)";

    /** Exports with external data only when needed. */
    public static Result export(LlamaModel model, Path out, Variant variant) {
        return export(model, out, variant, 4L * model.config().parameterCount() > EXTERNAL_DATA_THRESHOLD);
    }

    /**
     * Writes {@code model} as an ONNX decoder to {@code out}.
     *
     * @param forceExternal write all initializers of 1 KiB or more to {@code out + ".data"}
     * @throws BadInputException if {@code out} (or its {@code .data} file) exists already (never overwritten; exit 2)
     * @throws dev.infercost.IoFaultException if a file cannot be written (disk full, permission denied, a parent is
     *                                        a file; exit 3); missing parent folders are created
     */
    public static Result export(LlamaModel model, Path out, Variant variant, boolean forceExternal) {
        dev.infercost.results.OutputFiles.checkNew(out, NEVER);
        // the graph is llama2.c's: plain run.c RoPE tables, no biases or Q/K norms, head width dim/heads
        model.requireLlamaGraph("the onnx export");
        Path data = forceExternal ? out.resolveSibling(out.getFileName() + ".data") : null;
        if (data != null) dev.infercost.results.OutputFiles.checkNew(data, NEVER);
        // the shared atomic writer for both files: missing folders created, temp file + link, never overwrites,
        // I/O faults exit 3 naming the user's path; the .data file is removed again if the .onnx cannot be written
        OnnxMl.ModelProto[] proto = new OnnxMl.ModelProto[1];
        if (data != null) {
            dev.infercost.results.OutputFiles.write(data, NEVER, tmp -> {
                try (OutputStream ext = new BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.WRITE), 1 << 20)) {
                    proto[0] = build(model, variant, ext, data.getFileName().toString());
                }
            });
        } else {
            proto[0] = build(model, variant, null, null);
        }
        try {
            dev.infercost.results.OutputFiles.write(out, NEVER, tmp -> {
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.WRITE), 1 << 20)) {
                    proto[0].writeTo(os);
                }
            });
        } catch (RuntimeException e) {
            if (data != null) try { Files.deleteIfExists(data); } catch (IOException ignored) { }
            throw e;
        }
        return new Result(out, data, variant, 4L * model.config().parameterCount());
    }

    /** The metadata keys written into {@code metadata_props}. */
    static Map<String, String> metadata(LlamaModel m, Variant v) {
        LlamaConfig c = m.config();
        Map<String, String> md = new LinkedHashMap<>();
        md.put("infercost.exporter", "dev.infercost.engine.onnx.OnnxExporter");
        md.put("infercost.variant", v.name().toLowerCase());
        md.put("infercost.source.name", m.info().name());
        md.put("infercost.source.format", m.info().format());
        md.put("infercost.source", m.info().source());
        md.put("infercost.synthetic_weights", Boolean.toString(m.info().syntheticWeights()));
        md.put("infercost.source.dtype", m.info().dtype());
        md.put("llama.dim", Integer.toString(c.dim()));
        md.put("llama.hidden_dim", Integer.toString(c.hiddenDim()));
        md.put("llama.n_layers", Integer.toString(c.nLayers()));
        md.put("llama.n_heads", Integer.toString(c.nHeads()));
        md.put("llama.n_kv_heads", Integer.toString(c.nKvHeads()));
        md.put("llama.vocab_size", Integer.toString(c.vocabSize()));
        md.put("llama.seq_len", Integer.toString(c.seqLen()));
        md.put("llama.rope_theta", Float.toString(c.ropeTheta()));
        md.put("llama.rms_norm_eps", Float.toString(c.rmsNormEps()));
        md.put("llama.shared_classifier", Boolean.toString(c.sharedClassifier()));
        return md;
    }

    static OnnxMl.ModelProto build(LlamaModel m, Variant variant, OutputStream external, String externalLocation) {
        LlamaConfig c = m.config();
        LlamaWeights w = m.weights();
        int hs = c.headSize();
        OnnxGraph g = new OnnxGraph("infercost_llama_decoder");
        g.external = external;
        g.externalLocation = externalLocation;

        // ---- I/O (Optimum names) ----
        g.input("input_ids", INT64, "batch", "seq");
        g.input("attention_mask", INT64, "batch", "total");
        g.input("position_ids", INT64, "batch", "seq");
        for (int l = 0; l < c.nLayers(); l++) {
            g.input("past_key_values." + l + ".key", FLOAT, "batch", c.nKvHeads(), "past", hs);
            g.input("past_key_values." + l + ".value", FLOAT, "batch", c.nKvHeads(), "past", hs);
        }
        g.output("logits", FLOAT, "batch", "seq", c.vocabSize());
        for (int l = 0; l < c.nLayers(); l++) {
            g.output("present." + l + ".key", FLOAT, "batch", c.nKvHeads(), "total", hs);
            g.output("present." + l + ".value", FLOAT, "batch", c.nKvHeads(), "total", hs);
        }

        // ---- constants ----
        String zeroF = g.scalarFloat("zero_f", 0f);
        String negBig = g.scalarFloat("masked", -1e30f);
        String scale = g.scalarFloat("attn_scale", (float) (1.0 / Math.sqrt(hs)));
        String epsC = variant == Variant.STANDARD ? g.scalarFloat("eps", c.rmsNormEps()) : null;
        String zeroL = g.scalarLong("zero", 0);
        String oneL = g.scalarLong("one", 1);
        String ax1 = g.longs("axes_1", 1);
        String ax12 = g.longs("axes_1_2", 1, 2);
        String ax2 = c.kvMul() > 1 ? g.longs("axes_2", 2) : null;
        String shapeQ = g.longs("shape_q", 0, 0, c.nHeads(), hs);
        String shapeKv = g.longs("shape_kv", 0, 0, c.nKvHeads(), hs);
        String shapeQPairs = variant == Variant.STANDARD ? g.longs("shape_q_pairs", 0, 0, c.nHeads(), hs / 2, 2) : null;
        String shapeKvPairs = variant == Variant.STANDARD ? g.longs("shape_kv_pairs", 0, 0, c.nKvHeads(), hs / 2, 2) : null;
        String shapeBsd = g.longs("shape_bsd", 0, 0, c.dim());
        String shapeGqa = c.kvMul() > 1 ? g.longs("shape_gqa", 0, c.nHeads(), -1, hs) : null;
        String expandGqa = c.kvMul() > 1 ? g.longs("expand_gqa", 1, 1, c.kvMul(), 1, 1) : null;

        // ---- RoPE tables [seq_len, head_size/2], llama2.c run.c arithmetic in float ----
        float[] cosT = new float[c.seqLen() * hs / 2];
        float[] sinT = new float[c.seqLen() * hs / 2];
        for (int p = 0; p < c.seqLen(); p++)
            for (int i = 0; i < hs / 2; i++) {
                float freq = (float) (1.0 / Math.pow(c.ropeTheta(), (2 * i) / (float) hs));
                float val = p * freq;
                cosT[p * hs / 2 + i] = (float) Math.cos(val);
                sinT[p * hs / 2 + i] = (float) Math.sin(val);
            }
        String cosCache = g.floats("rope_cos", cosT, c.seqLen(), hs / 2);
        String sinCache = g.floats("rope_sin", sinT, c.seqLen(), hs / 2);

        // ---- attention bias [batch, 1, seq, total]: 0 where visible, -1e30 where masked ----
        String total = g.op("Shape", in("attention_mask"), attr("start", 1), attr("end", 2));
        String seq = g.op("Shape", in("input_ids"), attr("start", 1), attr("end", 2));
        String past = g.op("Sub", in(total, seq));
        String kpos = g.op("Range", in(zeroL, g.op("Squeeze", in(total)), oneL));
        String qpos = g.op("Add", in(g.op("Range", in(zeroL, g.op("Squeeze", in(seq)), oneL)), g.op("Squeeze", in(past))));
        String causal = g.op("LessOrEqual", in(kpos, g.op("Unsqueeze", in(qpos, ax1))));          // [seq, total]
        String pad = g.op("Unsqueeze", in(g.op("Cast", in("attention_mask"), attr("to", BOOL)), ax12)); // [b,1,1,total]
        String bias = g.op("Where", in(g.op("And", in(causal, pad)), zeroF, negBig));

        String cosB = null, sinB = null;
        if (variant == Variant.STANDARD) {
            String ax24 = g.longs("axes_2_4", 2, 4);
            cosB = g.op("Unsqueeze", in(g.op("Gather", in(cosCache, "position_ids")), ax24)); // [b,s,1,hs/2,1]
            sinB = g.op("Unsqueeze", in(g.op("Gather", in(sinCache, "position_ids")), ax24));
        }

        // ---- embeddings ----
        String embed = g.floats("tok_embeddings", w.tokenEmbedding().toFloatArray(), c.vocabSize(), c.dim());
        String x = g.op("Gather", in(embed, "input_ids"));
        String h;
        if (variant == Variant.CONTRIB) {
            h = g.op("SimplifiedLayerNormalization", in(x, vec(g, "rms_att_0", w.rmsAtt()[0])), attr("axis", -1), attr("epsilon", c.rmsNormEps()));
        } else {
            h = rmsNorm(g, x, vec(g, "rms_att_0", w.rmsAtt()[0]), epsC);
        }

        for (int l = 0; l < c.nLayers(); l++) {
            String q = g.op("MatMul", in(h, linear(g, "wq_" + l, w.wq()[l])));
            String k = g.op("MatMul", in(h, linear(g, "wk_" + l, w.wk()[l])));
            String v = g.op("MatMul", in(h, linear(g, "wv_" + l, w.wv()[l])));
            if (variant == Variant.CONTRIB) {
                q = g.opDomain(MS, "RotaryEmbedding", in(q, "position_ids", cosCache, sinCache), attr("interleaved", 1), attr("num_heads", c.nHeads()));
                k = g.opDomain(MS, "RotaryEmbedding", in(k, "position_ids", cosCache, sinCache), attr("interleaved", 1), attr("num_heads", c.nKvHeads()));
                q = g.op("Reshape", in(q, shapeQ));
                k = g.op("Reshape", in(k, shapeKv));
            } else {
                q = ropeStandard(g, q, shapeQPairs, shapeQ, cosB, sinB);
                k = ropeStandard(g, k, shapeKvPairs, shapeKv, cosB, sinB);
            }
            v = g.op("Reshape", in(v, shapeKv));
            String perm = "perm";
            q = g.op("Transpose", in(q), attrs(perm, 0, 2, 1, 3));   // [b, H, s, hs]
            k = g.op("Transpose", in(k), attrs(perm, 0, 2, 1, 3));   // [b, Hkv, s, hs]
            v = g.op("Transpose", in(v), attrs(perm, 0, 2, 1, 3));
            String presentK = "present." + l + ".key", presentV = "present." + l + ".value";
            g.node("", "Concat", in("past_key_values." + l + ".key", k), new String[]{presentK}, attr("axis", 2));
            g.node("", "Concat", in("past_key_values." + l + ".value", v), new String[]{presentV}, attr("axis", 2));
            String kk = presentK, vv = presentV;
            if (c.kvMul() > 1) {
                kk = g.op("Reshape", in(g.op("Expand", in(g.op("Unsqueeze", in(kk, ax2)), expandGqa)), shapeGqa));
                vv = g.op("Reshape", in(g.op("Expand", in(g.op("Unsqueeze", in(vv, ax2)), expandGqa)), shapeGqa));
            }
            String scores = g.op("Mul", in(g.op("MatMul", in(q, g.op("Transpose", in(kk), attrs(perm, 0, 1, 3, 2)))), scale));
            String probs = g.op("Softmax", in(g.op("Add", in(scores, bias))), attr("axis", -1));
            String att = g.op("MatMul", in(probs, vv));                                   // [b, H, s, hs]
            att = g.op("Reshape", in(g.op("Transpose", in(att), attrs(perm, 0, 2, 1, 3)), shapeBsd));
            String o = g.op("MatMul", in(att, linear(g, "wo_" + l, w.wo()[l])));

            String h2;
            if (variant == Variant.CONTRIB) {
                String y = g.fresh("ffn_in"), sum = g.fresh("resid");
                g.node(MS, "SkipSimplifiedLayerNormalization", in(o, x, vec(g, "rms_ffn_" + l, w.rmsFfn()[l])),
                        new String[]{y, "", "", sum}, attr("epsilon", c.rmsNormEps()));
                x = sum;
                h2 = y;
            } else {
                x = g.op("Add", in(x, o));
                h2 = rmsNorm(g, x, vec(g, "rms_ffn_" + l, w.rmsFfn()[l]), epsC);
            }
            String gate = g.op("MatMul", in(h2, linear(g, "w1_" + l, w.w1()[l])));
            String up = g.op("MatMul", in(h2, linear(g, "w3_" + l, w.w3()[l])));
            String act = g.op("Mul", in(g.op("Mul", in(gate, g.op("Sigmoid", in(gate)))), up));
            String f = g.op("MatMul", in(act, linear(g, "w2_" + l, w.w2()[l])));

            Tensor nextNorm = l + 1 < c.nLayers() ? w.rmsAtt()[l + 1] : w.rmsFinal();
            String nextName = l + 1 < c.nLayers() ? "rms_att_" + (l + 1) : "rms_final";
            if (variant == Variant.CONTRIB) {
                String y = g.fresh("norm_out"), sum = g.fresh("resid");
                g.node(MS, "SkipSimplifiedLayerNormalization", in(f, x, vec(g, nextName, nextNorm)),
                        new String[]{y, "", "", sum}, attr("epsilon", c.rmsNormEps()));
                x = sum;
                h = y;
            } else {
                x = g.op("Add", in(x, f));
                h = rmsNorm(g, x, vec(g, nextName, nextNorm), epsC);
            }
        }
        String cls = w.classifier() == w.tokenEmbedding()
                ? g.op("Transpose", in(embed), attrs("perm", 1, 0))
                : linear(g, "classifier", w.classifier());
        g.node("", "MatMul", in(h, cls), new String[]{"logits"});

        OnnxMl.ModelProto.Builder mp = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("infercost")
                .setProducerVersion("0.1.0")
                .setDomain("dev.infercost")
                .setDocString("Llama decoder with KV cache exported by infercost from " + m.info().source())
                .setGraph(g.g);
        mp.addOpsetImportBuilder().setDomain("").setVersion(17);
        if (variant == Variant.CONTRIB) mp.addOpsetImportBuilder().setDomain(MS).setVersion(1);
        for (Map.Entry<String, String> e : metadata(m, variant).entrySet())
            mp.addMetadataPropsBuilder().setKey(e.getKey()).setValue(e.getValue());
        return mp.build();
    }

    /** RMSNorm from standard ops: x * 1/sqrt(mean(x^2, -1) + eps) * w (llama2.c rmsnorm). */
    private static String rmsNorm(OnnxGraph g, String x, String weight, String eps) {
        String ms = g.op("ReduceMean", in(g.op("Mul", in(x, x))), attrs("axes", -1), attr("keepdims", 1));
        String inv = g.op("Reciprocal", in(g.op("Sqrt", in(g.op("Add", in(ms, eps))))));
        return g.op("Mul", in(g.op("Mul", in(x, inv)), weight));
    }

    /** Interleaved RoPE from standard ops on [b, s, heads*hs] -> [b, s, heads, hs]. */
    private static String ropeStandard(OnnxGraph g, String x, String pairsShape, String headShape, String cos, String sin) {
        String pairs = g.op("Reshape", in(x, pairsShape));                    // [b, s, H, hs/2, 2]
        String x0 = g.fresh("even"), x1 = g.fresh("odd");
        g.node("", "Split", in(pairs), new String[]{x0, x1}, attr("axis", 4));
        String r0 = g.op("Sub", in(g.op("Mul", in(x0, cos)), g.op("Mul", in(x1, sin))));
        String r1 = g.op("Add", in(g.op("Mul", in(x0, sin)), g.op("Mul", in(x1, cos))));
        return g.op("Reshape", in(g.op("Concat", in(r0, r1), attr("axis", 4)), headShape));
    }

    /** A linear weight [out, in] stored transposed as [in, out] for MatMul(x, W^T). */
    private static String linear(OnnxGraph g, String name, Tensor t) {
        int rows = t.rows(), cols = t.cols();
        if ((long) rows * cols > Integer.MAX_VALUE) throw new BadInputException(name + ": " + rows + "x" + cols + " is too large for one export array");
        float[] tr = new float[rows * cols];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            t.dequantizeRow(r, row, 0);
            for (int col = 0; col < cols; col++) tr[col * rows + r] = row[col];
        }
        return g.floats(name, tr, cols, rows);
    }

    private static String vec(OnnxGraph g, String name, Tensor t) {
        return g.floats(name, t.toFloatArray(), t.size());
    }
}
