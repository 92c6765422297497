package dev.infercost.model;

import dev.infercost.BadInputException;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link LlamaModel} as a GGUF version 3 file with {@code general.architecture = llama}, the layout of
 * the GGUF specification (ggml's {@code docs/gguf.md}): little-endian header {@code "GGUF"}, version 3, tensor
 * count and metadata count (uint64); metadata key/value pairs (strings as uint64 length + UTF-8 bytes, arrays as
 * element type + uint64 count + elements); one info record per tensor (name, n_dims, dims with the fastest-varying
 * first, ggml type, data offset); then the tensor data, every tensor aligned to {@value #ALIGNMENT} bytes
 * ({@code general.alignment}'s default).
 *
 * <p>Names and keys are llama.cpp's for the llama architecture, the ones {@link GgufLoader} reads:
 * {@code token_embd}, {@code output_norm}, {@code output} (left out for a shared classifier: llama.cpp and
 * {@link GgufLoader} then use {@code token_embd}), {@code blk.N.attn_norm|attn_q|attn_k|attn_v|attn_output|
 * ffn_norm|ffn_gate|ffn_down|ffn_up}; hyper-parameters as {@code llama.*} keys. Q and K rows are written as
 * stored: llama.cpp's llama RoPE rotates adjacent pairs, as llama2.c and infercost's engines do. A weight matrix
 * {@code [rows, cols]} (out, in) is the GGUF tensor {@code ne = [cols, rows]}.
 *
 * <p>Tokenizer: {@code tokenizer.ggml.model = llama} (SentencePiece) with tokens, scores and token types as
 * llama.cpp's converters write them (1 normal, 2 unknown, 3 control, 6 byte): id 0 unknown, BOS and EOS control
 * (llama2.c's {@code "\n<s>\n"} pieces written as {@code <s>}), {@code <0xHH>} byte pieces, the rest normal;
 * spaces become U+2581 "▁" as in SentencePiece vocabularies.
 *
 * <p>Weight types: {@link WeightType#F32}, or {@link WeightType#F16} for the 2-D weight matrices (norm vectors stay
 * F32, as llama.cpp's converters keep 1-D tensors). Quantised sources are dequantised. The file is written to a
 * temporary sibling and moved into place, so an existing file is never overwritten and a failed export leaves
 * nothing behind.
 */
public final class GgufExporter {
    private GgufExporter() {}

    /** Data alignment of tensors (GGUF's default {@code general.alignment}). */
    public static final int ALIGNMENT = 32;
    static final int GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
    static final int VERSION = 3;
    // gguf_type (metadata value types)
    static final int T_UINT32 = 4, T_INT32 = 5, T_FLOAT32 = 6, T_STRING = 8, T_ARRAY = 9;
    // llama_vocab token types (llama.cpp's LLAMA_TOKEN_TYPE_*)
    static final int TOKEN_NORMAL = 1, TOKEN_UNKNOWN = 2, TOKEN_CONTROL = 3, TOKEN_BYTE = 6;

    /** Element type of the weight matrices. */
    public enum WeightType {
        /** ggml type 0, 4 bytes per element; {@code general.file_type} 0 (ALL_F32). */
        F32(0, 4, 0),
        /** ggml type 1, IEEE half precision; {@code general.file_type} 1 (MOSTLY_F16). */
        F16(1, 2, 1);

        final int ggmlType, bytes, fileType;

        WeightType(int ggmlType, int bytes, int fileType) { this.ggmlType = ggmlType; this.bytes = bytes; this.fileType = fileType; }

        /** @throws BadInputException for anything but f32 or f16 (any case) */
        public static WeightType parse(String s) {
            for (WeightType t : values()) if (t.name().equalsIgnoreCase(s)) return t;
            throw new BadInputException("--dtype " + s + ": expected f32 or f16 (the GGUF export's weight type)");
        }
    }

    /** What an export wrote: the file, its size in bytes and its tensor count. */
    public record Result(Path file, long bytes, int tensors) {}

    private record TensorOut(String name, Tensor t, boolean vector, WeightType type, long offset) {
        long bytes() { return t.size() * type.bytes; }
    }

    /**
     * Writes {@code m} to {@code out}.
     *
     * @throws BadInputException if {@code out} exists, the model is not a plain llama graph (another architecture,
     *                           attention biases, Q/K norms, NEOX or scaled RoPE: {@link LlamaModel#requireLlamaGraph}),
     *                           its tokenizer is not a SentencePiece-style
     *                           {@link BpeTokenizer} with UTF-8 pieces, an F16 export would overflow a weight, or
     *                           the file exists already (exit 2)
     * @throws dev.infercost.IoFaultException if the file cannot be written (disk full, permission denied, a parent is a file; exit 3)
     */
    public static Result write(LlamaModel m, Path out, WeightType type) {
        dev.infercost.results.OutputFiles.checkNew(out, NEVER);
        m.requireLlamaGraph("the gguf export"); // llama tensors and keys only: no biases, Q/K norms, NEOX or scaled RoPE
        if (!(m.tokenizer() instanceof BpeTokenizer tok))
            throw new BadInputException("model " + m.info().name() + " has no SentencePiece-style tokenizer to write into the GGUF file");
        LlamaConfig c = m.config();
        LlamaWeights w = m.weights();

        List<TensorOut> tensors = new ArrayList<>();
        long off = 0;
        List<Object[]> plan = new ArrayList<>();
        plan.add(new Object[]{"token_embd.weight", w.tokenEmbedding(), false});
        plan.add(new Object[]{"output_norm.weight", w.rmsFinal(), true});
        if (!c.sharedClassifier()) plan.add(new Object[]{"output.weight", w.classifier(), false});
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blk." + l + ".";
            plan.add(new Object[]{p + "attn_norm.weight", w.rmsAtt()[l], true});
            plan.add(new Object[]{p + "attn_q.weight", w.wq()[l], false});
            plan.add(new Object[]{p + "attn_k.weight", w.wk()[l], false});
            plan.add(new Object[]{p + "attn_v.weight", w.wv()[l], false});
            plan.add(new Object[]{p + "attn_output.weight", w.wo()[l], false});
            plan.add(new Object[]{p + "ffn_norm.weight", w.rmsFfn()[l], true});
            plan.add(new Object[]{p + "ffn_gate.weight", w.w1()[l], false});
            plan.add(new Object[]{p + "ffn_down.weight", w.w2()[l], false});
            plan.add(new Object[]{p + "ffn_up.weight", w.w3()[l], false});
        }
        for (Object[] e : plan) {
            boolean vector = (Boolean) e[2];
            TensorOut t = new TensorOut((String) e[0], (Tensor) e[1], vector, vector ? WeightType.F32 : type, off);
            tensors.add(t);
            off = align(off + t.bytes());
        }

        Le h = new Le();
        h.u32(GGUF_MAGIC).u32(VERSION).u64(tensors.size());
        Le kv = new Le();
        int n = 0;
        n += kv.kvString("general.architecture", "llama");
        n += kv.kvString("general.name", m.info().name());
        n += kv.kvString("general.description", "exported by infercost from " + m.info().source() + " (" + m.info().format() + ", "
                + m.info().dtype() + ")" + (m.info().syntheticWeights() ? "; SYNTHETIC weights (a preset shape, not a trained model)" : ""));
        n += kv.kvU32("general.file_type", type.fileType);
        n += kv.kvU32("llama.context_length", c.seqLen());
        n += kv.kvU32("llama.embedding_length", c.dim());
        n += kv.kvU32("llama.block_count", c.nLayers());
        n += kv.kvU32("llama.feed_forward_length", c.hiddenDim());
        n += kv.kvU32("llama.rope.dimension_count", c.headSize());
        n += kv.kvU32("llama.attention.head_count", c.nHeads());
        n += kv.kvU32("llama.attention.head_count_kv", c.nKvHeads());
        n += kv.kvF32("llama.attention.layer_norm_rms_epsilon", c.rmsNormEps());
        n += kv.kvF32("llama.rope.freq_base", c.ropeTheta());
        n += kv.kvU32("llama.vocab_size", c.vocabSize());
        n += kv.kvString("tokenizer.ggml.model", "llama");
        int vocab = tok.vocabSize();
        if (vocab != c.vocabSize())
            throw new BadInputException("model " + m.info().name() + ": tokenizer has " + vocab + " pieces, the model's vocab_size is " + c.vocabSize());
        String[] text = new String[vocab];
        int[] types = new int[vocab];
        float[] scores = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            String s;
            try {
                s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(tok.pieceBytes(i))).toString();
            } catch (CharacterCodingException e) {
                throw new BadInputException("model " + m.info().name() + ": token " + i + " is not UTF-8 text; GGUF vocabularies hold UTF-8 strings");
            }
            int tt = TOKEN_NORMAL;
            if (i == 0 && s.strip().equals("<unk>")) tt = TOKEN_UNKNOWN;
            else if (i == tok.bos() || i == tok.eos()) { tt = TOKEN_CONTROL; s = s.strip(); }
            else if (s.matches("<0x[0-9A-F]{2}>")) tt = TOKEN_BYTE;
            text[i] = tt == TOKEN_NORMAL ? s.replace(' ', '\u2581') : s;
            types[i] = tt;
            scores[i] = tok.score(i);
        }
        kv.str("tokenizer.ggml.tokens").u32(T_ARRAY).u32(T_STRING).u64(vocab);
        for (String s : text) kv.str(s);
        n++;
        kv.str("tokenizer.ggml.scores").u32(T_ARRAY).u32(T_FLOAT32).u64(vocab);
        for (float s : scores) kv.f32(s);
        n++;
        kv.str("tokenizer.ggml.token_type").u32(T_ARRAY).u32(T_INT32).u64(vocab);
        for (int t : types) kv.u32(t);
        n++;
        n += kv.kvU32("tokenizer.ggml.bos_token_id", tok.bos());
        n += kv.kvU32("tokenizer.ggml.eos_token_id", tok.eos());
        if (types[0] == TOKEN_UNKNOWN) n += kv.kvU32("tokenizer.ggml.unknown_token_id", 0);
        h.u64(n);
        h.raw(kv.bytes());
        for (TensorOut t : tensors) {
            h.str(t.name());
            if (t.vector()) h.u32(1).u64(t.t().size());
            else h.u32(2).u64(t.t().cols()).u64(t.t().rows());
            h.u32(t.type().ggmlType).u64(t.offset());
        }
        while (h.size() % ALIGNMENT != 0) h.raw(new byte[1]);

        // the shared atomic writer: missing folders created, temp file + link, never overwrites, I/O faults exit 3
        // naming --out (not the temp file)
        dev.infercost.results.OutputFiles.write(out, NEVER, tmp -> {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.WRITE), 1 << 20)) {
                os.write(h.bytes());
                long pos = 0;
                for (TensorOut t : tensors) {
                    while (pos < t.offset()) { os.write(0); pos++; }
                    writeData(os, t, m.info().name());
                    pos += t.bytes();
                }
            }
        });
        try {
            return new Result(out, Files.size(out), tensors.size());
        } catch (IOException e) {
            throw new dev.infercost.IoFaultException(out + ": cannot read back its size (" + dev.infercost.results.OutputFiles.reason(e) + ")", e);
        }
    }

    private static final String NEVER = "export never overwrites (choose another --out)";

    private static void writeData(OutputStream os, TensorOut t, String model) throws IOException {
        int cols = t.t().cols();
        float[] row = new float[cols];
        ByteBuffer buf = ByteBuffer.allocate(cols * t.type().bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < t.t().rows(); r++) {
            t.t().dequantizeRow(r, row, 0);
            buf.clear();
            for (int i = 0; i < cols; i++) {
                if (t.type() == WeightType.F32) buf.putFloat(row[i]);
                else {
                    short hv = Float.floatToFloat16(row[i]);
                    if (Float.isFinite(row[i]) && !Float.isFinite(Float.float16ToFloat(hv)))
                        throw new BadInputException(String.format(Locale.ROOT, "model %s: %s[%d, %d] = %g does not fit F16 (max 65504); export as f32",
                                model, t.name(), r, i, row[i]));
                    buf.putShort(hv);
                }
            }
            os.write(buf.array(), 0, buf.position());
        }
    }

    static long align(long x) { return (x + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    /** A little-endian byte builder for the header. */
    private static final class Le {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Le u32(int v) { scratch.clear(); scratch.putInt(v); b.write(scratch.array(), 0, 4); return this; }
        Le u64(long v) { scratch.clear(); scratch.putLong(v); b.write(scratch.array(), 0, 8); return this; }
        Le f32(float v) { scratch.clear(); scratch.putFloat(v); b.write(scratch.array(), 0, 4); return this; }
        Le str(String s) { byte[] u = s.getBytes(StandardCharsets.UTF_8); u64(u.length); b.write(u, 0, u.length); return this; }
        Le raw(byte[] r) { b.write(r, 0, r.length); return this; }
        int kvString(String k, String v) { str(k).u32(T_STRING).str(v); return 1; }
        int kvU32(String k, int v) { str(k).u32(T_UINT32).u32(v); return 1; }
        int kvF32(String k, float v) { str(k).u32(T_FLOAT32).f32(v); return 1; }
        int size() { return b.size(); }
        byte[] bytes() { return b.toByteArray(); }
    }
}
