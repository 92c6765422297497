package dev.infercost.engine.jvm;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.LlamaWeights;
import dev.infercost.model.MappedTensor;
import dev.infercost.model.ModelInfo;
import dev.infercost.model.Tensor;
import dev.infercost.model.TensorType;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The pure-JVM engine: the Llama forward pass of llama2.c run.c (RMSNorm, RoPE on adjacent pairs,
 * grouped-query attention over a per-slot KV cache, SwiGLU FFN, residuals, classifier), batched so that every
 * weight row is read once per step for all sequences, with rows split across {@link EngineOptions#threads}.
 * The Qwen2/Qwen3/Phi-3 variants add, as llama.cpp's graphs do (src/models/qwen2.cpp, qwen3.cpp, phi3.cpp): Q/K/V
 * (and output) biases after the projections, per-head RMSNorm of Q and K before RoPE, NEOX-style RoPE (pairs i and
 * i + head/2), and a head width other than dim / heads. Weights stay where the loader put them (memory-mapped file
 * or off-heap), in their GGML layout; on Linux with transparent huge pages the matrices are first copied into 2 MiB
 * pages ({@link HugePageWeights}; {@link #device()} says so).
 */
public final class JvmEngine implements Engine {
    final LlamaModel model;
    final LlamaConfig cfg;
    final MappedTensor emb, cls, rmsFinalT;
    final MappedTensor[] wq, wk, wv, wo, w1, w2, w3;
    final float[][] rmsAtt, rmsFfn;
    /** Optional per-layer vectors (null when the model has none): Q/K/V/output biases, Q/K per-head RMSNorm weights. */
    final float[][] bq, bk, bv, bo, qNorm, kNorm;
    final float[] rmsFinal;
    final WorkerPool pool;
    private final int threads;
    /** Whether the weight matrices were copied into transparent huge pages ({@link HugePageWeights}). */
    final boolean hugePages;
    /** Q8_0 matrices repacked for the small-batch kernels (see {@link RepackedQ8}); empty when disabled. */
    /** Batch-1 F32 products through {@link F32Kernels} (4 rows per pass); off with -Dinfercost.jvm.f32rows4=false. */
    final boolean f32Rows4 = !"false".equals(System.getProperty("infercost.jvm.f32rows4"));
    private final java.util.IdentityHashMap<MappedTensor, RepackedQ8> repacked = new java.util.IdentityHashMap<>();

    JvmEngine(LlamaModel model, EngineOptions options) {
        this.model = model;
        this.cfg = model.config();
        LlamaWeights w = model.weights();
        int L = cfg.nLayers();
        MappedTensor emb0 = mapped(w.tokenEmbedding());
        MappedTensor cls0 = w.classifier() == w.tokenEmbedding() ? emb0 : mapped(w.classifier());
        rmsFinalT = mapped(w.rmsFinal());
        MappedTensor[] wq0 = mappedAll(w.wq()), wk0 = mappedAll(w.wk()), wv0 = mappedAll(w.wv()), wo0 = mappedAll(w.wo()),
                w10 = mappedAll(w.w1()), w20 = mappedAll(w.w2()), w30 = mappedAll(w.w3());
        // the matrices every step sweeps, into 2 MiB pages where the OS offers them (HugePageWeights)
        java.util.List<MappedTensor> sweep = new java.util.ArrayList<>();
        sweep.add(cls0);
        for (MappedTensor[] ts : new MappedTensor[][]{wq0, wk0, wv0, wo0, w10, w20, w30}) sweep.addAll(java.util.Arrays.asList(ts));
        java.util.Map<MappedTensor, MappedTensor> huge = HugePageWeights.copy(sweep);
        hugePages = huge != null;
        java.util.function.UnaryOperator<MappedTensor> moved = t -> huge == null ? t : huge.getOrDefault(t, t);
        emb = moved.apply(emb0);
        cls = moved.apply(cls0);
        wq = moved(wq0, moved); wk = moved(wk0, moved); wv = moved(wv0, moved); wo = moved(wo0, moved);
        w1 = moved(w10, moved); w2 = moved(w20, moved); w3 = moved(w30, moved);
        rmsAtt = new float[L][];
        rmsFfn = new float[L][];
        for (int l = 0; l < L; l++) {
            rmsAtt[l] = w.rmsAtt()[l].toFloatArray();
            rmsFfn[l] = w.rmsFfn()[l].toFloatArray();
        }
        rmsFinal = w.rmsFinal().toFloatArray();
        bq = vectors(w.bq()); bk = vectors(w.bk()); bv = vectors(w.bv()); bo = vectors(w.bo());
        qNorm = vectors(w.qNorm()); kNorm = vectors(w.kNorm());
        this.threads = options.effectiveThreads();
        // repack Q8_0 matrices onto the heap (~1.13 bytes per weight) when they fit in a third of the free heap;
        // otherwise the kernels read the GGML blocks in place
        MappedTensor[][] groups = {wq, wk, wv, wo, w1, w2, w3, {cls}};
        long repackBytes = 0;
        for (MappedTensor[] ts : groups)
            for (MappedTensor t : ts) if (t.type() == TensorType.Q8_0) repackBytes += t.data().byteSize();
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        // opt-in: in paired runs the repacked copy gave no decode gain once weights exceed the caches, and it holds a
        // second copy of the Q8_0 weights on the heap
        if ("true".equals(System.getProperty("infercost.jvm.repackQ8")) && repackBytes * 1.2 < free / 3.0)
            for (MappedTensor[] ts : groups)
                for (MappedTensor t : ts)
                    if (t.type() == TensorType.Q8_0 && (long) t.rows() * t.cols() < Integer.MAX_VALUE - 16)
                        repacked.computeIfAbsent(t, RepackedQ8::of);
        this.pool = new WorkerPool(threads, "infercost-jvm");
    }

    /**
     * The repacked copy of a Q8_0 matrix, or null (other types, or repacking not enabled with
     * {@code -Dinfercost.jvm.repackQ8=true}).
     */
    RepackedQ8 repacked(MappedTensor t) { return t == null ? null : repacked.get(t); }

    private static MappedTensor mapped(Tensor t) {
        if (t instanceof MappedTensor m) return m;
        // any other Tensor implementation: dequantise once into an off-heap F32 copy
        MemorySegment s = java.lang.foreign.Arena.ofAuto().allocate(4L * t.size(), 64);
        float[] row = new float[t.cols()];
        for (int r = 0; r < t.rows(); r++) {
            t.dequantizeRow(r, row, 0);
            MemorySegment.copy(row, 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * r * t.cols(), t.cols());
        }
        return new MappedTensor(TensorType.F32, t.rows(), t.cols(), s);
    }

    private static float[][] vectors(Tensor[] ts) {
        if (ts == null) return null;
        float[][] out = new float[ts.length][];
        for (int i = 0; i < ts.length; i++) out[i] = ts[i].toFloatArray();
        return out;
    }

    private static MappedTensor[] moved(MappedTensor[] ts, java.util.function.UnaryOperator<MappedTensor> f) {
        MappedTensor[] out = new MappedTensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = f.apply(ts[i]);
        return out;
    }

    private static MappedTensor[] mappedAll(Tensor[] ts) {
        MappedTensor[] out = new MappedTensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = mapped(ts[i]);
        return out;
    }

    static String speciesDescription() {
        return Kernels.S.vectorBitSize() + "-bit (" + Kernels.L + " floats)";
    }

    @Override public String backend() { return "jvm"; }

    @Override
    public String device() {
        return String.format(Locale.ROOT, "cpu (%d thread%s, Vector API %s%s)", threads, threads == 1 ? "" : "s", speciesDescription(),
                hugePages ? ", weights in 2 MiB pages" : "");
    }

    @Override public LlamaConfig config() { return cfg; }
    @Override public ModelInfo model() { return model.info(); }

    /** Worker threads used per matmul. */
    public int threads() { return threads; }

    /**
     * KV-cache bytes a session of this shape needs: 2 (K and V) x n_layers x maxBatch x maxContext x kv_dim x 4
     * (fp32).
     */
    public long kvCacheBytes(int maxBatch, int maxContext) {
        return 2L * cfg.nLayers() * maxBatch * (long) maxContext * cfg.kvDim() * 4L;
    }

    /**
     * @throws BadInputException maxBatch or maxContext not positive, maxContext above the model's seqLen, or the
     *         KV cache plus activations not fitting in the JVM heap ({@code Runtime.maxMemory()})
     */
    @Override
    public DecodeSession newSession(int maxBatch, int maxContext) {
        if (maxBatch <= 0) throw new BadInputException("maxBatch must be positive, got " + maxBatch);
        if (maxContext <= 0 || maxContext > cfg.seqLen())
            throw new BadInputException("maxContext " + maxContext + " must be in 1.." + cfg.seqLen() + " (the model's seq_len for " + model.info().name() + ")");
        if ((long) maxContext * cfg.kvDim() > Integer.MAX_VALUE - 16)
            throw new BadInputException("maxContext " + maxContext + " x kv_dim " + cfg.kvDim() + " exceeds one Java array");
        int rows = JvmSession.rowsCap(maxBatch);
        long act = 4L * rows * (3L * cfg.dim() + 2L * cfg.qDim() + 2L * cfg.kvDim() + 2L * cfg.hiddenDim())
                + 4L * threads * (maxContext + (4L + GemmKernels.MR) * Math.max(Math.max(cfg.dim(), cfg.qDim()), cfg.hiddenDim()))
                + 4L * Math.max(Math.max(cfg.dim(), cfg.qDim()), cfg.hiddenDim()) * GemmKernels.ldt(rows); // GEMM's transposed input
        long need = kvCacheBytes(maxBatch, maxContext) + act;
        Runtime rt = Runtime.getRuntime();
        long have = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > have * 0.9)
            throw new BadInputException(String.format(Locale.ROOT,
                    "batch too large for memory: needs %.2f GiB (KV cache for batch %d x context %d, fp32), have %.2f GiB of JVM heap (raise -Xmx)",
                    need / 1073741824.0, maxBatch, maxContext, have / 1073741824.0));
        return new JvmSession(this, maxBatch, maxContext);
    }

    @Override
    public void close() {
        pool.close();
        synchronized (repacked) { repacked.clear(); }
    }
}
