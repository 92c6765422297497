package dev.infercost.model;

import dev.infercost.BadInputException;

/**
 * Hyper-parameters of a Llama-family decoder (as in llama2.c's {@code Config} and GGUF's {@code <arch>.*} metadata for
 * llama, qwen2, qwen3 and phi3).
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
 * @param headDim      per-head width of Q, K and V ({@code <arch>.attention.key_length} in GGUF); usually
 *                     dim / nHeads, but e.g. Qwen3-0.6B has dim 1024, 16 heads and head_dim 128, so Q is
 *                     nHeads * headDim = 2048 wide. 0 in the constructor means dim / nHeads.
 */
public record LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize,
                          int seqLen, float ropeTheta, float rmsNormEps, boolean sharedClassifier, int headDim) {
    /**
     * @throws BadInputException for a non-positive dimension, dim not divisible by nHeads (when headDim is 0),
     *         an odd head width (RoPE rotates pairs) or nHeads not a multiple of nKvHeads
     */
    public LlamaConfig {
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || vocabSize <= 0 || seqLen <= 0 || headDim < 0)
            throw new BadInputException("model config has a non-positive dimension: " + describe(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen)
                    + (headDim < 0 ? " head_dim=" + headDim : ""));
        if (headDim == 0) {
            if (dim % nHeads != 0)
                throw new BadInputException("model config: dim " + dim + " is not divisible by n_heads " + nHeads);
            headDim = dim / nHeads;
        }
        if ((long) nHeads * headDim > Integer.MAX_VALUE || (long) dim * headDim > (1L << 40))
            throw new BadInputException("model config: n_heads " + nHeads + " x head_dim " + headDim + " is too large (Q width overflows)");
        if (headDim % 2 != 0)
            throw new BadInputException("model config: head_dim " + headDim + " is odd (RoPE rotates pairs)");
        if (nHeads % nKvHeads != 0)
            throw new BadInputException("model config: n_heads " + nHeads + " is not a multiple of n_kv_heads " + nKvHeads);
    }

    /** A config whose head width is dim / nHeads (Llama 1/2/3, llama2.c). */
    public LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize,
                       int seqLen, float ropeTheta, float rmsNormEps, boolean sharedClassifier) {
        this(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen, ropeTheta, rmsNormEps, sharedClassifier, 0);
    }

    /** The same config with another seq_len (everything else kept). */
    public LlamaConfig withSeqLen(int s) {
        return new LlamaConfig(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, s, ropeTheta, rmsNormEps, sharedClassifier, headDim);
    }

    /** True when the head width is not dim / nHeads (Q is then {@link #qDim()} wide, not dim). */
    public boolean customHeadDim() { return headDim * nHeads != dim; }

    private static String describe(int... v) {
        return String.format("dim=%d hidden_dim=%d n_layers=%d n_heads=%d n_kv_heads=%d vocab_size=%d seq_len=%d",
                v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }

    /** Per-head width ({@link #headDim}; dim / nHeads unless the file says otherwise). */
    public int headSize() { return headDim; }

    /** Width of one position's Q vector and of the attention output = nHeads * headSize (dim for Llama). */
    public int qDim() { return nHeads * headDim; }

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
                + (long) dim * qDim() * 2             // wq, wo
                + (long) dim * kvDim() * 2            // wk, wv
                + (long) dim * hiddenDim * 3;         // w1, w2, w3
        long p = (long) vocabSize * dim + nLayers * perLayer + dim;
        if (!sharedClassifier) p += (long) vocabSize * dim;
        return p;
    }

    /**
     * Compact shape string for result tables, so a results folder can be costed and projected on another
     * machine without the model file: {@code dim/hidden/layers/heads/kv_heads/vocab/seq_len/rope_theta/tied|untied},
     * e.g. {@code 64/172/5/8/4/512/512/10000/tied}; a tenth field {@code hd=N} follows when the head width is not
     * dim / heads.
     */
    public String toShapeString() {
        return dim + "/" + hiddenDim + "/" + nLayers + "/" + nHeads + "/" + nKvHeads + "/" + vocabSize + "/" + seqLen + "/"
                + (ropeTheta == Math.rint(ropeTheta) ? Long.toString((long) ropeTheta) : Float.toString(ropeTheta))
                + "/" + (sharedClassifier ? "tied" : "untied") + (customHeadDim() ? "/hd=" + headDim : "");
    }

    /**
     * Parses {@link #toShapeString()} (RMSNorm eps is not part of the shape and is set to 1e-5).
     *
     * @throws BadInputException when the string does not have the nine fields (or ten, the last {@code hd=N})
     */
    public static LlamaConfig parseShape(String s) {
        String[] f = s.trim().split("/");
        try {
            if (f.length != 9 && !(f.length == 10 && f[9].startsWith("hd="))) throw new NumberFormatException("expected 9 fields");
            int hd = f.length == 10 ? Integer.parseInt(f[9].substring(3)) : 0;
            if (f.length == 10 && hd <= 0) throw new NumberFormatException("hd= must be positive");
            return new LlamaConfig(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]), Float.parseFloat(f[7]), 1e-5f,
                    switch (f[8]) { case "tied" -> true; case "untied" -> false; default -> throw new NumberFormatException("tied|untied"); }, hd);
        } catch (NumberFormatException e) {
            throw new BadInputException("model_shape '" + s + "': expected dim/hidden/layers/heads/kv_heads/vocab/seq_len/rope_theta/tied|untied[/hd=N] (" + e.getMessage() + ")");
        }
    }
}
