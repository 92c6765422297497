package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.onnx.BertWeights;
import dev.infercost.engine.onnx.MiniLmEncoder;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TornadoEncoder} implementation: one TornadoVM task graph per (batch, padded length) bucket, 2 + 7 per
 * layer tasks (embed+LN; per layer qkv, attn, wo+residual, ln1, ffn1+GELU, ffn2+residual, ln2; pool+L2), built
 * on the bucket's first run and reused. Weights are TornadoVM arrays shared by all buckets (each bucket's plan
 * copies them to the device on its first execution); activations stay on the device; per run only ids, token
 * types and mask go in and the pooled {@code [batch, dim]} embeddings come back.
 */
final class TornadoBertEncoder implements TornadoEncoder {
    /** Sequence lengths are padded up to a multiple of this (fewer buckets; masked positions change nothing). */
    static final int LEN_STEP = 16;
    /** Dense-layer kernel choice (system property infercost.tornado.bertTiled, default true). */
    static final boolean TILED = Boolean.parseBoolean(System.getProperty("infercost.tornado.bertTiled", "true"));

    private final BertWeights w;
    private final TornadoDevice device;
    private final String deviceId;
    private final int wg;
    private final FloatArray word, position, tokenType, embLnW, embLnB;
    private final FloatArray[][] layer; // per layer: wqkv bqkv wo bo ln1w ln1b w1 b1 w2 b2 ln2w ln2b
    private final Map<Long, Bucket> buckets = new HashMap<>();

    TornadoBertEncoder(BertWeights w, TornadoDevice device, String deviceId) {
        this.w = w;
        this.device = device;
        this.deviceId = deviceId;
        long[] maxWg = device.getDeviceMaxWorkgroupDimensions();
        long deviceMax = maxWg == null || maxWg.length == 0 || maxWg[0] <= 0 ? 64 : maxWg[0];
        // 64 on CPU devices (PoCL runs a work-group as a loop on one core; see TornadoLlamaEngine), 128 otherwise.
        int want = device.getDeviceType() == TornadoDeviceType.CPU ? 64 : 128;
        this.wg = Integer.highestOneBit((int) Math.min(want, deviceMax));
        if (w.dim() % wg != 0 || (3 * w.dim()) % wg != 0 || w.hidden() % wg != 0)
            throw new BadInputException("tornado encoder: widths " + w.dim() + "/" + w.hidden() + " are not multiples of the work-group size " + wg);
        word = FloatArray.fromArray(w.word());
        position = FloatArray.fromArray(w.position());
        tokenType = FloatArray.fromArray(w.tokenType());
        embLnW = FloatArray.fromArray(w.embLnW());
        embLnB = FloatArray.fromArray(w.embLnB());
        layer = new FloatArray[w.layers().size()][];
        for (int l = 0; l < layer.length; l++) {
            BertWeights.Layer L = w.layers().get(l);
            float[][] src = {L.wqkv(), L.bqkv(), L.wo(), L.bo(), L.ln1w(), L.ln1b(), L.w1(), L.b1(), L.w2(), L.b2(), L.ln2w(), L.ln2b()};
            layer[l] = new FloatArray[src.length];
            for (int i = 0; i < src.length; i++) layer[l][i] = FloatArray.fromArray(src[i]);
        }
    }

    @Override
    public String description() {
        return "TornadoVM on " + deviceId + " " + TornadoBackendImpl.physicalName(device) + " (" + device.getDeviceType() + ", wg " + wg + ")";
    }

    @Override
    public float[][] run(MiniLmEncoder.Batch b) {
        int seq = (b.seq() + LEN_STEP - 1) / LEN_STEP * LEN_STEP;
        if (b.seq() > w.maxPos())
            throw new BadInputException("tornado encoder: sequence of " + b.seq() + " tokens exceeds the model's " + w.maxPos() + " positions");
        Bucket k = buckets.computeIfAbsent(((long) b.batch() << 32) | seq, key -> new Bucket(b.batch(), seq));
        for (int i = 0; i < b.batch(); i++)
            for (int s = 0; s < seq; s++) {
                int r = i * seq + s;
                long id = s < b.seq() ? b.inputIds()[i * b.seq() + s] : 0;
                long m = s < b.seq() ? b.attentionMask()[i * b.seq() + s] : 0;
                if (id < 0 || id >= w.vocab())
                    throw new BadInputException("tornado encoder: token id " + id + " outside the vocabulary 0.." + (w.vocab() - 1));
                k.ids.set(r, (int) id);
                k.mask.set(r, (int) m);
            }
        k.execute();
        float[][] out = new float[b.batch()][w.dim()];
        for (int i = 0; i < b.batch(); i++)
            for (int d = 0; d < w.dim(); d++) out[i][d] = k.out.get(i * w.dim() + d);
        return out;
    }

    @Override
    public void close() {
        List<Exception> failed = new ArrayList<>();
        for (Bucket k : buckets.values()) {
            try {
                k.plan.close();
            } catch (TornadoExecutionPlanException e) {
                failed.add(e);
            }
        }
        buckets.clear();
        if (!failed.isEmpty()) throw new IllegalStateException("tornado encoder: freeing device memory failed", failed.getFirst());
    }

    /** One (batch, seq) task graph with its activations. */
    private final class Bucket {
        final IntArray ids, types, mask;
        final FloatArray out;
        final TornadoExecutionPlan plan;
        boolean verified;

        Bucket(int batch, int seq) {
            int D = w.dim(), F = w.hidden(), H = w.heads(), hs = w.headSize(), rows = batch * seq;
            ids = new IntArray(rows);
            types = new IntArray(rows); // all 0: single-segment inputs, as MiniLmEncoder feeds ONNX Runtime
            mask = new IntArray(rows);
            out = new FloatArray(batch * D);
            FloatArray x = new FloatArray(rows * D), qkv = new FloatArray(rows * 3 * D), ctx = new FloatArray(rows * D),
                    ff = new FloatArray(rows * F);
            String G = "bert" + batch + "x" + seq;
            TaskGraph g = new TaskGraph(G);
            List<Object> resident = new ArrayList<>(List.of(word, position, tokenType, embLnW, embLnB, x, qkv, ctx, ff, types));
            for (FloatArray[] l : layer) resident.addAll(List.of(l));
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, resident.toArray());
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, ids, mask);
            KernelContext kc = new KernelContext();
            GridScheduler gs = new GridScheduler();
            float eps = w.eps();
            int attnWg = Math.min(wg, 32);
            g.task("embed", BertKernels::embed, kc, x, ids, types, word, position, tokenType, embLnW, embLnB, seq, D, eps, wg);
            grid(gs, G, "embed", (long) rows * wg, wg);
            for (int l = 0; l < layer.length; l++) {
                FloatArray[] L = layer[l];
                String s = Integer.toString(l);
                dense(g, gs, kc, G, "qkv" + s, qkv, x, L[0], L[1], D, 3 * D, 0, 0, rows);
                g.task("attn" + s, BertKernels::attention, kc, ctx, qkv, mask, seq, D, H, hs, (float) (1.0 / Math.sqrt(hs)), attnWg);
                grid(gs, G, "attn" + s, (long) rows * H * attnWg, attnWg);
                dense(g, gs, kc, G, "wo" + s, x, ctx, L[2], L[3], D, D, 0, 1, rows);
                g.task("ln1" + s, BertKernels::layerNorm, kc, x, L[4], L[5], D, eps, wg);
                grid(gs, G, "ln1" + s, (long) rows * wg, wg);
                dense(g, gs, kc, G, "ffn1" + s, ff, x, L[6], L[7], D, F, 1, 0, rows);
                dense(g, gs, kc, G, "ffn2" + s, x, ff, L[8], L[9], F, D, 0, 1, rows);
                g.task("ln2" + s, BertKernels::layerNorm, kc, x, L[10], L[11], D, eps, wg);
                grid(gs, G, "ln2" + s, (long) rows * wg, wg);
            }
            g.task("pool", BertKernels::poolNormalize, kc, out, x, mask, seq, D, wg);
            grid(gs, G, "pool", (long) batch * wg, wg);
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
            plan = new TornadoExecutionPlan(g.snapshot()).withDevice(device).withGridScheduler(gs);
        }

        /** A dense-layer task: {@link BertKernels#linearTiled} when {@link #TILED}, else {@link BertKernels#linear}. */
        private void dense(TaskGraph g, GridScheduler gs, KernelContext kc, String graph, String task, FloatArray out, FloatArray in,
                           FloatArray wt, FloatArray bias, int inDim, int outDim, int gelu, int residual, int rows) {
            if (TILED) {
                g.task(task, BertKernels::linearTiled, kc, out, in, wt, bias, inDim, outDim, gelu, residual);
                grid(gs, graph, task, (long) outDim / BertKernels.TILE_COLS * (rows / BertKernels.TILE_ROWS), 16);
            } else {
                g.task(task, BertKernels::linear, kc, out, in, wt, bias, inDim, outDim, gelu, residual);
                grid(gs, graph, task, (long) outDim * (rows / BertKernels.ROWS_PER_THREAD), wg);
            }
        }

        private static void grid(GridScheduler gs, String graph, String task, long global, int local) {
            WorkerGrid1D wgrid = new WorkerGrid1D(Math.toIntExact(global));
            wgrid.setLocalWork(local, 1, 1);
            gs.addWorkerGrid(graph + "." + task, wgrid);
        }

        void execute() {
            if (verified) {
                plan.execute();
                return;
            }
            // First execution compiles the kernels and copies the weights; profile it once to prove the graph ran as
            // device kernels (TornadoVM can bail out to sequential Java on the host).
            plan.withProfiler(ProfilerMode.SILENT);
            TornadoExecutionResult r = plan.execute();
            long kernelNs = r.getProfilerResult().getDeviceKernelTime();
            plan.withoutProfiler();
            if (kernelNs <= 0)
                throw new IllegalStateException("tornado encoder: the task graph did not run as device kernels on " + deviceId
                        + " (profiler device kernel time " + kernelNs + " ns): TornadoVM fell back to Java; not measuring it");
            verified = true;
        }
    }
}
