package dev.infercost.engine.jvm;

import dev.infercost.engine.DecodeSession;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.MappedTensor;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * KV cache and buffers of {@link JvmEngine} for up to maxBatch slots. A forward pass handles n rows
 * (decode: one token of each of n sequences; prefill: a chunk of one sequence's prompt), each at its own
 * position; all buffers are allocated once here, so the step loop does not allocate.
 */
final class JvmSession implements DecodeSession {
    /** Minimum rows per forward pass, so prefill runs prompt chunks as matrix-matrix work even at batch 1. */
    static final int PREFILL_CHUNK = 128;
    /** Multiply-adds below which a matmul runs on the calling thread only (dispatch would cost more). */
    static final long PARALLEL_MACS = 1 << 18;
    /**
     * The same for attention, whose items (a row's head) are far larger than a matmul's (a weight row): at batch 1 and
     * context 64 on the stories110M shape (12 heads, 1e5 multiply-adds per layer) serial attention left the second
     * thread idle for ~5% of every step.
     */
    static final long PARALLEL_ATT_MACS = 1 << 14;

    static int rowsCap(int maxBatch) { return Math.max(maxBatch, PREFILL_CHUNK); }

    private final JvmEngine e;
    private final LlamaConfig c;
    private final int maxBatch, maxContext, rows;
    private final int dim, qDim, kvDim, hidden, headSize, nHeads, kvMul, vocab, half;
    private final boolean neox;
    private final float[][][] keyCache, valueCache; // [layer][slot][pos * kvDim + i]
    private final float[] x, xb, xb2, q, xq, k, v, hb, hb2, ropeCos, ropeSin, freq;
    private final float[][] scratch, att;
    /** Prefill GEMM buffers (GemmKernels): the transposed input, and per worker a row group and a tile's stores. */
    private final float[] xt;
    private final float[][] wbuf, tmp;
    /** Batch-1 input of a Q8_0 matmul quantised to Q8_0 blocks (Q8IntKernels): quants and per-block scales. */
    private final short[] qx;
    private final float[] qd;
    private final int[] rowSlot, rowPos, chunkSlots, chunkPos, chunkTokens;
    private final MatTask mat = new MatTask();
    private final AttTask attTask = new AttTask();
    private final TransposeTask transposeTask = new TransposeTask();
    private final QkvTask qkvTask = new QkvTask();
    private boolean closed;

    JvmSession(JvmEngine e, int maxBatch, int maxContext) {
        this.e = e;
        this.c = e.cfg;
        this.maxBatch = maxBatch;
        this.maxContext = maxContext;
        this.rows = rowsCap(maxBatch);
        dim = c.dim(); qDim = c.qDim(); kvDim = c.kvDim(); hidden = c.hiddenDim(); headSize = c.headSize(); nHeads = c.nHeads();
        kvMul = c.kvMul(); vocab = c.vocabSize(); half = headSize / 2;
        keyCache = new float[c.nLayers()][maxBatch][maxContext * kvDim];
        valueCache = new float[c.nLayers()][maxBatch][maxContext * kvDim];
        x = new float[rows * dim]; xb = new float[rows * dim]; xb2 = new float[rows * dim]; q = new float[rows * qDim];
        xq = new float[rows * qDim]; // attention output, the input of wo
        k = new float[rows * kvDim]; v = new float[rows * kvDim]; hb = new float[rows * hidden]; hb2 = new float[rows * hidden];
        ropeCos = new float[rows * half]; ropeSin = new float[rows * half];
        dev.infercost.model.Rope rope = e.model.rope();
        neox = rope.neox();
        if (rope.isPlain()) {
            freq = new float[half];
            // run.c: freq = 1.0f / powf(theta, head_dim / (float)head_size) with head_dim = 2i
            for (int i = 0; i < half; i++) freq[i] = 1.0f / (float) Math.pow(c.ropeTheta(), (2 * i) / (float) headSize);
        } else {
            freq = rope.frequencies(headSize); // rope_freqs factors and linear scaling, as llama.cpp's rope cache
        }
        int t = e.pool.threads();
        scratch = new float[t][4 * Math.max(Math.max(dim, qDim), hidden)];
        att = new float[t][maxContext];
        int widest = Math.max(Math.max(dim, qDim), hidden);
        xt = rows >= GemmKernels.MIN_N ? new float[widest * GemmKernels.ldt(rows)] : null;
        wbuf = new float[t][GemmKernels.MR * widest];
        tmp = new float[t][GemmKernels.TMP];
        qx = new short[Math.max(dim, hidden)];
        qd = new float[Math.max(dim, hidden) / 32 + 1];
        rowSlot = new int[rows]; rowPos = new int[rows];
        chunkSlots = new int[rows]; chunkPos = new int[rows]; chunkTokens = new int[rows];
    }

    @Override public int maxBatch() { return maxBatch; }
    @Override public int maxContext() { return maxContext; }

    @Override
    public void prefill(int slot, int[] tokens, int startPos, float[] logitsOut) {
        check();
        if (tokens.length == 0) throw new IllegalArgumentException("prefill needs at least one token");
        if (slot < 0 || slot >= maxBatch) throw new IllegalArgumentException("slot " + slot + " out of 0.." + (maxBatch - 1));
        if (startPos < 0 || startPos + tokens.length > maxContext)
            throw new IllegalArgumentException("positions " + startPos + ".." + (startPos + tokens.length - 1) + " exceed maxContext " + maxContext);
        if (logitsOut.length < vocab) throw new IllegalArgumentException("logitsOut needs " + vocab + " floats");
        for (int off = 0; off < tokens.length; off += rows) {
            int n = Math.min(rows, tokens.length - off);
            for (int i = 0; i < n; i++) {
                chunkSlots[i] = slot;
                chunkPos[i] = startPos + off + i;
                chunkTokens[i] = tokens[off + i];
            }
            boolean last = off + n == tokens.length;
            forward(n, chunkSlots, chunkTokens, chunkPos, last ? logitsOut : null, true);
        }
    }

    @Override
    public void decode(int n, int[] slots, int[] tokens, int[] positions, float[] logitsOut) {
        check();
        if (n < 1 || n > maxBatch) throw new IllegalArgumentException("n=" + n + " must be in 1.." + maxBatch);
        if (logitsOut.length < (long) n * vocab) throw new IllegalArgumentException("logitsOut needs " + n + " x " + vocab + " floats");
        for (int i = 0; i < n; i++) {
            if (slots[i] < 0 || slots[i] >= maxBatch) throw new IllegalArgumentException("slot " + slots[i] + " out of 0.." + (maxBatch - 1));
            if (positions[i] < 0 || positions[i] >= maxContext) throw new IllegalArgumentException("position " + positions[i] + " out of 0.." + (maxContext - 1));
            for (int j = 0; j < i; j++)
                if (slots[j] == slots[i]) throw new IllegalArgumentException("slot " + slots[i] + " appears twice in one decode step");
        }
        forward(n, slots, tokens, positions, logitsOut, false);
    }

    private void check() {
        if (closed) throw new IllegalStateException("session is closed");
    }

    /**
     * Runs n rows through the model. Rows of one slot must be in increasing position order (prefill).
     * lastOnly: write only the last row's logits into logits[0..vocab); else row b's into logits[b*vocab..].
     */
    private void forward(int n, int[] slots, int[] tokens, int[] positions, float[] logits, boolean lastOnly) {
        for (int b = 0; b < n; b++) {
            int tok = tokens[b];
            if (tok < 0 || tok >= vocab) throw new IllegalArgumentException("token " + tok + " out of 0.." + (vocab - 1));
            e.emb.dequantizeRow(tok, x, b * dim);
            rowSlot[b] = slots[b];
            rowPos[b] = positions[b];
            for (int i = 0; i < half; i++) {
                float val = positions[b] * freq[i];
                ropeCos[b * half + i] = (float) Math.cos(val);
                ropeSin[b * half + i] = (float) Math.sin(val);
            }
        }
        int maxPos = 0;
        for (int b = 0; b < n; b++) maxPos = Math.max(maxPos, positions[b]);
        float eps = c.rmsNormEps();
        for (int l = 0; l < c.nLayers(); l++) {
            for (int b = 0; b < n; b++) Kernels.rmsnorm(xb, b * dim, x, b * dim, e.rmsAtt[l], dim, eps);
            matmul(n, xb, e.wq[l], q, e.wk[l], k, e.wv[l], v);
            // per row: biases, Q/K norms, RoPE, the KV-cache store (rows independent; on all threads for prompt chunks
            // and batches, where this loop was ~5% of a 2-thread prefill on the caller alone)
            qkvTask.set(l, slots, positions, eps);
            e.pool.run(n, n > 1, qkvTask);
            attTask.layer = l;
            long work = (long) n * nHeads * (maxPos + 1) * headSize * 2;
            e.pool.run(n * nHeads, work >= PARALLEL_ATT_MACS, attTask);
            matmul(n, xq, e.wo[l], xb2, null, null, null, null);
            if (e.bo != null) for (int b = 0; b < n; b++) Kernels.addInPlace(xb2, b * dim, e.bo[l], 0, dim);
            Kernels.addInPlace(x, 0, xb2, 0, n * dim);
            for (int b = 0; b < n; b++) Kernels.rmsnorm(xb, b * dim, x, b * dim, e.rmsFfn[l], dim, eps);
            matmul(n, xb, e.w1[l], hb, e.w3[l], hb2, null, null);
            Kernels.swiglu(hb, hb2, 0, n * hidden);
            matmul(n, hb, e.w2[l], xb, null, null, null, null);
            Kernels.addInPlace(x, 0, xb, 0, n * dim);
        }
        if (logits == null) return;
        if (lastOnly) {
            int b = n - 1;
            Kernels.rmsnorm(x, b * dim, x, b * dim, e.rmsFinal, dim, eps);
            mat.set(e.cls, logits, null, null, null, null, x, b * dim, 1);
        } else {
            for (int b = 0; b < n; b++) Kernels.rmsnorm(x, b * dim, x, b * dim, e.rmsFinal, dim, eps);
            mat.set(e.cls, logits, null, null, null, null, x, 0, n);
        }
        e.pool.run(vocab, (long) vocab * dim * mat.n >= PARALLEL_MACS, mat);
    }

    private void matmul(int n, float[] in, MappedTensor a, float[] outA, MappedTensor b, float[] outB, MappedTensor c2, float[] outC) {
        mat.set(a, outA, b, outB, c2, outC, in, 0, n);
        e.pool.run(mat.total, (long) mat.total * a.cols() * n >= PARALLEL_MACS, mat);
    }

    /** RoPE as run.c: rotate pairs (2i, 2i+1) of each head by pos * freq[i mod head]. */
    private void rope(float[] vec, int off, int width, int b) {
        for (int i = 0; i < width; i += 2) {
            int p = (i % headSize) / 2;
            float fcr = ropeCos[b * half + p], fci = ropeSin[b * half + p];
            float v0 = vec[off + i], v1 = vec[off + i + 1];
            vec[off + i] = v0 * fcr - v1 * fci;
            vec[off + i + 1] = v0 * fci + v1 * fcr;
        }
    }

    /** Up to three matmuls sharing one input, as one parallel range over their concatenated rows. */
    private final class MatTask implements WorkerPool.Body {
        final MappedTensor[] ws = new MappedTensor[3];
        final RepackedQ8[] rp = new RepackedQ8[3];
        final float[][] outs = new float[3][];
        int m, total, n, xOff;
        float[] in;
        /** Input transposed into xt for the GEMM path (n >= GemmKernels.MIN_N). */
        boolean gemm;
        /** Input quantised into qx/qd for the Q8_0 matrices (batch 1, -Dinfercost.jvm.q8int=true). */
        boolean q8;

        void set(MappedTensor a, float[] oa, MappedTensor b, float[] ob, MappedTensor cc, float[] oc, float[] in, int xOff, int n) {
            ws[0] = a; outs[0] = oa; ws[1] = b; outs[1] = ob; ws[2] = cc; outs[2] = oc;
            m = b == null ? 1 : cc == null ? 2 : 3;
            total = 0;
            for (int i = 0; i < m; i++) total += ws[i].rows();
            for (int i = 0; i < 3; i++) rp[i] = n < 4 ? e.repacked(ws[i]) : null;
            this.in = in;
            this.xOff = xOff;
            this.n = n;
            q8 = false;
            if (n == 1 && Q8IntKernels.ENABLED)
                for (int i = 0; i < m; i++) q8 |= ws[i].type() == dev.infercost.model.TensorType.Q8_0 && rp[i] == null;
            if (q8) Q8IntKernels.quantize(in, xOff, a.cols(), qx, qd); // once per matmul, shared by all rows and threads
            gemm = n >= GemmKernels.MIN_N && GemmKernels.SUPPORTED && xt != null;
            if (gemm) {
                // once per matmul, shared by all rows; split across the threads by groups of 8 inputs
                transposeTask.set(in, xOff, n, a.cols());
                e.pool.run(GemmKernels.groups(n), true, transposeTask);
            }
        }

        /** Whole 4-row tiles and whole GEMM row groups in every chunk (12 = lcm(4, GemmKernels.MR) for MR = 6). */
        @Override
        public int grain() { return gemm ? 4 * GemmKernels.MR / gcd(4, GemmKernels.MR) : 4; }

        @Override
        public void run(int from, int to, int worker) {
            int start = 0;
            for (int i = 0; i < m; i++) {
                MappedTensor w = ws[i];
                int lo = Math.max(from, start), hi = Math.min(to, start + w.rows());
                if (lo < hi && gemm) {
                    int done = GemmKernels.matmulRows(w, lo - start, hi - start, xt, n, outs[i], 0, w.rows(), wbuf[worker], tmp[worker]);
                    if (done < hi - start) Kernels.matmulRows(w, done, hi - start, in, xOff, n, outs[i], 0, w.rows(), scratch[worker]);
                } else if (lo < hi && q8 && rp[i] == null && w.type() == dev.infercost.model.TensorType.Q8_0)
                    Q8IntKernels.matvecRows(w.data(), w.rowBytes(), w.cols(), lo - start, hi - start, qx, qd, outs[i], 0);
                else if (lo < hi && rp[i] != null) Q8Kernels.matmulRows(rp[i], lo - start, hi - start, in, xOff, n, outs[i], 0, w.rows());
                else if (lo < hi && n == 1 && KQuantKernels.SUPPORTED && w.type() == dev.infercost.model.TensorType.Q4_K)
                    KQuantKernels.matvecQ4K(w.data(), w.rowBytes(), w.cols(), lo - start, hi - start, in, xOff, outs[i], 0, scratch[worker]);
                else if (lo < hi && n == 1 && KQuantKernels.SUPPORTED && w.type() == dev.infercost.model.TensorType.Q6_K)
                    KQuantKernels.matvecQ6K(w.data(), w.rowBytes(), w.cols(), lo - start, hi - start, in, xOff, outs[i], 0, scratch[worker]);
                else if (lo < hi && n == 1 && Bf16Kernels.SUPPORTED && w.type() == dev.infercost.model.TensorType.BF16)
                    Bf16Kernels.matvecRows(w.data(), w.rowBytes(), w.cols(), lo - start, hi - start, in, xOff, outs[i], 0, scratch[worker]);
                else if (lo < hi && n == 1 && e.f32Rows4 && w.type() == dev.infercost.model.TensorType.F32)
                    F32Kernels.matvecRows(w.data(), w.rowBytes(), w.cols(), lo - start, hi - start, in, xOff, outs[i], 0);
                else if (lo < hi) Kernels.matmulRows(w, lo - start, hi - start, in, xOff, n, outs[i], 0, w.rows(), scratch[worker]);
                start += w.rows();
            }
        }
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

    /** The per-row work between the QKV products and attention, over rows [from, to). */
    private final class QkvTask implements WorkerPool.Body {
        int l;
        int[] slots, positions;
        float eps;

        void set(int l, int[] slots, int[] positions, float eps) { this.l = l; this.slots = slots; this.positions = positions; this.eps = eps; }

        @Override
        public int grain() { return 1; }

        @Override
        public void run(int from, int to, int worker) {
            for (int b = from; b < to; b++) {
                if (e.bq != null) Kernels.addInPlace(q, b * qDim, e.bq[l], 0, qDim);
                if (e.bk != null) Kernels.addInPlace(k, b * kvDim, e.bk[l], 0, kvDim);
                if (e.bv != null) Kernels.addInPlace(v, b * kvDim, e.bv[l], 0, kvDim);
                if (e.qNorm != null) Kernels.rmsnormHeads(q, b * qDim, nHeads, headSize, e.qNorm[l], eps);
                if (e.kNorm != null) Kernels.rmsnormHeads(k, b * kvDim, c.nKvHeads(), headSize, e.kNorm[l], eps);
                if (neox) {
                    Kernels.ropeNeox(q, b * qDim, qDim, headSize, ropeCos, ropeSin, b * half);
                    Kernels.ropeNeox(k, b * kvDim, kvDim, headSize, ropeCos, ropeSin, b * half);
                } else {
                    rope(q, b * qDim, qDim, b);
                    rope(k, b * kvDim, kvDim, b);
                }
                int pos = positions[b];
                System.arraycopy(k, b * kvDim, keyCache[l][slots[b]], pos * kvDim, kvDim);
                System.arraycopy(v, b * kvDim, valueCache[l][slots[b]], pos * kvDim, kvDim);
            }
        }
    }

    /** {@link GemmKernels#transpose} of one matmul's input, over groups of 8 inputs. */
    private final class TransposeTask implements WorkerPool.Body {
        float[] in;
        int xOff, n, cols;

        void set(float[] in, int xOff, int n, int cols) { this.in = in; this.xOff = xOff; this.n = n; this.cols = cols; }

        @Override
        public int grain() { return 1; }

        @Override
        public void run(int from, int to, int worker) { GemmKernels.transpose(in, xOff, n, cols, xt, from, to); }
    }

    /** Attention for (row, head) items: scores over the slot's cached positions 0..pos, softmax, weighted V. */
    private final class AttTask implements WorkerPool.Body {
        int layer;

        /** Any split of the (row, head) items: each is independent and heavy. */
        @Override
        public int grain() { return 1; }

        @Override
        public void run(int from, int to, int worker) {
            float[] a = att[worker];
            float scale = (float) Math.sqrt(headSize);
            for (int item = from; item < to; item++) {
                int b = item / nHeads, h = item % nHeads;
                int pos = rowPos[b];
                float[] kc = keyCache[layer][rowSlot[b]], vc = valueCache[layer][rowSlot[b]];
                int qo = b * qDim + h * headSize, ko = (h / kvMul) * headSize;
                if (headSize == 8) {
                    head8(kc, vc, qo, ko, pos, scale, a, qo);
                    continue;
                }
                if (headSize >= 2 * Kernels.L) {
                    for (int t = 0; t <= pos; t++) a[t] = Kernels.dotArr(q, qo, kc, t * kvDim + ko, headSize) / scale;
                } else {
                    // heads narrower than two vectors: a scalar loop beats vector setup and lane reduction
                    // two positions per iteration, two partial sums each: short dependency chains
                    int t = 0;
                    for (; t + 1 <= pos; t += 2) {
                        int k0 = t * kvDim + ko, k1 = k0 + kvDim;
                        float s0 = 0f, s1 = 0f, u0 = 0f, u1 = 0f;
                        int i = 0;
                        for (; i + 1 < headSize; i += 2) {
                            float qa = q[qo + i], qb = q[qo + i + 1];
                            s0 += qa * kc[k0 + i];
                            u0 += qb * kc[k0 + i + 1];
                            s1 += qa * kc[k1 + i];
                            u1 += qb * kc[k1 + i + 1];
                        }
                        for (; i < headSize; i++) { s0 += q[qo + i] * kc[k0 + i]; s1 += q[qo + i] * kc[k1 + i]; }
                        a[t] = (s0 + u0) / scale;
                        a[t + 1] = (s1 + u1) / scale;
                    }
                    for (; t <= pos; t++) {
                        int kb = t * kvDim + ko;
                        float s0 = 0f, u0 = 0f;
                        int i = 0;
                        for (; i + 1 < headSize; i += 2) { s0 += q[qo + i] * kc[kb + i]; u0 += q[qo + i + 1] * kc[kb + i + 1]; }
                        for (; i < headSize; i++) s0 += q[qo + i] * kc[kb + i];
                        a[t] = (s0 + u0) / scale;
                    }
                }
                Kernels.softmax(a, 0, pos + 1);
                int xo = qo;
                Arrays.fill(xq, xo, xo + headSize, 0f);
                for (int t = 0; t <= pos; t++) axpy(xq, xo, a[t], vc, t * kvDim + ko, headSize);
            }
        }
    }

    /**
     * Attention of one head of width 8 (stories260K): q and the 8 outputs live in locals across the position loop,
     * so each position costs 8 loads and 8 multiply-adds for the score and the same for V.
     */
    private void head8(float[] kc, float[] vc, int qo, int ko, int pos, float scale, float[] a, int xo) {
        float q0 = q[qo], q1 = q[qo + 1], q2 = q[qo + 2], q3 = q[qo + 3], q4 = q[qo + 4], q5 = q[qo + 5], q6 = q[qo + 6], q7 = q[qo + 7];
        for (int t = 0; t <= pos; t++) {
            int k = t * kvDim + ko;
            a[t] = ((q0 * kc[k] + q1 * kc[k + 1]) + (q2 * kc[k + 2] + q3 * kc[k + 3])
                    + ((q4 * kc[k + 4] + q5 * kc[k + 5]) + (q6 * kc[k + 6] + q7 * kc[k + 7]))) / scale;
        }
        Kernels.softmax(a, 0, pos + 1);
        float o0 = 0, o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0, o7 = 0;
        for (int t = 0; t <= pos; t++) {
            int k = t * kvDim + ko;
            float w = a[t];
            o0 += w * vc[k]; o1 += w * vc[k + 1]; o2 += w * vc[k + 2]; o3 += w * vc[k + 3];
            o4 += w * vc[k + 4]; o5 += w * vc[k + 5]; o6 += w * vc[k + 6]; o7 += w * vc[k + 7];
        }
        xq[xo] = o0; xq[xo + 1] = o1; xq[xo + 2] = o2; xq[xo + 3] = o3;
        xq[xo + 4] = o4; xq[xo + 5] = o5; xq[xo + 6] = o6; xq[xo + 7] = o7;
    }

    private static void axpy(float[] y, int yo, float a, float[] xv, int xo, int n) {
        int i = 0;
        for (; i + Kernels.L <= n; i += Kernels.L)
            FloatVector.fromArray(Kernels.S, xv, xo + i).fma(FloatVector.broadcast(Kernels.S, a), FloatVector.fromArray(Kernels.S, y, yo + i)).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] += a * xv[xo + i];
    }

    @Override
    public void close() { closed = true; }
}
