package dev.infercost.model;

/**
 * Bytes and FLOPs a Llama decoder moves and computes per token, for MBU/MFU (roofline) accounting.
 *
 * <p>FLOPs follow Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", Table 1): a forward
 * pass costs 2 FLOPs per matmul weight per token plus attention 2 * 2 * n_layers * context * dim
 * (QK^T and AV, here with the query width qDim = heads x head_dim, dim for Llama). Bytes follow the memory-bound decode model used by
 * MBU in Databricks' "LLM Inference Performance Engineering: Best Practices" (2023): every weight is
 * read once per decode step (shared by the whole batch) and each sequence reads its own KV cache.
 */
public final class Footprint {
    private Footprint() {}

    /**
     * Matmul weights touched per token (everything except the embedding lookup, norm vectors and biases): wq and wo
     * [dim x qDim] each, wk and wv [dim x kvDim], three FFN matrices [dim x hidden], the classifier [vocab x dim].
     */
    public static long matmulParams(LlamaConfig c) {
        long perLayer = (long) c.dim() * c.qDim() * 2 + (long) c.dim() * c.kvDim() * 2 + (long) c.dim() * c.hiddenDim() * 3;
        return c.nLayers() * perLayer + (long) c.vocabSize() * c.dim();
    }

    /** FLOPs for one token at the given context length (positions attended, including itself). */
    public static double flopsPerToken(LlamaConfig c, int context) {
        return 2.0 * matmulParams(c) + 4.0 * c.nLayers() * (double) context * c.qDim();
    }

    /** KV-cache bytes one position occupies across all layers, at {@code kvBytesPerElement} (4 for fp32). */
    public static long kvBytesPerPosition(LlamaConfig c, int kvBytesPerElement) {
        return 2L * c.nLayers() * c.kvDim() * kvBytesPerElement;
    }

    /**
     * Bytes read from memory by one decode step of {@code batch} sequences, each at context {@code context}:
     * all weights once (at {@code weightBytes}, the in-memory size of the weights) plus each sequence's KV cache.
     */
    public static double bytesPerDecodeStep(LlamaConfig c, long weightBytes, int batch, int context, int kvBytesPerElement) {
        return weightBytes + (double) batch * context * kvBytesPerPosition(c, kvBytesPerElement);
    }
}
