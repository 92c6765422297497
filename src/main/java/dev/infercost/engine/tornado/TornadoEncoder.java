package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.onnx.BertWeights;
import dev.infercost.engine.onnx.MiniLmEncoder;

/**
 * A BERT sentence encoder (all-MiniLM-L6-v2) running as TornadoVM kernels: embeddings + LayerNorm, per layer
 * fused Q/K/V product, masked softmax attention, output product + residual, LayerNorm, GELU(erf) product,
 * output product + residual, LayerNorm, then mean pooling over the attention mask and L2 normalisation, all on
 * the device; only token ids, token types and the mask go in and {@code [batch, dim]} embeddings come back.
 * The weights come from the ONNX file's initializers ({@link BertWeights}), so the same model is measured on
 * TornadoVM and on ONNX Runtime ({@link MiniLmEncoder}).
 *
 * <p>Always compiled; the implementation lives in {@code src/tornado/java} (Maven profile {@code tornado}).
 * Open it with {@link #openMiniLm}, which reports an unavailable TornadoVM as a {@link BadInputException}
 * carrying the reason and {@link TornadoEngineProvider#INSTALL_HINT}. Not thread-safe.
 */
public interface TornadoEncoder extends AutoCloseable {
    /** Runtime, device and work-group size, e.g. "TornadoVM on 0:0 cpu-haswell-... (CPU, wg 64)". */
    String description();

    /**
     * Encodes a tokenised, padded batch. The first call for a (batch, padded length) bucket compiles its task
     * graph and copies the weights to the device; later calls of that bucket reuse both. Lengths are padded up
     * to a multiple of 16 with masked positions (which do not change the result).
     *
     * @param batch ids and mask {@code [batch, seq]}
     * @return {@code [batch, dim]} unit-norm embeddings
     * @throws BadInputException for a sequence longer than the model's position table or an id outside the vocabulary
     */
    float[][] run(MiniLmEncoder.Batch batch);

    /** Frees the device memory of every bucket. */
    @Override
    void close();

    /**
     * Opens all-MiniLM-L6-v2 (weights from the class-path ONNX file) on a TornadoVM device.
     *
     * @param device "backend:device" as {@code infercost devices} lists it; null = 0:0
     * @throws BadInputException when TornadoVM is unavailable (with the reason and install hint) or the device is unknown
     */
    static TornadoEncoder openMiniLm(String device) {
        return new TornadoEngineProvider().openEncoder(BertWeights::miniLm, device);
    }
}
