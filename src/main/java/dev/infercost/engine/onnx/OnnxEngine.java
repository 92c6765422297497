package dev.infercost.engine.onnx;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.ModelInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Backend "onnx": a Llama decoder on ONNX Runtime. Either a loaded {@link LlamaModel} exported on open
 * ({@link OnnxExporter}, variant from {@code extra.variant}: contrib (default) or standard) into a temporary
 * folder deleted on {@link #close()}, or an ONNX decoder file a user brings ({@link #openFile}).
 */
public final class OnnxEngine implements Engine {
    private final OnnxDecoder decoder;
    private final LlamaConfig config;
    private final ModelInfo info;
    private final Path tempDir;
    private final String variant;

    private OnnxEngine(OnnxDecoder decoder, LlamaConfig config, ModelInfo info, Path tempDir, String variant) {
        this.decoder = decoder; this.config = config; this.info = info; this.tempDir = tempDir; this.variant = variant;
    }

    /**
     * Exports {@code model} and opens it.
     *
     * @throws BadInputException unknown variant, unavailable execution provider, export failure
     */
    public static OnnxEngine open(LlamaModel model, EngineOptions options) {
        Map<String, String> extra = options.extra() == null ? Map.of() : options.extra();
        OnnxExporter.Variant v = OnnxExporter.Variant.parse(extra.getOrDefault("variant", "contrib"));
        Path dir;
        try {
            dir = Files.createTempDirectory("infercost-onnx-");
        } catch (IOException e) {
            throw new BadInputException("cannot create a temporary folder for the ONNX export: " + e.getMessage(), e);
        }
        try {
            OnnxExporter.Result r = OnnxExporter.export(model, dir.resolve(model.info().name().replaceAll("[^A-Za-z0-9._-]", "_") + ".onnx"), v);
            OnnxDecoder d = OnnxDecoder.open(r.model(), options);
            return new OnnxEngine(d, model.config(), model.info(), dir, v.name().toLowerCase());
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /**
     * Opens a decoder ONNX file (infercost export or Hugging Face Optimum layout).
     *
     * @throws BadInputException file missing, not a decoder this engine understands, provider unavailable
     */
    public static OnnxEngine openFile(Path onnx, EngineOptions options) {
        OnnxDecoder d = OnnxDecoder.open(onnx, options);
        try {
            LlamaConfig c = d.config();
            Map<String, String> md = d.metadata;
            String name = md.getOrDefault("infercost.source.name", stem(onnx));
            boolean synthetic = Boolean.parseBoolean(md.getOrDefault("infercost.synthetic_weights", "false"));
            long bytes = fileBytes(onnx) + fileBytes(onnx.resolveSibling(onnx.getFileName() + ".data")) + fileBytes(onnx.resolveSibling(onnx.getFileName() + "_data"));
            ModelInfo info = new ModelInfo(name, "onnx", onnx.toAbsolutePath().toString(), synthetic, "F32", bytes);
            return new OnnxEngine(d, c, info, null, md.getOrDefault("infercost.variant", "external"));
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    private static long fileBytes(Path p) {
        try { return Files.isRegularFile(p) ? Files.size(p) : 0; } catch (IOException e) { return 0; }
    }

    @Override public String backend() { return "onnx"; }

    @Override public String device() { return "onnxruntime " + OnnxDecoder.ortVersion() + " " + decoder.device() + ", graph " + variant; }

    @Override public LlamaConfig config() { return config; }

    @Override public ModelInfo model() { return info; }

    /** The underlying decoder (session, layout), e.g. for a bare ONNX Runtime loop in benchmarks. */
    public OnnxDecoder decoder() { return decoder; }

    /** "standard", "contrib" or "external" (a user's file). */
    public String variant() { return variant; }

    @Override
    public DecodeSession newSession(int maxBatch, int maxContext) {
        if (maxBatch <= 0) throw new BadInputException("onnx: maxBatch must be positive, got " + maxBatch);
        if (maxContext <= 0 || maxContext > config.seqLen())
            throw new BadInputException("onnx: maxContext " + maxContext + " outside 1.." + config.seqLen() + " (the model's seq_len)");
        return new OnnxDecodeSession(decoder, maxBatch, maxContext);
    }

    @Override
    public void close() {
        try {
            decoder.close();
        } finally {
            if (tempDir != null) deleteTree(tempDir);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { }
            });
        } catch (IOException ignored) {
        }
    }
}
