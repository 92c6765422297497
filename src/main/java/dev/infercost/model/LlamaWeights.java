package dev.infercost.model;

/**
 * All weights of a Llama-family decoder. Per-layer arrays have length {@code nLayers}. Shapes are
 * {@code [rows, cols]} = {@code [out, in]} (see {@link Tensor}), with qDim = nHeads * headSize (dim for Llama) and
 * kvDim = nKvHeads * headSize:
 * tokenEmbedding [vocab, dim]; rmsAtt[l], rmsFfn[l], rmsFinal [1, dim];
 * wq[l] [qDim, dim]; wo[l] [dim, qDim]; wk[l], wv[l] [kvDim, dim]; w1[l] (gate), w3[l] (up) [hidden, dim];
 * w2[l] (down) [dim, hidden]; classifier [vocab, dim] (the same object as tokenEmbedding when shared).
 * Q and K rows are in the file's order; the model's {@link Rope#neox()} says which pairs rotate.
 *
 * <p>Optional parts (null array = absent in every layer): bq[l] [1, qDim], bk[l], bv[l] [1, kvDim] (Qwen2's Q/K/V
 * biases), bo[l] [1, dim] (an attention-output bias, which llama.cpp's llama graph accepts); qNorm[l], kNorm[l]
 * [1, headSize] (Qwen3's per-head RMSNorm of Q and K before RoPE).
 */
public record LlamaWeights(Tensor tokenEmbedding, Tensor[] rmsAtt, Tensor[] wq, Tensor[] wk, Tensor[] wv, Tensor[] wo,
                           Tensor[] rmsFfn, Tensor[] w1, Tensor[] w2, Tensor[] w3, Tensor rmsFinal, Tensor classifier,
                           Tensor[] bq, Tensor[] bk, Tensor[] bv, Tensor[] bo, Tensor[] qNorm, Tensor[] kNorm) {

    /** Weights of the plain Llama graph (no biases, no Q/K norms). */
    public LlamaWeights(Tensor tokenEmbedding, Tensor[] rmsAtt, Tensor[] wq, Tensor[] wk, Tensor[] wv, Tensor[] wo,
                        Tensor[] rmsFfn, Tensor[] w1, Tensor[] w2, Tensor[] w3, Tensor rmsFinal, Tensor classifier) {
        this(tokenEmbedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, classifier, null, null, null, null, null, null);
    }

    /** True when the attention has a Q, K, V or output bias. */
    public boolean hasBiases() { return bq != null || bk != null || bv != null || bo != null; }

    /** True when Q and K are RMS-normalised per head before RoPE (Qwen3). */
    public boolean hasQkNorm() { return qNorm != null || kNorm != null; }

    /** Total bytes of all tensors as stored (classifier counted once when shared). */
    public long storedBytes() {
        long b = tokenEmbedding.data().byteSize() + rmsFinal.data().byteSize();
        if (classifier != tokenEmbedding) b += classifier.data().byteSize();
        for (Tensor[] group : new Tensor[][]{rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, bq, bk, bv, bo, qNorm, kNorm})
            if (group != null) for (Tensor t : group) if (t != null) b += t.data().byteSize();
        return b;
    }
}
