package dev.infercost.model;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * llama2.c checkpoint format, legacy version 0 (what {@code run.c} reads; GitHub karpathy/llama2.c
 * {@code export.py legacy_export}): seven little-endian int32 {@code dim, hidden_dim, n_layers, n_heads,
 * n_kv_heads, vocab_size, seq_len} (negative vocab_size = separate classifier), then fp32 tensors in the order
 * token_embedding [vocab, dim], rms_att [L, dim], wq [L, dim, dim], wk [L, kv_dim, dim], wv [L, kv_dim, dim],
 * wo [L, dim, dim], rms_ffn [L, dim], w1 [L, hidden, dim], w2 [L, dim, hidden], w3 [L, hidden, dim],
 * rms_final [dim], freq_cis_real [seq_len, head_size/2], freq_cis_imag [seq_len, head_size/2] (unused by
 * run.c), then wcls [vocab, dim] if the classifier is separate. RoPE theta is 10000, RMSNorm eps 1e-5.
 */
public final class Llama2cFormat {
    private Llama2cFormat() {}

    static final int HEADER_BYTES = 28;

    /** Expected file size in bytes for a config (legacy v0 layout). */
    public static long expectedBytes(LlamaConfig c) {
        long floats = c.parameterCount() + (long) c.seqLen() * c.headSize(); // + freq_cis real and imag
        return HEADER_BYTES + 4 * floats;
    }

    /**
     * Memory-maps a llama2.c checkpoint and reads its tokenizer.
     *
     * @param tokenizerFile llama2.c tokenizer; null = beside the model, {@code tok<vocab>.bin} then {@code tokenizer.bin}
     * @throws BadInputException missing/short/oversized file, bad header, tokenizer size mismatch
     */
    public static LlamaModel load(Path file, Path tokenizerFile) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": model file not found");
        long size;
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < HEADER_BYTES) throw new BadInputException(file + ": " + size + " bytes is too short for a llama2.c checkpoint header (28 bytes)");
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read model: " + e.getMessage(), e);
        }
        ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) h[i] = seg.get(I32, 4L * i);
        boolean shared = h[5] > 0;
        LlamaConfig cfg;
        try {
            cfg = new LlamaConfig(h[0], h[1], h[2], h[3], h[4], Math.abs(h[5]), h[6], 10000f, 1e-5f, shared);
        } catch (BadInputException e) {
            throw new BadInputException(file + ": not a llama2.c checkpoint (" + e.getMessage() + ")");
        }
        if (cfg.headSize() % 2 != 0) throw new BadInputException(file + ": head size " + cfg.headSize() + " must be even for RoPE");
        long expected = expectedBytes(cfg);
        if (size != expected)
            throw new BadInputException(file + ": header (dim=" + cfg.dim() + " hidden_dim=" + cfg.hiddenDim() + " n_layers=" + cfg.nLayers()
                    + " n_heads=" + cfg.nHeads() + " n_kv_heads=" + cfg.nKvHeads() + " vocab_size=" + h[5] + " seq_len=" + cfg.seqLen()
                    + ") needs " + expected + " bytes but the file has " + size + (size < expected ? " (truncated?)" : " (trailing data?)"));

        Path tok = tokenizerFile != null ? tokenizerFile : findTokenizer(file, cfg.vocabSize());
        BpeTokenizer tokenizer = readTokenizerFor(file, tok, cfg.vocabSize());

        long[] off = {HEADER_BYTES};
        int dim = cfg.dim(), kv = cfg.kvDim(), hid = cfg.hiddenDim(), L = cfg.nLayers();
        Tensor emb = take(seg, off, cfg.vocabSize(), dim);
        Tensor[] rmsAtt = takeLayers(seg, off, L, 1, dim);
        Tensor[] wq = takeLayers(seg, off, L, dim, dim);
        Tensor[] wk = takeLayers(seg, off, L, kv, dim);
        Tensor[] wv = takeLayers(seg, off, L, kv, dim);
        Tensor[] wo = takeLayers(seg, off, L, dim, dim);
        Tensor[] rmsFfn = takeLayers(seg, off, L, 1, dim);
        Tensor[] w1 = takeLayers(seg, off, L, hid, dim);
        Tensor[] w2 = takeLayers(seg, off, L, dim, hid);
        Tensor[] w3 = takeLayers(seg, off, L, hid, dim);
        Tensor rmsFinal = take(seg, off, 1, dim);
        off[0] += 4L * cfg.seqLen() * cfg.headSize(); // skip freq_cis_real and freq_cis_imag
        Tensor cls = shared ? emb : take(seg, off, cfg.vocabSize(), dim);
        LlamaWeights w = new LlamaWeights(emb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, cls);
        String name = file.getFileName().toString().replaceFirst("\\.bin$", "");
        ModelInfo info = new ModelInfo(name, "llama2c", file.toAbsolutePath().toString(), false, "F32", w.storedBytes());
        return new LlamaModel(info, cfg, w, tokenizer);
    }

    static Path findTokenizer(Path model, int vocab) {
        Path dir = model.toAbsolutePath().getParent();
        Path a = dir.resolve("tok" + vocab + ".bin");
        if (Files.isRegularFile(a)) return a;
        Path b = dir.resolve("tokenizer.bin");
        if (Files.isRegularFile(b)) return b;
        throw new BadInputException(model + ": no tokenizer given and neither " + a.getFileName() + " nor tokenizer.bin is beside it (use --tokenizer)");
    }

    static BpeTokenizer readTokenizerFor(Path model, Path tok, int vocab) {
        try {
            return BpeTokenizer.readLlama2c(tok, vocab);
        } catch (BadInputException e) {
            if (Files.isRegularFile(tok)) {
                try {
                    int n = BpeTokenizer.countLlama2cEntries(Files.readAllBytes(tok));
                    if (n != vocab)
                        throw new BadInputException(model + ": header says vocab_size=" + vocab + " but tokenizer " + tok + " has " + n + " entries");
                } catch (IOException ignored) {
                    // fall through to the original message
                }
            }
            throw e;
        }
    }

    private static Tensor take(MemorySegment seg, long[] off, int rows, int cols) {
        long bytes = 4L * rows * cols;
        Tensor t = new MappedTensor(TensorType.F32, rows, cols, seg.asSlice(off[0], bytes));
        off[0] += bytes;
        return t;
    }

    private static Tensor[] takeLayers(MemorySegment seg, long[] off, int layers, int rows, int cols) {
        Tensor[] t = new Tensor[layers];
        for (int l = 0; l < layers; l++) t[l] = take(seg, off, rows, cols);
        return t;
    }

    /**
     * Writes {@code model} as a legacy v0 llama2.c checkpoint (all tensors dequantised to fp32), which run.c
     * reads. freq_cis tables are written as cos/sin of pos * theta^(-2i/head_size) as export.py does. The model's
     * rope theta is not stored: run.c always uses 10000.
     *
     * @throws BadInputException if {@code out} exists (never overwritten; exit 2)
     * @throws dev.infercost.IoFaultException if it cannot be written (disk full, permission denied, a parent is a
     *                                        file; exit 3); missing parent folders are created
     */
    public static void write(LlamaModel model, Path out) {
        model.requireLlamaGraph("llama2c export"); // run.c's graph: no biases, Q/K norms, NEOX or scaled RoPE
        LlamaConfig c = model.config();
        LlamaWeights w = model.weights();
        dev.infercost.results.OutputFiles.checkNew(out, NEVER);
        // the shared atomic writer: missing folders created, temp file + link, never overwrites, I/O faults exit 3
        // naming --out (not the temp file); nothing half-written is left
        dev.infercost.results.OutputFiles.write(out, NEVER, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer bb = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                int[] header = {c.dim(), c.hiddenDim(), c.nLayers(), c.nHeads(), c.nKvHeads(),
                        c.sharedClassifier() ? c.vocabSize() : -c.vocabSize(), c.seqLen()};
                for (int v : header) bb.putInt(v);
                Writer wr = new Writer(ch, bb);
                wr.tensor(w.tokenEmbedding());
                for (Tensor t : w.rmsAtt()) wr.tensor(t);
                for (Tensor t : w.wq()) wr.tensor(t);
                for (Tensor t : w.wk()) wr.tensor(t);
                for (Tensor t : w.wv()) wr.tensor(t);
                for (Tensor t : w.wo()) wr.tensor(t);
                for (Tensor t : w.rmsFfn()) wr.tensor(t);
                for (Tensor t : w.w1()) wr.tensor(t);
                for (Tensor t : w.w2()) wr.tensor(t);
                for (Tensor t : w.w3()) wr.tensor(t);
                wr.tensor(w.rmsFinal());
                int half = c.headSize() / 2;
                for (int part = 0; part < 2; part++)
                    for (int pos = 0; pos < c.seqLen(); pos++)
                        for (int i = 0; i < half; i++) {
                            double f = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headSize());
                            wr.f((float) (part == 0 ? Math.cos(pos * f) : Math.sin(pos * f)));
                        }
                if (!c.sharedClassifier()) wr.tensor(w.classifier());
                wr.flush();
            }
        });
    }

    private static final String NEVER = "export never overwrites (choose another --out)";

    private static final class Writer {
        final FileChannel ch;
        final ByteBuffer bb;
        float[] row = new float[0];

        Writer(FileChannel ch, ByteBuffer bb) { this.ch = ch; this.bb = bb; }

        void f(float v) throws IOException {
            if (bb.remaining() < 4) flush();
            bb.putFloat(v);
        }

        void tensor(Tensor t) throws IOException {
            if (row.length < t.cols()) row = new float[t.cols()];
            for (int r = 0; r < t.rows(); r++) {
                t.dequantizeRow(r, row, 0);
                for (int i = 0; i < t.cols(); i++) f(row[i]);
            }
        }

        void flush() throws IOException {
            bb.flip();
            while (bb.hasRemaining()) ch.write(bb);
            bb.clear();
        }
    }
}
