package dev.infercost.model;

import dev.infercost.BadInputException;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Builds a {@link LlamaModel} from a GGUF file with {@code general.architecture = llama} (llama.cpp tensor
 * names: token_embd, blk.N.attn_norm|attn_q|attn_k|attn_v|attn_output|ffn_norm|ffn_gate|ffn_down|ffn_up,
 * output_norm, output [optional: absent = shared classifier]). Config from {@code llama.*} keys;
 * {@code llama.rope.freq_base} (default 10000) and {@code llama.attention.layer_norm_rms_epsilon} (default 1e-5).
 * Q/K rows are taken as stored: llama.cpp's llama rope rotates adjacent pairs, as llama2.c does.
 *
 * <p>Tokenizer: {@link GgufTokenizers} ({@code tokenizer.ggml.model} llama = SentencePiece BPE, gpt2 = byte-level BPE).
 */
public final class GgufLoader {
    private GgufLoader() {}

    /** @throws BadInputException for anything the file lacks or has in an unsupported form */
    public static LlamaModel load(Path file) {
        GgufFile g = new GgufFile(file);
        String arch = g.getString("general.architecture", null);
        if (!"llama".equals(arch))
            throw new BadInputException(file + ": general.architecture is " + arch + "; supported: llama (Llama 1/2/3.x, Mistral, TinyLlama, SmolLM)");
        String badTypes = g.unsupportedTypes();
        if (!badTypes.isEmpty())
            throw new BadInputException(file + ": unsupported tensor types: " + badTypes + "; supported: " + GgufFile.supportedTypes());
        Object[] tokens = array(g, "tokenizer.ggml.tokens");
        int vocab = tokens.length;
        int dim = (int) g.requireLong("llama.embedding_length");
        int nHeads = (int) g.requireLong("llama.attention.head_count");
        LlamaConfig cfg;
        boolean shared = !g.tensors().containsKey("output.weight");
        try {
            cfg = new LlamaConfig(dim, (int) g.requireLong("llama.feed_forward_length"), (int) g.requireLong("llama.block_count"),
                    nHeads, (int) g.getLong("llama.attention.head_count_kv", nHeads), vocab,
                    (int) g.requireLong("llama.context_length"), (float) g.getDouble("llama.rope.freq_base", 10000.0),
                    (float) g.getDouble("llama.attention.layer_norm_rms_epsilon", 1e-5), shared);
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
        long rot = g.getLong("llama.rope.dimension_count", cfg.headSize());
        if (rot != cfg.headSize())
            throw new BadInputException(file + ": llama.rope.dimension_count=" + rot + " but head size is " + cfg.headSize() + " (partial RoPE is not supported)");

        Rope rope = rope(g, "llama", cfg);

        Tokenizer tok = GgufTokenizers.load(g);

        int L = cfg.nLayers();
        Tensor emb = shape(file, g.tensor("token_embd.weight"), vocab, dim, "token_embd.weight");
        Tensor[] rmsAtt = new Tensor[L], wq = new Tensor[L], wk = new Tensor[L], wv = new Tensor[L], wo = new Tensor[L],
                rmsFfn = new Tensor[L], w1 = new Tensor[L], w2 = new Tensor[L], w3 = new Tensor[L];
        Set<TensorType> types = EnumSet.noneOf(TensorType.class);
        for (int l = 0; l < L; l++) {
            String p = "blk." + l + ".";
            rmsAtt[l] = shape(file, g.tensor(p + "attn_norm.weight"), 1, dim, p + "attn_norm.weight");
            wq[l] = shape(file, g.tensor(p + "attn_q.weight"), dim, dim, p + "attn_q.weight");
            wk[l] = shape(file, g.tensor(p + "attn_k.weight"), cfg.kvDim(), dim, p + "attn_k.weight");
            wv[l] = shape(file, g.tensor(p + "attn_v.weight"), cfg.kvDim(), dim, p + "attn_v.weight");
            wo[l] = shape(file, g.tensor(p + "attn_output.weight"), dim, dim, p + "attn_output.weight");
            rmsFfn[l] = shape(file, g.tensor(p + "ffn_norm.weight"), 1, dim, p + "ffn_norm.weight");
            w1[l] = shape(file, g.tensor(p + "ffn_gate.weight"), cfg.hiddenDim(), dim, p + "ffn_gate.weight");
            w2[l] = shape(file, g.tensor(p + "ffn_down.weight"), dim, cfg.hiddenDim(), p + "ffn_down.weight");
            w3[l] = shape(file, g.tensor(p + "ffn_up.weight"), cfg.hiddenDim(), dim, p + "ffn_up.weight");
            for (Tensor t : new Tensor[]{wq[l], wk[l], wv[l], wo[l], w1[l], w2[l], w3[l]}) types.add(t.type());
        }
        Tensor rmsFinal = shape(file, g.tensor("output_norm.weight"), 1, dim, "output_norm.weight");
        Tensor cls = shared ? emb : shape(file, g.tensor("output.weight"), vocab, dim, "output.weight");
        types.add(emb.type());
        types.add(cls.type());
        for (Tensor t : new Tensor[]{rmsFinal}) if (t.type() != TensorType.F32) types.add(t.type());
        LlamaWeights w = new LlamaWeights(emb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, cls);
        String name = file.getFileName().toString().replaceFirst("\\.gguf$", "");
        String dtype = types.size() == 1 ? types.iterator().next().name() : "mixed";
        return new LlamaModel(new ModelInfo(name, "gguf", file.toAbsolutePath().toString(), false, dtype, w.storedBytes()), cfg, w, tok, rope);
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
        return new Rope(cfg.ropeTheta(), ff, freqScale, false);
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
