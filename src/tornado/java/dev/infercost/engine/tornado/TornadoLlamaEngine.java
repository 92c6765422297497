package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.LlamaWeights;
import dev.infercost.model.ModelInfo;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Llama decoder on one TornadoVM device. Holds the weights as TornadoVM arrays in their file layout
 * ({@link DeviceTensor}); each {@link TornadoLlamaSession} builds one task graph and execution plan over them,
 * copies the weights to the device on its first execution (DataTransferMode.FIRST_EXECUTION) and keeps them,
 * the KV cache and all activations there. Sessions of one engine each hold their own device copy of the weights
 * (TornadoVM buffers belong to an execution plan): open one session at a time on a small device.
 */
public final class TornadoLlamaEngine implements Engine {
    final LlamaModel model;
    final LlamaConfig cfg;
    final TornadoDevice device;
    final String deviceId;
    /**
     * Largest work-group size for reductions: a power of two, at most the device's maximum work-group size and at
     * most 256 (1 on CPU devices); EngineOptions extra "wg" overrides it. Each kernel uses the smallest power of
     * two (at least 32) covering its reduction, up to this cap.
     */
    final int wg;
    /**
     * EngineOptions extra "cuda_graph=true": record one step as a CUDA graph on the first execution and replay it
     * (TornadoVM {@code withCUDAGraph}, PTX backend only), so a step costs one graph launch instead of one launch
     * per task. Implies {@link #fixedGrids}: a replay reuses the recorded grid sizes.
     */
    final boolean cudaGraph;
    /**
     * EngineOptions extra "fixed_grids=true" (or implied by cuda_graph): every step launches the grids of a full
     * step (all rows, all attention splits); the kernels skip rows and splits the step does not use. Testable on
     * any device; costs idle work-groups.
     */
    final boolean fixedGrids;

    final DeviceTensor embedding, classifier;
    final DeviceTensor[] wq, wk, wv, wo, w1, w2, w3;
    final FloatArray[] rmsAtt, rmsFfn;
    final FloatArray rmsFinal;

    TornadoLlamaEngine(LlamaModel model, TornadoDevice device, String deviceId, EngineOptions options) {
        requireDebugInfo();
        model.requirePlainRope("tornado");
        this.model = model;
        this.cfg = model.config();
        this.device = device;
        this.deviceId = deviceId;
        long[] maxWg = device.getDeviceMaxWorkgroupDimensions();
        long deviceMax = maxWg == null || maxWg.length == 0 || maxWg[0] <= 0 ? 64 : maxWg[0];
        String forced = options.extra() == null ? null : options.extra().get("wg");
        // Default cap: 256 on GPUs/accelerators; 1 on CPU devices, where PoCL-style drivers run a work-group as a
        // loop on one core: a GPU-shaped group (one weight row per group, threads striding over it, then a
        // local-memory tree) becomes a strided scalar loop plus barrier regions, while a group of one walks the row
        // contiguously with no reduction. Measured on PoCL (2-core EPYC), stories110M decode: 5.2 -> 11.2 tok/s at
        // batch 1 and 24 -> 54 tok/s at batch 8 going from 64 to 1 (256 -> 64 had given 2.2x on stories260K).
        int want = forced != null ? parseWg(forced)
                : device.getDeviceType() == uk.ac.manchester.tornado.api.enums.TornadoDeviceType.CPU ? 1 : 256;
        this.wg = Integer.highestOneBit((int) Math.min(want, deviceMax));
        this.cudaGraph = flag(options, "cuda_graph");
        this.fixedGrids = cudaGraph || flag(options, "fixed_grids");
        if (cudaGraph && device.getTornadoVMBackend() != uk.ac.manchester.tornado.api.enums.TornadoVMBackendType.PTX)
            throw new BadInputException("tornado option cuda_graph=true needs a device of TornadoVM's PTX backend; " + deviceId
                    + " is " + device.getTornadoVMBackend() + " (build TornadoVM with the PTX backend: make BACKEND=ptx)");

        LlamaWeights w = model.weights();
        int L = cfg.nLayers();
        if (cfg.dim() % 2 != 0 || cfg.headSize() % 2 != 0)
            throw new BadInputException("tornado: dim " + cfg.dim() + " and head size " + cfg.headSize() + " must be even (RoPE pairs)");
        embedding = DeviceTensor.of("token_embedding", w.tokenEmbedding());
        classifier = w.classifier() == w.tokenEmbedding() ? embedding : DeviceTensor.of("classifier", w.classifier());
        wq = new DeviceTensor[L]; wk = new DeviceTensor[L]; wv = new DeviceTensor[L]; wo = new DeviceTensor[L];
        w1 = new DeviceTensor[L]; w2 = new DeviceTensor[L]; w3 = new DeviceTensor[L];
        rmsAtt = new FloatArray[L]; rmsFfn = new FloatArray[L];
        for (int l = 0; l < L; l++) {
            wq[l] = DeviceTensor.of("wq[" + l + "]", w.wq()[l]);
            wk[l] = DeviceTensor.of("wk[" + l + "]", w.wk()[l]);
            wv[l] = DeviceTensor.of("wv[" + l + "]", w.wv()[l]);
            wo[l] = DeviceTensor.of("wo[" + l + "]", w.wo()[l]);
            w1[l] = DeviceTensor.of("w1[" + l + "]", w.w1()[l]);
            w2[l] = DeviceTensor.of("w2[" + l + "]", w.w2()[l]);
            w3[l] = DeviceTensor.of("w3[" + l + "]", w.w3()[l]);
            if (wq[l].type() != wk[l].type() || wq[l].type() != wv[l].type())
                throw new BadInputException("tornado: layer " + l + " Q, K and V projections must have one type (fused kernel), got "
                        + wq[l].type() + ", " + wk[l].type() + ", " + wv[l].type());
            if (w1[l].type() != w3[l].type())
                throw new BadInputException("tornado: layer " + l + " gate (w1, " + w1[l].type() + ") and up (w3, "
                        + w3[l].type() + ") projections must have the same type");
            rmsAtt[l] = DeviceTensor.vector(w.rmsAtt()[l]);
            rmsFfn[l] = DeviceTensor.vector(w.rmsFfn()[l]);
        }
        rmsFinal = DeviceTensor.vector(w.rmsFinal());
    }

    private static boolean flag(EngineOptions options, String key) {
        String v = options.extra() == null ? null : options.extra().get(key);
        if (v == null || v.equalsIgnoreCase("false")) return false;
        if (v.equalsIgnoreCase("true")) return true;
        throw new BadInputException("tornado option " + key + "=" + v + ": expected true or false");
    }

    private static int parseWg(String s) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v >= 1 && v <= 4096) return v;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new BadInputException("tornado option wg=" + s + ": expected a work-group size 1..4096");
    }

    /** Bytes of all weights as held on the device (classifier once when shared). */
    long weightBytes() {
        long b = embedding.bytes() + (classifier == embedding ? 0 : classifier.bytes()) + 4L * cfg.dim() * (2L * cfg.nLayers() + 1);
        for (DeviceTensor[] g : new DeviceTensor[][]{wq, wk, wv, wo, w1, w2, w3})
            for (DeviceTensor t : g) b += t.bytes();
        return b;
    }

    /**
     * TornadoVM compiles kernels from bytecode and needs each kernel method's local-variable table; without it
     * (classes compiled without {@code -g}) it falls back to running the Java sequentially on the host, which
     * would be measured as if it were the device. Refuse instead.
     */
    static void requireDebugInfo() {
        try (InputStream in = LlamaKernels.class.getResourceAsStream("LlamaKernels.class")) {
            if (in == null) throw new IllegalStateException("LlamaKernels.class not readable");
            String cls = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!cls.contains("LocalVariableTable"))
                throw new BadInputException("tornado: the kernels were compiled without debug info (javac -g / "
                        + "maven-compiler-plugin debuglevel lines,vars,source); TornadoVM would fall back to sequential Java. Rebuild with -g");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read LlamaKernels.class", e);
        }
    }

    @Override public String backend() { return "tornado"; }

    @Override
    public String device() {
        return "tornado " + deviceId + " " + TornadoBackendImpl.physicalName(device) + " (" + device.getTornadoVMBackend() + ", "
                + device.getDeviceType() + ", wg " + wg + (cudaGraph ? ", CUDA graph" : fixedGrids ? ", fixed grids" : "") + ")";
    }

    @Override public LlamaConfig config() { return cfg; }

    @Override public ModelInfo model() { return model.info(); }

    @Override
    public DecodeSession newSession(int maxBatch, int maxContext) {
        if (maxBatch < 1) throw new BadInputException("tornado: maxBatch must be >= 1, got " + maxBatch);
        if (maxContext < 1 || maxContext > cfg.seqLen())
            throw new BadInputException("tornado: maxContext " + maxContext + " must be in 1.." + cfg.seqLen() + " (the model's seq_len)");
        return new TornadoLlamaSession(this, maxBatch, maxContext);
    }

    @Override
    public void close() {
        // weights are host arrays released with this object; device buffers belong to the sessions' plans
    }

}
