package dev.infercost.model;

import dev.infercost.BadInputException;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Builds a {@link LlamaModel} from a GGUF file of a Llama-family architecture ({@code general.architecture}):
 * <ul>
 * <li>{@code llama}: Llama 1/2/3.x, TinyLlama, SmolLM, and Mistral 7B files (llama.cpp converts Mistral to the llama
 *   architecture; like llama.cpp's llama graph this applies no sliding window, and MoE files, {@code expert_count}
 *   above 0, e.g. Mixtral, are refused); adjacent-pair RoPE, as llama2.c.</li>
 * <li>{@code qwen2}: Qwen2/2.5: Q/K/V biases, NEOX RoPE (pairs i and i + head/2).</li>
 * <li>{@code qwen3}: Qwen3 dense: per-head RMSNorm of Q and K ({@code attn_q_norm}, {@code attn_k_norm}) before NEOX
 *   RoPE, head width {@code qwen3.attention.key_length} (Q is heads x key_length wide, not always dim).</li>
 * <li>{@code phi3}: Phi-3/3.5 mini and medium: fused {@code attn_qkv} [q + k + v rows] and fused {@code ffn_up}
 *   [gate rows, then up rows, 2 x feed_forward_length] (ggml_swiglu takes silu of the first half), NEOX RoPE;
 *   LongRoPE files (128k context: {@code rope_factors_long/short}) are refused; {@code phi3.attention.sliding_window}
 *   is not applied, as llama.cpp's phi3 loader disables it.</li>
 * </ul>
 * Tensor names and graphs as llama.cpp's src/llama-arch.cpp and src/models/{llama,qwen2,qwen3,phi3}.cpp:
 * token_embd, blk.N.attn_norm, attn_q|attn_k|attn_v (or attn_qkv), optional .bias of each, attn_output (optional
 * bias), [attn_q_norm, attn_k_norm], ffn_norm, ffn_gate, ffn_up, ffn_down, output_norm, output [absent = tied].
 * Fused tensors are split by rows into views of the mapped file (no copy). A tensor the graph does not use is
 * refused (llama.cpp refuses such files too), so nothing in a file is silently ignored.
 * Config from {@code <arch>.*} keys: embedding_length, feed_forward_length, block_count, attention.head_count,
 * attention.head_count_kv (default head_count), attention.key_length/value_length (default dim/heads, must be
 * equal), context_length, rope.freq_base (default 10000), attention.layer_norm_rms_epsilon (default 1e-5),
 * rope.dimension_count (must equal the head width: partial RoPE is refused).
 *
 * <p>Tokenizer: {@link GgufTokenizers} ({@code tokenizer.ggml.model} llama = SentencePiece BPE, gpt2 = byte-level BPE).
 */
public final class GgufLoader {
    private GgufLoader() {}

    /** {@code general.architecture} values this loader builds, with what they cover (for messages). */
    public static final String SUPPORTED_ARCHITECTURES =
            "llama (Llama 1/2/3.x, Mistral, TinyLlama, SmolLM), qwen2 (Qwen2, Qwen2.5), qwen3 (Qwen3 dense), phi3 (Phi-3, Phi-3.5 mini/medium)";

    /** @throws BadInputException for anything the file lacks or has in an unsupported form */
    public static LlamaModel load(Path file) {
        GgufFile g = new GgufFile(file);
        String arch = g.getString("general.architecture", null);
        if (arch == null || !java.util.List.of("llama", "qwen2", "qwen3", "phi3").contains(arch))
            throw new BadInputException(file + ": general.architecture is " + (arch == null ? "missing" : arch.isBlank() ? "empty" : arch) + ", which is not supported; supported: " + SUPPORTED_ARCHITECTURES);
        String badTypes = g.unsupportedTypes();
        if (!badTypes.isEmpty())
            throw new BadInputException(file + ": unsupported tensor types: " + badTypes + "; supported: " + GgufFile.supportedTypes());
        long experts = g.getLong(arch + ".expert_count", 0);
        if (experts > 0)
            throw new BadInputException(file + ": " + arch + ".expert_count=" + experts + " (a mixture-of-experts model, e.g. Mixtral) is not supported; dense models only");
        Object[] tokens = array(g, "tokenizer.ggml.tokens");
        int vocab = tokens.length;
        int dim = (int) g.requireLong(arch + ".embedding_length");
        int nHeads = (int) g.requireLong(arch + ".attention.head_count");
        LlamaConfig cfg;
        boolean shared = !g.tensors().containsKey("output.weight");
        long keyLen = g.getLong(arch + ".attention.key_length", 0), valLen = g.getLong(arch + ".attention.value_length", keyLen);
        if (keyLen != valLen)
            throw new BadInputException(file + ": " + arch + ".attention.key_length=" + keyLen + " but value_length=" + valLen + " (different K and V head widths are not supported)");
        if (keyLen < 0 || keyLen > 1 << 16)
            throw new BadInputException(file + ": " + arch + ".attention.key_length=" + keyLen + " is out of range 1..65536");
        try {
            cfg = new LlamaConfig(dim, (int) g.requireLong(arch + ".feed_forward_length"), (int) g.requireLong(arch + ".block_count"),
                    nHeads, (int) g.getLong(arch + ".attention.head_count_kv", nHeads), vocab,
                    (int) g.requireLong(arch + ".context_length"), (float) g.getDouble(arch + ".rope.freq_base", 10000.0),
                    (float) g.getDouble(arch + ".attention.layer_norm_rms_epsilon", 1e-5), shared, (int) keyLen);
        } catch (BadInputException e) {
            if (e.getMessage().startsWith(file + ": ")) throw e; // a missing or mistyped key, already named with the file
            throw new BadInputException(file + ": " + e.getMessage());
        }
        long rot = g.getLong(arch + ".rope.dimension_count", cfg.headSize());
        if (rot != cfg.headSize())
            throw new BadInputException(file + ": " + arch + ".rope.dimension_count=" + rot + " but head size is " + cfg.headSize() + " (partial RoPE is not supported)");
        for (String lr : new String[]{"rope_factors_long.weight", "rope_factors_short.weight"})
            if (g.tensors().containsKey(lr))
                throw new BadInputException(file + ": tensor " + lr + " (Phi-3 LongRoPE, 128k-context scaling) is not supported; the 4k/8k-context variants load");

        Rope rope = rope(g, arch, cfg);

        Tokenizer tok = GgufTokenizers.load(g);

        int L = cfg.nLayers();
        int qDim = cfg.qDim(), kvDim = cfg.kvDim(), hidden = cfg.hiddenDim();
        Set<String> used = new java.util.HashSet<>();
        if (g.tensors().containsKey("rope_freqs.weight")) used.add("rope_freqs.weight");
        Tensor emb = take(g, used, "token_embd.weight", vocab, dim);
        Tensor[] rmsAtt = new Tensor[L], wq = new Tensor[L], wk = new Tensor[L], wv = new Tensor[L], wo = new Tensor[L],
                rmsFfn = new Tensor[L], w1 = new Tensor[L], w2 = new Tensor[L], w3 = new Tensor[L];
        Tensor[] bq = new Tensor[L], bk = new Tensor[L], bv = new Tensor[L], bo = new Tensor[L], qn = new Tensor[L], kn = new Tensor[L];
        Set<TensorType> types = EnumSet.noneOf(TensorType.class);
        for (int l = 0; l < L; l++) {
            String p = "blk." + l + ".";
            rmsAtt[l] = take(g, used, p + "attn_norm.weight", 1, dim);
            if (g.tensors().containsKey(p + "attn_qkv.weight")) {
                Tensor qkv = take(g, used, p + "attn_qkv.weight", qDim + 2 * kvDim, dim);
                wq[l] = rows(qkv, 0, qDim); wk[l] = rows(qkv, qDim, kvDim); wv[l] = rows(qkv, qDim + kvDim, kvDim);
            } else {
                wq[l] = take(g, used, p + "attn_q.weight", qDim, dim);
                wk[l] = take(g, used, p + "attn_k.weight", kvDim, dim);
                wv[l] = take(g, used, p + "attn_v.weight", kvDim, dim);
            }
            if (g.tensors().containsKey(p + "attn_qkv.bias")) {
                Tensor b = take(g, used, p + "attn_qkv.bias", 1, qDim + 2 * kvDim);
                float[] all = b.toFloatArray();
                bq[l] = f32(java.util.Arrays.copyOfRange(all, 0, qDim));
                bk[l] = f32(java.util.Arrays.copyOfRange(all, qDim, qDim + kvDim));
                bv[l] = f32(java.util.Arrays.copyOfRange(all, qDim + kvDim, qDim + 2 * kvDim));
            } else {
                bq[l] = optional(g, used, p + "attn_q.bias", 1, qDim);
                bk[l] = optional(g, used, p + "attn_k.bias", 1, kvDim);
                bv[l] = optional(g, used, p + "attn_v.bias", 1, kvDim);
            }
            wo[l] = take(g, used, p + "attn_output.weight", dim, qDim);
            bo[l] = optional(g, used, p + "attn_output.bias", 1, dim);
            if ("qwen3".equals(arch)) {
                qn[l] = take(g, used, p + "attn_q_norm.weight", 1, cfg.headSize());
                kn[l] = take(g, used, p + "attn_k_norm.weight", 1, cfg.headSize());
            }
            rmsFfn[l] = take(g, used, p + "ffn_norm.weight", 1, dim);
            if ("phi3".equals(arch)) {
                Tensor up = take(g, used, p + "ffn_up.weight", 2 * hidden, dim);
                w1[l] = rows(up, 0, hidden);      // ggml_swiglu: silu(first half) * second half
                w3[l] = rows(up, hidden, hidden);
            } else {
                w1[l] = take(g, used, p + "ffn_gate.weight", hidden, dim);
                w3[l] = take(g, used, p + "ffn_up.weight", hidden, dim);
            }
            w2[l] = take(g, used, p + "ffn_down.weight", dim, hidden);
            for (Tensor t : new Tensor[]{wq[l], wk[l], wv[l], wo[l], w1[l], w2[l], w3[l]}) types.add(t.type());
        }
        Tensor rmsFinal = take(g, used, "output_norm.weight", 1, dim);
        Tensor cls = shared ? emb : take(g, used, "output.weight", vocab, dim);
        java.util.List<String> unused = new java.util.ArrayList<>();
        for (String n : g.tensors().keySet()) if (!used.contains(n)) unused.add(n);
        if (!unused.isEmpty()) {
            java.util.Collections.sort(unused);
            throw new BadInputException(file + ": tensors not used by the " + arch + " graph (a variant this loader does not run; ignoring them would "
                    + "generate wrong text): " + String.join(", ", unused.subList(0, Math.min(6, unused.size())))
                    + (unused.size() > 6 ? " (+" + (unused.size() - 6) + " more)" : ""));
        }
        types.add(emb.type());
        types.add(cls.type());
        for (Tensor t : new Tensor[]{rmsFinal}) if (t.type() != TensorType.F32) types.add(t.type());
        LlamaWeights w = new LlamaWeights(emb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, cls,
                present(file, bq, "attn_q.bias"), present(file, bk, "attn_k.bias"), present(file, bv, "attn_v.bias"),
                present(file, bo, "attn_output.bias"), present(file, qn, "attn_q_norm.weight"), present(file, kn, "attn_k_norm.weight"));
        String name = file.getFileName().toString().replaceFirst("\\.gguf$", "");
        String dtype = types.size() == 1 ? types.iterator().next().name() : "mixed";
        return new LlamaModel(new ModelInfo(name, "gguf", file.toAbsolutePath().toString(), false, dtype, w.storedBytes()), cfg, w, tok, rope, arch);
    }

    /** Tensor {@code name}, checked to be [rows, cols], marked used. */
    private static Tensor take(GgufFile g, Set<String> used, String name, int rows, int cols) {
        used.add(name);
        return shape(g.path(), g.tensor(name), rows, cols, name);
    }

    /** Like {@link #take} but null when the file has no such tensor. */
    private static Tensor optional(GgufFile g, Set<String> used, String name, int rows, int cols) {
        return g.tensors().containsKey(name) ? take(g, used, name, rows, cols) : null;
    }

    /** The per-layer array, or null when no layer has the tensor; a file with it in some layers only is refused. */
    private static Tensor[] present(Path file, Tensor[] ts, String name) {
        int n = 0;
        for (Tensor t : ts) if (t != null) n++;
        if (n == 0) return null;
        if (n != ts.length) throw new BadInputException(file + ": tensor blk.N." + name + " is present in " + n + " of " + ts.length + " layers (all or none)");
        return ts;
    }

    /** Rows [r0, r0 + n) of a mapped tensor, as a view of the same memory (GGML rows are whole blocks). */
    static Tensor rows(Tensor t, int r0, int n) {
        MappedTensor m = (MappedTensor) t;
        return new MappedTensor(m.type(), n, m.cols(), m.data().asSlice(r0 * m.rowBytes(), n * m.rowBytes()));
    }

    private static Tensor f32(float[] v) {
        java.lang.foreign.MemorySegment s = java.lang.foreign.Arena.ofAuto().allocate(4L * v.length, 64);
        java.lang.foreign.MemorySegment.copy(v, 0, s, MappedTensor.F32, 0, v.length);
        return new MappedTensor(TensorType.F32, 1, v.length, s);
    }

    /**
     * RoPE as llama.cpp reads it (src/llama-model.cpp, llama_model::load_hparams; src/llama-context.cpp): scaling type
     * {@code <arch>.rope.scaling.type} (default "linear"), factor {@code <arch>.rope.scaling.factor} (or the older
     * {@code <arch>.rope.scale_linear}; 0 or absent = 1), freq_scale = 1/factor, forced to 1 for type "none"; per-pair
     * divisors from the optional {@code rope_freqs.weight} tensor (Llama 3.1 "llama3" scaling, applied by
     * ggml_rope_cache_init as theta/ff). YaRN (with a factor other than 1), LongRoPE and an attention factor other
     * than 1 are refused: generating without them would silently produce wrong text.
     *
     * @throws BadInputException for a scaling kind not applied here, or a rope_freqs tensor of the wrong length
     */
    static Rope rope(GgufFile g, String arch, LlamaConfig cfg) {
        Path file = g.path();
        String type = g.getString(arch + ".rope.scaling.type", "linear");
        double factor = g.getDouble(arch + ".rope.scaling.factor", g.getDouble(arch + ".rope.scale_linear", 0));
        float freqScale = factor == 0 ? 1f : (float) (1.0 / factor);
        switch (type) {
            case "none" -> freqScale = 1f;
            case "linear" -> { }
            case "yarn" -> {
                if (freqScale != 1f)
                    throw new BadInputException(file + ": " + arch + ".rope.scaling.type=yarn (factor " + factor
                            + ") is not supported; supported: none, linear, and rope_freqs.weight factors");
            }
            default -> throw new BadInputException(file + ": " + arch + ".rope.scaling.type=" + type
                    + " is not supported; supported: none, linear, and rope_freqs.weight factors");
        }
        double attnFactor = g.getDouble(arch + ".rope.scaling.attn_factor", 1.0);
        if (attnFactor != 1.0)
            throw new BadInputException(file + ": " + arch + ".rope.scaling.attn_factor=" + attnFactor + " is not supported (only 1)");
        float[] ff = null;
        if (g.tensors().containsKey("rope_freqs.weight")) {
            Tensor t = g.tensor("rope_freqs.weight");
            if (t.size() != cfg.headSize() / 2)
                throw new BadInputException(file + ": tensor rope_freqs.weight has " + t.size() + " elements, expected head_size/2 = " + cfg.headSize() / 2);
            ff = t.toFloatArray();
            for (int i = 0; i < ff.length; i++)
                if (!(ff[i] > 0) || !Float.isFinite(ff[i]))
                    throw new BadInputException(file + ": rope_freqs.weight[" + i + "] = " + ff[i] + " (must be a positive finite factor)");
        }
        return new Rope(cfg.ropeTheta(), ff, freqScale, !"llama".equals(arch)); // llama.cpp llama_model_rope_type: NEOX for qwen2/qwen3/phi3
    }

    private static Object[] array(GgufFile g, String key) {
        Object v = g.metadata().get(key);
        if (!(v instanceof Object[] a)) throw new BadInputException(g.path() + ": metadata " + key + " is missing or not an array");
        return a;
    }

    private static Tensor shape(Path file, Tensor t, int rows, int cols, String name) {
        if (t.rows() != rows || t.cols() != cols)
            throw new BadInputException(file + ": tensor " + name + " is [" + t.rows() + ", " + t.cols() + "] (rows, cols) but the config needs [" + rows + ", " + cols + "]");
        return t;
    }
}
