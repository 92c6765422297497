package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.model.LlamaConfig;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One TornadoVM task graph for the whole forward pass (embedding, every layer, final norm, classifier, argmax),
 * built once per session and executed once per step. Per step only the step descriptor (n, then token, slot,
 * position per row: 1 + 3*rows ints) goes to the device and only the argmax token ids come back; logits are
 * copied back on demand ({@link #decode}, {@link #prefill}). Weights, KV cache {@code [slots, ctx, kvDim]} per
 * layer, activations and the RoPE tables live on the device from the first execution on.
 *
 * <p>Tasks per layer (6, each one kernel launch): qkv (RMSNorm + Q/K/V products + RoPE + KV-cache store),
 * attn (split-context attention), combine (merge of the splits; absent when the session's context fits one split,
 * leaving 5), wo (+ residual), ffn (RMSNorm + W1/W3 + SwiGLU), w2 (+ residual); plus embed, final norm, classifier
 * and argmax per step. Launch count matters: on small models TornadoVM's per-task dispatch, not the kernels,
 * dominates the step time (its OpenCL backend writes each kernel's argument frame with a blocking
 * clEnqueueWriteBuffer before the launch, so every task costs two synchronous device commands; on PoCL about
 * 65 us each).
 *
 * <p>Rows: a step processes up to {@code rows = max(maxBatch, min(maxContext, 64))} rows; decode uses one row per
 * sequence, prefill runs a prompt as consecutive rows of one slot (a matrix-matrix step: causal attention holds
 * because the qkv task of a layer, which stores K and V, finishes before its attention task starts).
 */
final class TornadoLlamaSession implements DecodeSession {
    /** Cache positions handled by one attention work-group (flash-decoding split length; a power of two). */
    static final int CHUNK = 128;
    private static final String G = "llama";

    private final TornadoLlamaEngine e;
    private final LlamaConfig cfg;
    private final int maxBatch, ctx, rows, nSplit, wg;
    private final IntArray meta, next;
    private final FloatArray logits;
    private final TornadoExecutionPlan plan;
    private boolean verified;
    private boolean closed;
    /** Grids whose size follows the rows of the step (n): [grid, per-row units, 1 = work-groups / 0 = items]. */
    private final List<Object[]> rowGrids = new ArrayList<>();
    private int gridRows = -1, gridSplits = -1;

    TornadoLlamaSession(TornadoLlamaEngine e, int maxBatch, int maxContext) {
        this.e = e;
        this.cfg = e.cfg;
        this.maxBatch = maxBatch;
        this.ctx = maxContext;
        this.rows = Math.max(maxBatch, Math.min(maxContext, 64));
        this.nSplit = (maxContext + CHUNK - 1) / CHUNK;
        this.wg = e.wg;
        int dim = cfg.dim(), kvDim = cfg.kvDim(), hidden = cfg.hiddenDim(), vocab = cfg.vocabSize(), L = cfg.nLayers();
        int hs = cfg.headSize(), nHeads = cfg.nHeads();

        long cacheElems = (long) maxBatch * maxContext * kvDim;
        if (cacheElems > Integer.MAX_VALUE)
            throw new BadInputException("tornado: KV cache of one layer, " + maxBatch + " slots x " + maxContext + " positions x "
                    + kvDim + " exceeds TornadoVM's int-indexed arrays; lower the batch or context");
        long scratch = 4L * ((long) rows * (3 * dim + hidden + vocab) + (long) rows * nHeads * nSplit * (hs + 2)
                + (long) maxContext * hs);
        long need = e.weightBytes() + 2L * L * 4 * cacheElems + scratch;
        long have = e.device.getPhysicalDevice().getDeviceGlobalMemorySize();
        if (have > 0 && need > have)
            throw new BadInputException(String.format("tornado: weights + KV cache + activations need %.2f GiB, device %s has %.2f GiB",
                    need / 1073741824.0, e.deviceId, have / 1073741824.0));

        meta = new IntArray(1 + 3 * rows);
        next = new IntArray(rows);
        FloatArray x = new FloatArray(rows * dim), xb = new FloatArray(rows * dim), q = new FloatArray(rows * dim);
        FloatArray hb = new FloatArray(rows * hidden);
        logits = new FloatArray(rows * vocab);
        FloatArray pout = new FloatArray(rows * nHeads * nSplit * hs), pml = new FloatArray(rows * nHeads * nSplit * 2);
        FloatArray[] keyCache = new FloatArray[L], valueCache = new FloatArray[L];
        for (int l = 0; l < L; l++) {
            keyCache[l] = new FloatArray((int) cacheElems);
            valueCache[l] = new FloatArray((int) cacheElems);
        }
        // RoPE tables [ctx, hs/2], as run.c: freq = 1 / theta^(2i/hs), angle = pos * freq (float), cos/sin in float.
        FloatArray cos = new FloatArray(maxContext * (hs / 2)), sin = new FloatArray(maxContext * (hs / 2));
        for (int p = 0; p < maxContext; p++)
            for (int i = 0; i < hs / 2; i++) {
                float freq = 1.0f / (float) Math.pow(cfg.ropeTheta(), (2 * i) / (float) hs);
                float val = p * freq;
                cos.set(p * (hs / 2) + i, (float) Math.cos(val));
                sin.set(p * (hs / 2) + i, (float) Math.sin(val));
            }

        TaskGraph g = new TaskGraph(G);
        List<Object> resident = new ArrayList<>();
        resident.add(e.embedding.array());
        if (e.classifier != e.embedding) resident.add(e.classifier.array());
        for (int l = 0; l < L; l++) {
            resident.add(e.rmsAtt[l]); resident.add(e.wq[l].array()); resident.add(e.wk[l].array()); resident.add(e.wv[l].array());
            resident.add(e.wo[l].array()); resident.add(e.rmsFfn[l]); resident.add(e.w1[l].array()); resident.add(e.w2[l].array());
            resident.add(e.w3[l].array()); resident.add(keyCache[l]); resident.add(valueCache[l]);
        }
        resident.add(e.rmsFinal);
        for (Object o : new Object[]{x, xb, q, hb, logits, pout, pml, cos, sin, next}) resident.add(o);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, resident.toArray());
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, meta);

        KernelContext kc = new KernelContext();
        GridScheduler gs = new GridScheduler();
        switch (e.embedding.type()) {
            case F32 -> g.task("embed", LlamaKernelsF32::embed, kc, x, e.embedding.f32(), meta, dim);
            case F16 -> g.task("embed", LlamaKernelsF16::embed, kc, x, e.embedding.f16(), meta, dim);
            case Q8_0 -> g.task("embed", LlamaKernelsQ8::embed, kc, x, e.embedding.q8(), meta, dim);
        }
        grid(gs, "embed", dim);
        float eps = cfg.rmsNormEps();
        int wgNorm = fit(dim), wgAttn = fit(CHUNK);
        for (int l = 0; l < L; l++) {
            String s = Integer.toString(l);
            DeviceTensor wq = e.wq[l], wk = e.wk[l], wv = e.wv[l];
            int wgQkv = fitProduct(wq), wgFfn = fitProduct(e.w1[l]);
            switch (wq.type()) {
                case F32 -> g.task("qkv" + s, LlamaKernelsF32::qkvRope, kc, q, keyCache[l], valueCache[l], x, e.rmsAtt[l],
                        wq.f32(), wk.f32(), wv.f32(), cos, sin, meta, dim, kvDim, hs, maxContext, eps, wgQkv);
                case F16 -> g.task("qkv" + s, LlamaKernelsF16::qkvRope, kc, q, keyCache[l], valueCache[l], x, e.rmsAtt[l],
                        wq.f16(), wk.f16(), wv.f16(), cos, sin, meta, dim, kvDim, hs, maxContext, eps, wgQkv);
                case Q8_0 -> g.task("qkv" + s, LlamaKernelsQ8::qkvRope, kc, q, keyCache[l], valueCache[l], x, e.rmsAtt[l],
                        wq.q8(), wk.q8(), wv.q8(), cos, sin, meta, dim, kvDim, hs, maxContext, eps, wgQkv);
            }
            weightRows(gs, "qkv" + s, (dim + 2 * kvDim) / 2, wgQkv);
            g.task("attn" + s, LlamaKernels::attention, kc, q, keyCache[l], valueCache[l], xb, pout, pml, meta, nHeads, hs, kvDim,
                    cfg.kvMul(), maxContext, CHUNK, nSplit, wgAttn);
            groups(gs, "attn" + s, -nHeads, wgAttn);
            if (nSplit > 1) { // one split: attention wrote the final output already
                g.task("combine" + s, LlamaKernels::attentionCombine, kc, xb, pout, pml, meta, dim, hs, CHUNK, nSplit);
                grid(gs, "combine" + s, dim);
            }
            matmul(g, gs, kc, "wo" + s, x, xb, e.wo[l], 1);
            switch (e.w1[l].type()) {
                case F32 -> g.task("ffn" + s, LlamaKernelsF32::ffn, kc, hb, x, e.rmsFfn[l], e.w1[l].f32(), e.w3[l].f32(), meta, dim, hidden, eps, wgFfn);
                case F16 -> g.task("ffn" + s, LlamaKernelsF16::ffn, kc, hb, x, e.rmsFfn[l], e.w1[l].f16(), e.w3[l].f16(), meta, dim, hidden, eps, wgFfn);
                case Q8_0 -> g.task("ffn" + s, LlamaKernelsQ8::ffn, kc, hb, x, e.rmsFfn[l], e.w1[l].q8(), e.w3[l].q8(), meta, dim, hidden, eps, wgFfn);
            }
            weightRows(gs, "ffn" + s, hidden, wgFfn);
            matmul(g, gs, kc, "w2" + s, x, hb, e.w2[l], 1);
        }
        g.task("finalNorm", LlamaKernels::rmsnorm, kc, xb, x, e.rmsFinal, meta, dim, eps, wgNorm);
        groups(gs, "finalNorm", 1, wgNorm);
        matmul(g, gs, kc, "classifier", logits, xb, e.classifier, 0);
        int wgArgmax = fit(vocab);
        g.task("argmax", LlamaKernels::argmax, kc, next, logits, meta, vocab, wgArgmax);
        groups(gs, "argmax", 1, wgArgmax);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, next);
        g.transferToHost(DataTransferMode.UNDER_DEMAND, logits);

        ImmutableTaskGraph itg = g.snapshot();
        TornadoExecutionPlan p = new TornadoExecutionPlan(itg).withDevice(e.device).withGridScheduler(gs);
        if (e.fixedGrids) sizeGrids(rows, nSplit);
        plan = e.cudaGraph ? p.withCUDAGraph() : p;
    }

    /**
     * Work-group size for a reduction over {@code work} items: the next power of two, at least 32 (a GPU warp)
     * and at most the engine's cap (the device's maximum work-group size, at most 256). Small models thus get
     * small work-groups instead of mostly idle 256-wide ones.
     */
    private int fit(long work) {
        long p = Long.highestOneBit(Math.max(1, work - 1)) << 1;
        return (int) Math.min(wg, Math.max(Math.min(32, wg), p));
    }

    /** {@link #fit} for a product's inner loop: elements per row, or 32-element blocks for Q8_0. */
    private int fitProduct(DeviceTensor w) {
        return fit(w.type() == dev.infercost.model.TensorType.Q8_0 ? w.cols() / 32 : w.cols());
    }

    /** A batched product task of the weight's type. */
    private void matmul(TaskGraph g, GridScheduler gs, KernelContext kc, String name, FloatArray out, FloatArray in, DeviceTensor w, int accumulate) {
        int wgw = fitProduct(w);
        switch (w.type()) {
            case F32 -> g.task(name, LlamaKernelsF32::matmul, kc, out, in, w.f32(), meta, w.cols(), w.rows(), accumulate, wgw);
            case F16 -> g.task(name, LlamaKernelsF16::matmul, kc, out, in, w.f16(), meta, w.cols(), w.rows(), accumulate, wgw);
            case Q8_0 -> g.task(name, LlamaKernelsQ8::matmul, kc, out, in, w.q8(), meta, w.cols(), w.rows(), accumulate, wgw);
        }
        weightRows(gs, name, w.rows(), wgw);
    }

    /** One work-group per weight row: fixed for the session (the product kernels loop over the step's rows). */
    private void weightRows(GridScheduler gs, String task, int weightRows, int wgt) {
        WorkerGrid1D grid = new WorkerGrid1D(weightRows * wgt);
        grid.setLocalWork(wgt, 1, 1);
        gs.addWorkerGrid(G + "." + task, grid);
    }

    /** Element-wise grid of {@code itemsPerRow} work-items per step row, rounded up to whole work-groups. */
    private void grid(GridScheduler gs, String task, long itemsPerRow) {
        int wgt = fit(itemsPerRow);
        WorkerGrid1D w = new WorkerGrid1D(wgt);
        w.setLocalWork(wgt, 1, 1);
        gs.addWorkerGrid(G + "." + task, w);
        rowGrids.add(new Object[]{w, itemsPerRow, 0, wgt});
    }

    /** {@code unitsPerRow} work-groups of {@code wg} per step row (one per row, per head and split ...). */
    private void groups(GridScheduler gs, String task, long unitsPerRow, int wgt) {
        WorkerGrid1D w = new WorkerGrid1D(wgt);
        w.setLocalWork(wgt, 1, 1);
        gs.addWorkerGrid(G + "." + task, w);
        rowGrids.add(new Object[]{w, unitsPerRow, 1, wgt});
    }

    /**
     * Sizes the per-row grids for a step of n rows, so a batch-1 step launches batch-1 grids in a session
     * sized for more. (The weight-row grids of the products do not depend on n: their kernels loop over rows.)
     */
    private void sizeGrids(int n, int splits) {
        if (n == gridRows && splits == gridSplits) return;
        for (Object[] g : rowGrids) {
            WorkerGrid1D w = (WorkerGrid1D) g[0];
            long per = (Long) g[1];
            if (per < 0) per = -per * splits; // attention: heads x context splits in use
            int wgt = (Integer) g[3];
            long global = (Integer) g[2] == 1 ? n * per * wgt : (n * per + wgt - 1) / wgt * wgt;
            w.setGlobalWork(global, 1, 1);
            w.setLocalWork(wgt, 1, 1);
        }
        gridRows = n;
        gridSplits = splits;
    }

    @Override public int maxBatch() { return maxBatch; }

    @Override public int maxContext() { return ctx; }

    /** Row capacity of one step (prefill chunk length). */
    int rows() { return rows; }

    private TornadoExecutionResult step(int n, int[] slots, int slot, int[] tokens, int tokenOffset, int[] positions, int startPos) {
        if (closed) throw new IllegalStateException("session closed");
        meta.set(0, n);
        for (int i = 0; i < n; i++) {
            int tok = tokens[tokenOffset + i];
            int s = slots == null ? slot : slots[i];
            int p = positions == null ? startPos + i : positions[i];
            if (tok < 0 || tok >= cfg.vocabSize()) throw new BadInputException("token id " + tok + " outside 0.." + (cfg.vocabSize() - 1));
            if (s < 0 || s >= maxBatch) throw new BadInputException("slot " + s + " outside 0.." + (maxBatch - 1));
            if (p < 0 || p >= ctx) throw new BadInputException("position " + p + " outside 0.." + (ctx - 1) + " (session maxContext " + ctx + ")");
            meta.set(1 + 3 * i, tok);
            meta.set(2 + 3 * i, s);
            meta.set(3 + 3 * i, p);
        }
        int maxPos = 0;
        for (int i = 0; i < n; i++) maxPos = Math.max(maxPos, meta.get(3 + 3 * i));
        if (!e.fixedGrids) sizeGrids(n, maxPos / CHUNK + 1);
        if (verified) return plan.execute();
        if (e.cudaGraph) {
            // Kernels inside a CUDA graph capture are not timed by TornadoVM's profiler, so the check below cannot
            // run; a bail-out to Java is still an error (bin/infercost sets tornado.recover.bailout=False).
            verified = true;
            return plan.execute();
        }
        // First execution: compiles the kernels and copies the weights. Profile it once to prove the task graph
        // ran as device kernels (TornadoVM can bail out to sequential Java on the host).
        plan.withProfiler(ProfilerMode.SILENT);
        TornadoExecutionResult r = plan.execute();
        long kernelNs = r.getProfilerResult().getDeviceKernelTime();
        plan.withoutProfiler();
        if (kernelNs <= 0)
            throw new IllegalStateException("tornado: the task graph did not run as device kernels on " + e.deviceId
                    + " (profiler device kernel time " + kernelNs + " ns): TornadoVM fell back to Java; not measuring it");
        verified = true;
        return r;
    }

    @Override
    public void prefill(int slot, int[] tokens, int startPos, float[] logitsOut) {
        if (tokens.length == 0) throw new BadInputException("prefill: empty prompt");
        if (startPos < 0 || startPos + tokens.length > ctx)
            throw new BadInputException("prefill: positions " + startPos + ".." + (startPos + tokens.length - 1) + " exceed maxContext " + ctx);
        TornadoExecutionResult r = null;
        int last = 0;
        for (int off = 0; off < tokens.length; off += rows) {
            int n = Math.min(rows, tokens.length - off);
            r = step(n, null, slot, tokens, off, null, startPos + off);
            last = n - 1;
        }
        if (logitsOut != null) {
            r.transferToHost(logits);
            copyLogits(last, 1, logitsOut);
        }
    }

    @Override
    public void decode(int n, int[] slots, int[] tokens, int[] positions, float[] logitsOut) {
        checkBatch(n);
        TornadoExecutionResult r = step(n, slots, 0, tokens, 0, positions, 0);
        r.transferToHost(logits);
        copyLogits(0, n, logitsOut);
    }

    /** Greedy step with the argmax on the device: only n token ids come back. {@code scratchLogits} is unused. */
    @Override
    public void decodeGreedy(int n, int[] slots, int[] tokens, int[] positions, int[] nextOut, float[] scratchLogits) {
        checkBatch(n);
        step(n, slots, 0, tokens, 0, positions, 0);
        for (int i = 0; i < n; i++) nextOut[i] = next.get(i);
    }

    private void checkBatch(int n) {
        if (n < 1 || n > maxBatch) throw new BadInputException("decode: n = " + n + " outside 1.." + maxBatch + " (session maxBatch)");
    }

    private void copyLogits(int firstRow, int n, float[] out) {
        int vocab = cfg.vocabSize();
        MemorySegment seg = logits.getSegment();
        MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, (long) firstRow * vocab * Float.BYTES, out, 0, n * vocab);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            plan.close();
        } catch (TornadoExecutionPlanException ex) {
            throw new IllegalStateException("tornado: freeing device memory failed", ex);
        }
    }
}
