package dev.infercost.engine.onnx;

import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.LlamaWeights;
import dev.infercost.model.ModelInfo;
import dev.infercost.model.Tensor;
import dev.infercost.model.TensorType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Test support: F32 tensors, random-weight models, and a plain scalar forward pass written from llama2.c
 * run.c's algorithm (one position at a time) as an independent reference for the ONNX graphs.
 */
final class RefLlama {
    private RefLlama() {}

    record F32(int rows, int cols, MemorySegment data) implements Tensor {
        static F32 of(int rows, int cols, float[] v) {
            MemorySegment s = Arena.ofAuto().allocate((long) v.length * 4, 4);
            MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, v.length);
            return new F32(rows, cols, s);
        }
        @Override public TensorType type() { return TensorType.F32; }
        @Override public float get(long i) { return data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i); }
        @Override public void dequantizeRow(int row, float[] dst, int off) {
            MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) row * cols * 4, dst, off, cols);
        }
    }

    static F32 rand(SplittableRandom r, int rows, int cols, double scale, double offset) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (offset + (r.nextDouble() * 2 - 1) * scale);
        return F32.of(rows, cols, v);
    }

    /** Random weights (uniform, scaled ~1/sqrt(fan_in)) for config {@code c}. */
    static LlamaModel random(LlamaConfig c, long seed, String name) {
        SplittableRandom r = new SplittableRandom(seed);
        int L = c.nLayers();
        Tensor[] ra = new Tensor[L], wq = new Tensor[L], wk = new Tensor[L], wv = new Tensor[L], wo = new Tensor[L],
                rf = new Tensor[L], w1 = new Tensor[L], w2 = new Tensor[L], w3 = new Tensor[L];
        double sd = 1.0 / Math.sqrt(c.dim()), sh = 1.0 / Math.sqrt(c.hiddenDim());
        for (int l = 0; l < L; l++) {
            ra[l] = rand(r, 1, c.dim(), 0.2, 1.0);
            rf[l] = rand(r, 1, c.dim(), 0.2, 1.0);
            wq[l] = rand(r, c.dim(), c.dim(), sd, 0);
            wk[l] = rand(r, c.kvDim(), c.dim(), sd, 0);
            wv[l] = rand(r, c.kvDim(), c.dim(), sd, 0);
            wo[l] = rand(r, c.dim(), c.dim(), sd, 0);
            w1[l] = rand(r, c.hiddenDim(), c.dim(), sd, 0);
            w3[l] = rand(r, c.hiddenDim(), c.dim(), sd, 0);
            w2[l] = rand(r, c.dim(), c.hiddenDim(), sh, 0);
        }
        Tensor emb = rand(r, c.vocabSize(), c.dim(), 1.0, 0);
        Tensor cls = c.sharedClassifier() ? emb : rand(r, c.vocabSize(), c.dim(), sd, 0);
        LlamaWeights w = new LlamaWeights(emb, ra, wq, wk, wv, wo, rf, w1, w2, w3, rand(r, 1, c.dim(), 0.2, 1.0), cls);
        ModelInfo info = new ModelInfo(name, "test", "random:" + seed, true, "F32", w.storedBytes());
        return new LlamaModel(info, c, w, null);
    }

    /** A scalar llama2.c-style forward with its own KV cache, one token at a time. */
    static final class Forward {
        final LlamaConfig c;
        final float[][] wq, wk, wv, wo, w1, w2, w3, ra, rf;
        final float[] emb, cls, rfin;
        final float[][] kc, vc;   // [layer][pos * kvDim]

        Forward(LlamaModel m) {
            c = m.config();
            LlamaWeights w = m.weights();
            int L = c.nLayers();
            wq = new float[L][]; wk = new float[L][]; wv = new float[L][]; wo = new float[L][];
            w1 = new float[L][]; w2 = new float[L][]; w3 = new float[L][]; ra = new float[L][]; rf = new float[L][];
            for (int l = 0; l < L; l++) {
                wq[l] = w.wq()[l].toFloatArray(); wk[l] = w.wk()[l].toFloatArray(); wv[l] = w.wv()[l].toFloatArray();
                wo[l] = w.wo()[l].toFloatArray(); w1[l] = w.w1()[l].toFloatArray(); w2[l] = w.w2()[l].toFloatArray();
                w3[l] = w.w3()[l].toFloatArray(); ra[l] = w.rmsAtt()[l].toFloatArray(); rf[l] = w.rmsFfn()[l].toFloatArray();
            }
            emb = w.tokenEmbedding().toFloatArray();
            cls = w.classifier().toFloatArray();
            rfin = w.rmsFinal().toFloatArray();
            kc = new float[L][c.seqLen() * c.kvDim()];
            vc = new float[L][c.seqLen() * c.kvDim()];
        }

        static void rmsnorm(float[] o, float[] x, float[] w, float eps) {
            double ss = 0;
            for (float v : x) ss += v * v;
            float s = (float) (1.0 / Math.sqrt(ss / x.length + eps));
            for (int i = 0; i < x.length; i++) o[i] = w[i] * (s * x[i]);
        }

        static void matmul(float[] o, float[] x, float[] w, int n, int d) {
            for (int i = 0; i < d; i++) {
                double v = 0;
                for (int j = 0; j < n; j++) v += w[i * n + j] * x[j];
                o[i] = (float) v;
            }
        }

        float[] forward(int token, int pos) {
            int D = c.dim(), kvD = c.kvDim(), hs = c.headSize(), Hd = c.hiddenDim();
            float[] x = new float[D], xb = new float[D], xb2 = new float[D], q = new float[D], hb = new float[Hd], hb2 = new float[Hd];
            System.arraycopy(emb, token * D, x, 0, D);
            for (int l = 0; l < c.nLayers(); l++) {
                rmsnorm(xb, x, ra[l], c.rmsNormEps());
                float[] k = new float[kvD], v = new float[kvD];
                matmul(q, xb, wq[l], D, D);
                matmul(k, xb, wk[l], D, kvD);
                matmul(v, xb, wv[l], D, kvD);
                for (int i = 0; i < D; i += 2) {
                    int hd = i % hs;
                    double freq = 1.0 / Math.pow(c.ropeTheta(), hd / (double) hs);
                    double val = pos * freq, fcr = Math.cos(val), fci = Math.sin(val);
                    for (int which = 0; which < (i < kvD ? 2 : 1); which++) {
                        float[] vec = which == 0 ? q : k;
                        float v0 = vec[i], v1 = vec[i + 1];
                        vec[i] = (float) (v0 * fcr - v1 * fci);
                        vec[i + 1] = (float) (v0 * fci + v1 * fcr);
                    }
                }
                System.arraycopy(k, 0, kc[l], pos * kvD, kvD);
                System.arraycopy(v, 0, vc[l], pos * kvD, kvD);
                for (int h = 0; h < c.nHeads(); h++) {
                    int kvh = h / c.kvMul();
                    double[] att = new double[pos + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t <= pos; t++) {
                        double s = 0;
                        for (int i = 0; i < hs; i++) s += q[h * hs + i] * kc[l][t * kvD + kvh * hs + i];
                        att[t] = s / Math.sqrt(hs);
                        max = Math.max(max, att[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t <= pos; t++) { att[t] = Math.exp(att[t] - max); sum += att[t]; }
                    for (int i = 0; i < hs; i++) {
                        double o = 0;
                        for (int t = 0; t <= pos; t++) o += att[t] / sum * vc[l][t * kvD + kvh * hs + i];
                        xb[h * hs + i] = (float) o;
                    }
                }
                matmul(xb2, xb, wo[l], D, D);
                for (int i = 0; i < D; i++) x[i] += xb2[i];
                rmsnorm(xb, x, rf[l], c.rmsNormEps());
                matmul(hb, xb, w1[l], D, Hd);
                matmul(hb2, xb, w3[l], D, Hd);
                for (int i = 0; i < Hd; i++) { float g = hb[i]; hb[i] = (float) (g / (1 + Math.exp(-g))) * hb2[i]; }
                matmul(xb2, hb, w2[l], Hd, D);
                for (int i = 0; i < D; i++) x[i] += xb2[i];
            }
            rmsnorm(x, x, rfin, c.rmsNormEps());
            float[] logits = new float[c.vocabSize()];
            matmul(logits, x, cls, D, c.vocabSize());
            return logits;
        }
    }

    static double maxAbsDiff(float[] a, int aOff, float[] b, int bOff, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[aOff + i] - b[bOff + i]));
        return m;
    }

    static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }
}
