package dev.infercost.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.BadInputException;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ONNX Runtime session over a decoder in the Hugging Face Optimum layout (what {@link OnnxExporter} writes
 * and what {@code optimum-cli export onnx --task text-generation-with-past} produces for Llama models):
 * inputs {@code input_ids, attention_mask, position_ids [batch, seq|total] int64,
 * past_key_values.L.key/value [batch, kv_heads, past, head_size] float32}; outputs
 * {@code logits [batch, seq, vocab], present.L.key/value}. The layout is checked on open.
 *
 * <p>Session options (from {@link EngineOptions}): intra-op threads ({@code threads}), graph optimisation
 * level ({@code extra.opt_level}: disable|basic|extended|all, default all), execution provider
 * ({@code extra.ep} or {@code device}: cpu (default), cuda, tensorrt). CUDA and TensorRT exist only in
 * {@code com.microsoft.onnxruntime:onnxruntime_gpu} (build with {@code mvn -Ponnx-gpu package}).
 */
public final class OnnxDecoder implements AutoCloseable {
    final OrtEnvironment env;
    final OrtSession session;
    final Path file;
    final int nLayers, nKvHeads, headSize, vocab;
    final String executionProvider;
    final String optLevel;
    final int threads;
    final Map<String, String> metadata;

    private OnnxDecoder(OrtEnvironment env, OrtSession session, Path file, int nLayers, int nKvHeads, int headSize, int vocab,
                        String ep, String optLevel, int threads, Map<String, String> metadata) {
        this.env = env; this.session = session; this.file = file; this.nLayers = nLayers; this.nKvHeads = nKvHeads;
        this.headSize = headSize; this.vocab = vocab; this.executionProvider = ep; this.optLevel = optLevel;
        this.threads = threads; this.metadata = metadata;
    }

    /** Execution providers compiled into the ONNX Runtime on the class path. */
    public static EnumSet<OrtProvider> availableProviders() { return OrtEnvironment.getAvailableProviders(); }

    /** The ONNX Runtime version on the class path. */
    public static String ortVersion() { return OrtEnvironment.getEnvironment().getVersion(); }

    /**
     * Opens and checks a decoder file.
     *
     * @throws BadInputException missing file, not an ONNX model, a layout this engine does not understand
     *         (message lists expected vs found), or an unavailable execution provider (names the artifact)
     */
    public static OnnxDecoder open(Path file, EngineOptions options) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": ONNX decoder file not found");
        Map<String, String> extra = options.extra() == null ? Map.of() : options.extra();
        String ep = extra.getOrDefault("ep", options.device() == null ? "cpu" : options.device()).toLowerCase(Locale.ROOT);
        String opt = extra.getOrDefault("opt_level", "all").toLowerCase(Locale.ROOT);
        int threads = options.effectiveThreads();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            so.setOptimizationLevel(switch (opt) {
                case "disable", "none", "0" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case "basic", "1" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case "extended", "2" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case "all", "99" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
                default -> throw new BadInputException("onnx opt_level '" + opt + "': expected disable, basic, extended or all");
            });
            addProvider(so, ep);
            session = env.createSession(file.toString(), so);
        } catch (OrtException e) {
            throw new BadInputException(file + ": ONNX Runtime cannot load it as a model: " + e.getMessage(), e);
        }
        try {
            return inspect(env, session, file, ep, opt, threads);
        } catch (RuntimeException e) {
            try { session.close(); } catch (OrtException ignored) { }
            throw e;
        }
    }

    static void addProvider(OrtSession.SessionOptions so, String ep) throws OrtException {
        EnumSet<OrtProvider> have = availableProviders();
        switch (ep) {
            case "cpu" -> { }
            case "cuda" -> {
                requireProvider(have, OrtProvider.CUDA, ep);
                try {
                    so.addCUDA(0);
                } catch (OrtException e) {
                    throw new BadInputException("onnx execution provider 'cuda' failed to initialise (it needs an NVIDIA GPU with CUDA 12 and cuDNN 9 libraries on the library path): " + e.getMessage(), e);
                }
            }
            case "tensorrt", "trt" -> {
                requireProvider(have, OrtProvider.TENSOR_RT, ep);
                try {
                    so.addTensorrt(0);
                    so.addCUDA(0);
                } catch (OrtException e) {
                    throw new BadInputException("onnx execution provider 'tensorrt' failed to initialise (it needs TensorRT 10, CUDA 12 and cuDNN 9 libraries on the library path): " + e.getMessage(), e);
                }
            }
            default -> throw new BadInputException("onnx execution provider '" + ep + "': expected cpu, cuda or tensorrt");
        }
    }

    static void requireProvider(EnumSet<OrtProvider> have, OrtProvider p, String name) {
        if (!have.contains(p))
            throw new BadInputException("onnx execution provider '" + name + "' is not available in this ONNX Runtime build (available: "
                    + have + "); it is provided by the Maven artifact com.microsoft.onnxruntime:onnxruntime_gpu "
                    + "(build infercost with: mvn -Ponnx-gpu package; needs CUDA 12 and cuDNN 9 on the machine)");
    }

    private static OnnxDecoder inspect(OrtEnvironment env, OrtSession s, Path file, String ep, String opt, int threads) {
        List<String> problems = new ArrayList<>();
        Map<String, NodeInfo> ins, outs;
        Map<String, String> md;
        try {
            ins = s.getInputInfo();
            outs = s.getOutputInfo();
            md = s.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new BadInputException(file + ": cannot read model inputs/outputs: " + e.getMessage(), e);
        }
        checkTensor(ins, "input_ids", OnnxJavaType.INT64, 2, problems);
        checkTensor(ins, "attention_mask", OnnxJavaType.INT64, 2, problems);
        checkTensor(ins, "position_ids", OnnxJavaType.INT64, 2, problems);
        checkTensor(outs, "logits", OnnxJavaType.FLOAT, 3, problems);
        int layers = 0;
        while (ins.containsKey("past_key_values." + layers + ".key")) layers++;
        if (layers == 0) problems.add("no past_key_values.0.key input (a decoder exported with KV cache, e.g. optimum task text-generation-with-past)");
        int kvHeads = -1, headSize = -1, vocab = -1;
        for (int l = 0; l < layers; l++) {
            for (String kind : new String[]{"key", "value"}) {
                String pin = "past_key_values." + l + "." + kind, pout = "present." + l + "." + kind;
                TensorInfo ti = checkTensor(ins, pin, OnnxJavaType.FLOAT, 4, problems);
                checkTensor(outs, pout, OnnxJavaType.FLOAT, 4, problems);
                if (ti != null) {
                    long[] sh = ti.getShape();
                    if (sh[1] <= 0 || sh[3] <= 0) problems.add(pin + ": expected static kv_heads and head_size dims, found shape " + java.util.Arrays.toString(sh));
                    else if (kvHeads < 0) { kvHeads = (int) sh[1]; headSize = (int) sh[3]; }
                    else if (sh[1] != kvHeads || sh[3] != headSize) problems.add(pin + ": shape " + java.util.Arrays.toString(sh) + " differs from layer 0's [*, " + kvHeads + ", *, " + headSize + "]");
                }
            }
        }
        if (outs.get("logits") != null && outs.get("logits").getInfo() instanceof TensorInfo ti && ti.getShape().length == 3)
            vocab = (int) ti.getShape()[2];
        if (vocab <= 0 && md.containsKey("llama.vocab_size")) vocab = Integer.parseInt(md.get("llama.vocab_size"));
        if (vocab <= 0 && problems.isEmpty()) problems.add("logits: expected a static vocab dimension [batch, seq, vocab], found " + outs.get("logits").getInfo());
        if (!problems.isEmpty())
            throw new BadInputException(file + ": not a decoder this engine understands (expected Optimum layout: input_ids, attention_mask, position_ids int64 [batch, seq]; "
                    + "past_key_values.N.key/value float32 [batch, kv_heads, past, head_size] -> logits float32 [batch, seq, vocab], present.N.key/value). Found problems: "
                    + String.join("; ", problems) + ". Inputs found: " + ins.keySet() + "; outputs found: " + outs.keySet());
        return new OnnxDecoder(env, s, file, layers, kvHeads, headSize, vocab, ep, opt, threads, md);
    }

    private static TensorInfo checkTensor(Map<String, NodeInfo> m, String name, OnnxJavaType type, int rank, List<String> problems) {
        NodeInfo ni = m.get(name);
        if (ni == null) { problems.add("missing " + name); return null; }
        if (!(ni.getInfo() instanceof TensorInfo ti)) { problems.add(name + ": expected a tensor, found " + ni.getInfo()); return null; }
        if (ti.type != type) problems.add(name + ": unsupported dtype " + ti.type + " (expected " + type + ")");
        if (ti.getShape().length != rank) problems.add(name + ": expected rank " + rank + ", found shape " + java.util.Arrays.toString(ti.getShape()));
        return ti.type == type && ti.getShape().length == rank ? ti : null;
    }

    /**
     * The decoder's {@link LlamaConfig}: from infercost's export metadata, else from a Hugging Face
     * {@code config.json} beside the file, else the minimum the I/O shapes tell (heads = kv heads,
     * dim = kv_heads * head_size, hidden_dim unknown = dim, seq_len 2048, theta 10000: labelled in {@link #configSource()}).
     */
    public LlamaConfig config() {
        if (metadata.containsKey("llama.dim")) {
            return new LlamaConfig(i("llama.dim"), i("llama.hidden_dim"), i("llama.n_layers"), i("llama.n_heads"), i("llama.n_kv_heads"),
                    i("llama.vocab_size"), i("llama.seq_len"), Float.parseFloat(metadata.get("llama.rope_theta")),
                    Float.parseFloat(metadata.get("llama.rms_norm_eps")), Boolean.parseBoolean(metadata.get("llama.shared_classifier")));
        }
        Path cfg = file.resolveSibling("config.json");
        if (Files.isRegularFile(cfg)) {
            try {
                JsonNode j = new ObjectMapper().readTree(cfg.toFile());
                int dim = j.path("hidden_size").asInt(nKvHeads * headSize);
                int heads = j.path("num_attention_heads").asInt(nKvHeads);
                return new LlamaConfig(dim, j.path("intermediate_size").asInt(dim), nLayers, heads, j.path("num_key_value_heads").asInt(heads),
                        vocab, j.path("max_position_embeddings").asInt(2048), (float) j.path("rope_theta").asDouble(10000),
                        (float) j.path("rms_norm_eps").asDouble(1e-5), j.path("tie_word_embeddings").asBoolean(false));
            } catch (IOException e) {
                throw new BadInputException(cfg + ": cannot read Hugging Face config.json: " + e.getMessage(), e);
            }
        }
        return new LlamaConfig(nKvHeads * headSize, nKvHeads * headSize, nLayers, nKvHeads, nKvHeads, vocab, 2048, 10000f, 1e-5f, false);
    }

    /** Where {@link #config()} came from: "export-metadata", "config.json" or "io-shapes". */
    public String configSource() {
        if (metadata.containsKey("llama.dim")) return "export-metadata";
        return Files.isRegularFile(file.resolveSibling("config.json")) ? "config.json" : "io-shapes";
    }

    private int i(String k) { return Integer.parseInt(metadata.get(k)); }

    public OrtSession session() { return session; }

    public OrtEnvironment environment() { return env; }

    public int layers() { return nLayers; }

    public int kvHeads() { return nKvHeads; }

    public int headSize() { return headSize; }

    public int vocab() { return vocab; }

    /** e.g. "cpu (2 threads, opt all)". */
    public String device() { return executionProvider + " (" + threads + " threads, opt " + optLevel + ")"; }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
