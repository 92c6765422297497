package dev.infercost.model;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * Numerical checks of a loaded model that the file structure cannot show: every weight finite (a NaN or infinity
 * in any weight makes every logit NaN, and greedy decoding then emits token 0, {@code <unk>}, forever), and every
 * forward pass's logits finite.
 *
 * <p>Cost: the weight scan dequantises each tensor once (about 1 s per GB of weights on one core), so it covers the
 * whole model up to {@link #SCAN_BYTES} of stored weights ({@code -Dinfercost.weights.scanBytes}, default 2 GiB)
 * and only the norm vectors beyond that; larger models are caught by {@link #requireFiniteLogits} on the first
 * forward pass.
 */
public final class ModelFileValidator {
    private ModelFileValidator() {}

    public static final long SCAN_BYTES = Long.getLong("infercost.weights.scanBytes", 2L << 30);

    /**
     * Largest magnitude accepted in a weight matrix (embedding, attention and FFN projections, classifier):
     * trained transformer matrices hold values of order 0.01-10, and no F16/Q8_0 weight can exceed 65504 x 127
     * (about 8.3e6), so an F32/BF16 entry above this bound means flipped or misaligned bytes, which would otherwise
     * generate garbage with exit 0 ({@code -Dinfercost.weights.maxAbs}, default 1e7). Norm vectors and biases are
     * only required finite.
     */
    public static final double MAX_ABS_MATRIX = Double.parseDouble(System.getProperty("infercost.weights.maxAbs", "1e7"));

    /**
     * @return {@code m} when every scanned weight is finite
     * @throws BadInputException naming the model file, the tensor, the row and the value
     */
    public static LlamaModel requireFiniteWeights(LlamaModel m) {
        LlamaWeights w = m.weights();
        boolean all = m.info().weightBytes() <= SCAN_BYTES;
        List<Object[]> named = new ArrayList<>();
        for (int l = 0; l < w.rmsAtt().length; l++) {
            named.add(new Object[]{"layer " + l + " attention norm", w.rmsAtt()[l]});
            named.add(new Object[]{"layer " + l + " FFN norm", w.rmsFfn()[l]});
        }
        named.add(new Object[]{"final norm", w.rmsFinal()});
        String[] extraNames = {"Q bias", "K bias", "V bias", "output bias", "Q norm", "K norm"};
        Tensor[][] extras = {w.bq(), w.bk(), w.bv(), w.bo(), w.qNorm(), w.kNorm()};
        for (int i = 0; i < extras.length; i++)
            if (extras[i] != null) for (int l = 0; l < extras[i].length; l++) named.add(new Object[]{"layer " + l + " " + extraNames[i], extras[i][l]});
        if (all) {
            named.add(new Object[]{"token embedding", w.tokenEmbedding()});
            for (int l = 0; l < w.wq().length; l++) {
                named.add(new Object[]{"layer " + l + " wq", w.wq()[l]});
                named.add(new Object[]{"layer " + l + " wk", w.wk()[l]});
                named.add(new Object[]{"layer " + l + " wv", w.wv()[l]});
                named.add(new Object[]{"layer " + l + " wo", w.wo()[l]});
                named.add(new Object[]{"layer " + l + " w1 (gate)", w.w1()[l]});
                named.add(new Object[]{"layer " + l + " w2 (down)", w.w2()[l]});
                named.add(new Object[]{"layer " + l + " w3 (up)", w.w3()[l]});
            }
            if (w.classifier() != w.tokenEmbedding()) named.add(new Object[]{"classifier", w.classifier()});
        }
        int vectors = named.size() - (all ? 1 + 7 * w.wq().length + (w.classifier() != w.tokenEmbedding() ? 1 : 0) : 0);
        float[] row = new float[0];
        for (int k = 0; k < named.size(); k++) {
            Object[] e = named.get(k);
            Tensor t = (Tensor) e[1];
            boolean matrix = k >= vectors;
            if (row.length < t.cols()) row = new float[t.cols()];
            for (int r = 0; r < t.rows(); r++) {
                t.dequantizeRow(r, row, 0);
                for (int c = 0; c < t.cols(); c++)
                    if (!Float.isFinite(row[c]))
                        throw new BadInputException(m.info().source() + ": weight " + e[0] + " [" + r + ", " + c + "] is " + row[c]
                                + "; expected finite weights (a corrupt or badly converted file)");
                    else if (matrix && Math.abs(row[c]) > MAX_ABS_MATRIX)
                        throw new BadInputException(m.info().source() + ": weight " + e[0] + " [" + r + ", " + c + "] is " + row[c]
                                + "; expected |w| <= " + MAX_ABS_MATRIX + " in a weight matrix (flipped or misaligned bytes: a corrupt file)");
            }
        }
        return m;
    }

    /**
     * @throws BadInputException when a logit is NaN or infinite (position {@code pos} of a forward pass)
     */
    public static void requireFiniteLogits(float[] logits, int n, int pos, String model) {
        for (int i = 0; i < n; i++)
            if (!Float.isFinite(logits[i]))
                throw new BadInputException(model + ": the forward pass at position " + pos + " produced a non-finite logit (" + logits[i]
                        + " for token " + i + "); the weights or activations overflow, so nothing it generates means anything");
    }
}
