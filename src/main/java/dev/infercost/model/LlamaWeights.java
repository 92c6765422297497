package dev.infercost.model;

/**
 * All weights of a Llama decoder. Per-layer arrays have length {@code nLayers}. Shapes are
 * {@code [rows, cols]} = {@code [out, in]} (see {@link Tensor}):
 * tokenEmbedding [vocab, dim]; rmsAtt[l], rmsFfn[l], rmsFinal [1, dim];
 * wq[l], wo[l] [dim, dim]; wk[l], wv[l] [kvDim, dim]; w1[l] (gate), w3[l] (up) [hidden, dim];
 * w2[l] (down) [dim, hidden]; classifier [vocab, dim] (the same object as tokenEmbedding when shared).
 * Q and K rows are in llama2.c order (RoPE rotates adjacent pairs 2i, 2i+1).
 */
public record LlamaWeights(Tensor tokenEmbedding, Tensor[] rmsAtt, Tensor[] wq, Tensor[] wk, Tensor[] wv, Tensor[] wo,
                           Tensor[] rmsFfn, Tensor[] w1, Tensor[] w2, Tensor[] w3, Tensor rmsFinal, Tensor classifier) {

    /** Total bytes of all tensors as stored (classifier counted once when shared). */
    public long storedBytes() {
        long b = tokenEmbedding.data().byteSize() + rmsFinal.data().byteSize();
        if (classifier != tokenEmbedding) b += classifier.data().byteSize();
        for (Tensor[] group : new Tensor[][]{rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3})
            for (Tensor t : group) b += t.data().byteSize();
        return b;
    }
}
