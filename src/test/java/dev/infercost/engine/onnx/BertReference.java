package dev.infercost.engine.onnx;

/**
 * Straightforward scalar BERT forward pass (double accumulators) over {@link BertWeights}, the test reference for
 * the weight mapping and for device encoders: embeddings + LayerNorm, per layer Q/K/V, masked softmax attention,
 * output projection + residual + LayerNorm, GELU(erf) feed-forward + residual + LayerNorm, then mean pooling over
 * the mask and L2 normalisation (sentence-transformers).
 */
public final class BertReference {
    private BertReference() {}

    /** @return {@code [batch, dim]} unit-norm embeddings of a tokenised batch */
    public static float[][] embed(BertWeights w, MiniLmEncoder.Batch b) {
        int B = b.batch(), S = b.seq(), D = w.dim(), H = w.heads(), hs = w.headSize(), F = w.hidden();
        int rows = B * S;
        double[][] x = new double[rows][D];
        for (int r = 0; r < rows; r++) {
            int id = (int) b.inputIds()[r], pos = r % S;
            for (int i = 0; i < D; i++) x[r][i] = w.word()[id * D + i] + w.position()[pos * D + i] + w.tokenType()[i];
            layerNorm(x[r], w.embLnW(), w.embLnB(), w.eps());
        }
        for (BertWeights.Layer L : w.layers()) {
            double[][] qkv = linear(x, L.wqkv(), L.bqkv(), D, 3 * D);
            double[][] ctx = new double[rows][D];
            for (int bb = 0; bb < B; bb++)
                for (int h = 0; h < H; h++)
                    for (int s = 0; s < S; s++) {
                        double[] p = new double[S];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int t = 0; t < S; t++) {
                            if (b.attentionMask()[bb * S + t] == 0) { p[t] = Double.NEGATIVE_INFINITY; continue; }
                            double dot = 0;
                            for (int i = 0; i < hs; i++) dot += qkv[bb * S + s][h * hs + i] * qkv[bb * S + t][D + h * hs + i];
                            p[t] = dot / Math.sqrt(hs);
                            max = Math.max(max, p[t]);
                        }
                        double sum = 0;
                        for (int t = 0; t < S; t++) { p[t] = p[t] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[t] - max); sum += p[t]; }
                        for (int t = 0; t < S; t++)
                            for (int i = 0; i < hs; i++) ctx[bb * S + s][h * hs + i] += p[t] / sum * qkv[bb * S + t][2 * D + h * hs + i];
                    }
            double[][] a = linear(ctx, L.wo(), L.bo(), D, D);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < D; i++) a[r][i] += x[r][i];
                layerNorm(a[r], L.ln1w(), L.ln1b(), w.eps());
            }
            double[][] f = linear(a, L.w1(), L.b1(), D, F);
            for (double[] row : f) for (int i = 0; i < F; i++) row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
            double[][] y = linear(f, L.w2(), L.b2(), F, D);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < D; i++) y[r][i] += a[r][i];
                layerNorm(y[r], L.ln2w(), L.ln2b(), w.eps());
            }
            x = y;
        }
        float[][][] h = new float[B][S][D];
        for (int r = 0; r < rows; r++) for (int i = 0; i < D; i++) h[r / S][r % S][i] = (float) x[r][i];
        return MiniLmEncoder.meanPoolNormalize(h, b.attentionMask(), S);
    }

    static double[][] linear(double[][] x, float[] w, float[] bias, int in, int out) {
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            double[] acc = y[r];
            for (int j = 0; j < out; j++) acc[j] = bias[j];
            for (int k = 0; k < in; k++) {
                double v = x[r][k];
                int base = k * out;
                for (int j = 0; j < out; j++) acc[j] += v * w[base + j];
            }
        }
        return y;
    }

    static void layerNorm(double[] v, float[] g, float[] b, float eps) {
        double mean = 0, var = 0;
        for (double d : v) mean += d;
        mean /= v.length;
        for (double d : v) var += (d - mean) * (d - mean);
        var /= v.length;
        double inv = 1 / Math.sqrt(var + eps);
        for (int i = 0; i < v.length; i++) v[i] = (v[i] - mean) * inv * g[i] + b[i];
    }

    /** erf via commons-math3 (reference accuracy ~1e-15). */
    static double erf(double x) { return org.apache.commons.math3.special.Erf.erf(x); }
}
