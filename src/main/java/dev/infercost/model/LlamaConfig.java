package dev.infercost.model;

import dev.infercost.BadInputException;

/**
 * Hyper-parameters of a Llama-architecture decoder (as in llama2.c's {@code Config} and GGUF's
 * {@code llama.*} metadata).
 *
 * @param dim          model width d_model
 * @param hiddenDim    SwiGLU FFN inner width
 * @param nLayers      transformer blocks
 * @param nHeads       query heads
 * @param nKvHeads     key/value heads (grouped-query attention when smaller than nHeads)
 * @param vocabSize    vocabulary size (classifier rows)
 * @param seqLen       maximum context length (positions)
 * @param ropeTheta    RoPE base (10000 for Llama 2, 500000 for Llama 3)
 * @param rmsNormEps   RMSNorm epsilon (1e-5 in llama2.c run.c)
 * @param sharedClassifier true when the classifier reuses the token-embedding table
 */
public record LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize,
                          int seqLen, float ropeTheta, float rmsNormEps, boolean sharedClassifier) {
    public LlamaConfig {
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || vocabSize <= 0 || seqLen <= 0)
            throw new BadInputException("model config has a non-positive dimension: " + describe(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen));
        if (dim % nHeads != 0)
            throw new BadInputException("model config: dim " + dim + " is not divisible by n_heads " + nHeads);
        if (nHeads % nKvHeads != 0)
            throw new BadInputException("model config: n_heads " + nHeads + " is not a multiple of n_kv_heads " + nKvHeads);
    }

    private static String describe(int... v) {
        return String.format("dim=%d hidden_dim=%d n_layers=%d n_heads=%d n_kv_heads=%d vocab_size=%d seq_len=%d",
                v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }

    /** Per-head width = dim / nHeads. */
    public int headSize() { return dim / nHeads; }

    /** Width of one position's K (or V) vector = nKvHeads * headSize. */
    public int kvDim() { return nKvHeads * headSize(); }

    /** Query heads sharing one KV head. */
    public int kvMul() { return nHeads / nKvHeads; }

    /**
     * Number of weight parameters, classifier counted once if shared (embedding + per-layer attention,
     * FFN and norms + final norm [+ classifier]).
     */
    public long parameterCount() {
        long perLayer = 2L * dim                      // rms_att, rms_ffn
                + (long) dim * dim * 2                // wq, wo
                + (long) dim * kvDim() * 2            // wk, wv
                + (long) dim * hiddenDim * 3;         // w1, w2, w3
        long p = (long) vocabSize * dim + nLayers * perLayer + dim;
        if (!sharedClassifier) p += (long) vocabSize * dim;
        return p;
    }

    /**
     * Compact shape string for result tables, so a results folder can be costed and projected on another
     * machine without the model file: {@code dim/hidden/layers/heads/kv_heads/vocab/seq_len/rope_theta/tied|untied},
     * e.g. {@code 64/172/5/8/4/512/512/10000/tied}.
     */
    public String toShapeString() {
        return dim + "/" + hiddenDim + "/" + nLayers + "/" + nHeads + "/" + nKvHeads + "/" + vocabSize + "/" + seqLen + "/"
                + (ropeTheta == Math.rint(ropeTheta) ? Long.toString((long) ropeTheta) : Float.toString(ropeTheta))
                + "/" + (sharedClassifier ? "tied" : "untied");
    }

    /**
     * Parses {@link #toShapeString()} (RMSNorm eps is not part of the shape and is set to 1e-5).
     *
     * @throws BadInputException when the string does not have the nine fields
     */
    public static LlamaConfig parseShape(String s) {
        String[] f = s.trim().split("/");
        try {
            if (f.length != 9) throw new NumberFormatException("expected 9 fields");
            return new LlamaConfig(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]), Float.parseFloat(f[7]), 1e-5f,
                    switch (f[8]) { case "tied" -> true; case "untied" -> false; default -> throw new NumberFormatException("tied|untied"); });
        } catch (NumberFormatException e) {
            throw new BadInputException("model_shape '" + s + "': expected dim/hidden/layers/heads/kv_heads/vocab/seq_len/rope_theta/tied|untied (" + e.getMessage() + ")");
        }
    }
}
