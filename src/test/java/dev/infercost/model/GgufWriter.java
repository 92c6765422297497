package dev.infercost.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: writes GGUF v3 files (layout per ggml docs/gguf.md) so that F16 / Q8_0 loading can be checked
 * against an F32 original. Quantisation follows ggml's reference {@code quantize_row_q8_0_ref}:
 * d = max|x| / 127 stored as fp16, q = round(x / d).
 */
final class GgufWriter {
    private final Map<String, Object[]> kv = new LinkedHashMap<>(); // key -> {type, value}
    private final List<Object[]> tensors = new ArrayList<>();      // {name, long[] dims, ggmlType, byte[] data}
    int version = 3;
    int alignment = 32;

    GgufWriter u32(String k, long v) { kv.put(k, new Object[]{GgufFile.UINT32, v}); return this; }
    GgufWriter f32(String k, float v) { kv.put(k, new Object[]{GgufFile.FLOAT32, v}); return this; }
    GgufWriter str(String k, String v) { kv.put(k, new Object[]{GgufFile.STRING, v}); return this; }
    GgufWriter strArr(String k, String[] v) { kv.put(k, new Object[]{GgufFile.ARRAY, v}); return this; }
    GgufWriter f32Arr(String k, float[] v) { kv.put(k, new Object[]{GgufFile.ARRAY, v}); return this; }

    /** Adds a tensor [rows, cols] (ggml dims {cols, rows}, or {cols} when rows == 1) from fp32 values. */
    GgufWriter tensor(String name, int rows, int cols, float[] values, TensorType type) {
        long[] dims = rows == 1 ? new long[]{cols} : new long[]{cols, rows};
        tensors.add(new Object[]{name, dims, ggmlType(type), encode(values, type)});
        return this;
    }

    /** Adds a tensor with a raw ggml type id and raw bytes (for unsupported-type tests). */
    GgufWriter rawTensor(String name, long[] dims, int ggmlType, byte[] data) {
        tensors.add(new Object[]{name, dims, ggmlType, data});
        return this;
    }

    /** Replaces tensor {@code name}'s type id and bytes (for unsupported-type tests). */
    GgufWriter retype(String name, int ggmlType, byte[] data) {
        for (Object[] t : tensors) if (t[0].equals(name)) { t[2] = ggmlType; t[3] = data; return this; }
        throw new IllegalArgumentException("no tensor " + name);
    }

    static int ggmlType(TensorType t) {
        return t.ggmlId;
    }

    static byte[] encode(float[] v, TensorType t) {
        ByteBuffer bb = ByteBuffer.allocate((int) t.bytesFor(v.length)).order(ByteOrder.LITTLE_ENDIAN);
        switch (t) {
            case F32 -> { for (float f : v) bb.putFloat(f); }
            case F16 -> { for (float f : v) bb.putShort(Float.floatToFloat16(f)); }
            case Q8_0 -> {
                for (int b = 0; b < v.length / 32; b++) {
                    float amax = 0;
                    for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(v[b * 32 + i]));
                    float d = amax / 127f;
                    float id = d != 0 ? 1f / d : 0f;
                    bb.putShort(Float.floatToFloat16(d));
                    for (int i = 0; i < 32; i++) bb.put((byte) Math.round(v[b * 32 + i] * id));
                }
            }
        }
        return bb.array();
    }

    void write(Path out) throws IOException {
        Buf h = new Buf();
        h.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        h.i32(version);
        h.i64(tensors.size());
        h.i64(kv.size());
        for (Map.Entry<String, Object[]> e : kv.entrySet()) {
            h.str(e.getKey());
            int type = (int) e.getValue()[0];
            h.i32(type);
            Object v = e.getValue()[1];
            switch (type) {
                case GgufFile.UINT32 -> h.i32((int) (long) (Long) v);
                case GgufFile.FLOAT32 -> h.f32((Float) v);
                case GgufFile.STRING -> h.str((String) v);
                case GgufFile.ARRAY -> {
                    if (v instanceof String[] sa) {
                        h.i32(GgufFile.STRING);
                        h.i64(sa.length);
                        for (String s : sa) h.str(s);
                    } else {
                        float[] fa = (float[]) v;
                        h.i32(GgufFile.FLOAT32);
                        h.i64(fa.length);
                        for (float f : fa) h.f32(f);
                    }
                }
                default -> throw new IllegalArgumentException("type " + type);
            }
        }
        long off = 0;
        List<Long> offs = new ArrayList<>();
        for (Object[] t : tensors) {
            offs.add(off);
            off += ((byte[]) t[3]).length;
            off = (off + alignment - 1) / alignment * alignment;
        }
        for (int i = 0; i < tensors.size(); i++) {
            Object[] t = tensors.get(i);
            h.str((String) t[0]);
            long[] dims = (long[]) t[1];
            h.i32(dims.length);
            for (long d : dims) h.i64(d);
            h.i32((int) t[2]);
            h.i64(offs.get(i));
        }
        while (h.size() % alignment != 0) h.bytes(new byte[1]);
        for (Object[] t : tensors) {
            byte[] d = (byte[]) t[3];
            h.bytes(d);
            while (h.size() % alignment != 0) h.bytes(new byte[1]);
        }
        Files.write(out, h.toByteArray());
    }

    /**
     * A GGUF of {@code m} with matrices in {@code type} (tensors whose cols are not a multiple of the block size
     * stay F32, as llama.cpp's quantiser falls back), norms in F32, and m's tokenizer (spaces as U+2581).
     */
    static GgufWriter of(LlamaModel m, TensorType type) {
        LlamaConfig c = m.config();
        BpeTokenizer tok = (BpeTokenizer) m.tokenizer();
        GgufWriter w = new GgufWriter();
        w.str("general.architecture", "llama").str("general.name", m.info().name())
                .u32("llama.context_length", c.seqLen()).u32("llama.embedding_length", c.dim())
                .u32("llama.feed_forward_length", c.hiddenDim()).u32("llama.block_count", c.nLayers())
                .u32("llama.attention.head_count", c.nHeads()).u32("llama.attention.head_count_kv", c.nKvHeads())
                .u32("llama.rope.dimension_count", c.headSize()).f32("llama.rope.freq_base", c.ropeTheta())
                .f32("llama.attention.layer_norm_rms_epsilon", c.rmsNormEps()).str("tokenizer.ggml.model", "llama");
        String[] toks = new String[tok.vocabSize()];
        float[] scores = new float[tok.vocabSize()];
        for (int i = 0; i < toks.length; i++) {
            toks[i] = tok.piece(i).replace(' ', '\u2581');
            scores[i] = tok.score(i);
        }
        w.strArr("tokenizer.ggml.tokens", toks).f32Arr("tokenizer.ggml.scores", scores)
                .u32("tokenizer.ggml.bos_token_id", tok.bos()).u32("tokenizer.ggml.eos_token_id", tok.eos());
        LlamaWeights wt = m.weights();
        w.mat("token_embd.weight", wt.tokenEmbedding(), type);
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blk." + l + ".";
            w.mat(p + "attn_norm.weight", wt.rmsAtt()[l], TensorType.F32);
            w.mat(p + "attn_q.weight", wt.wq()[l], type);
            w.mat(p + "attn_k.weight", wt.wk()[l], type);
            w.mat(p + "attn_v.weight", wt.wv()[l], type);
            w.mat(p + "attn_output.weight", wt.wo()[l], type);
            w.mat(p + "ffn_norm.weight", wt.rmsFfn()[l], TensorType.F32);
            w.mat(p + "ffn_gate.weight", wt.w1()[l], type);
            w.mat(p + "ffn_down.weight", wt.w2()[l], type);
            w.mat(p + "ffn_up.weight", wt.w3()[l], type);
        }
        w.mat("output_norm.weight", wt.rmsFinal(), TensorType.F32);
        if (!c.sharedClassifier()) w.mat("output.weight", wt.classifier(), type);
        return w;
    }

    private void mat(String name, Tensor t, TensorType type) {
        TensorType use = t.cols() % type.blockSize == 0 ? type : TensorType.F32;
        tensor(name, t.rows(), t.cols(), t.toFloatArray(), use);
    }

    private static final class Buf extends ByteArrayOutputStream {
        private final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        void i32(int v) { b.clear(); b.putInt(v); write(b.array(), 0, 4); }
        void i64(long v) { b.clear(); b.putLong(v); write(b.array(), 0, 8); }
        void f32(float v) { b.clear(); b.putFloat(v); write(b.array(), 0, 4); }
        void bytes(byte[] v) { write(v, 0, v.length); }
        void str(String s) { byte[] u = s.getBytes(StandardCharsets.UTF_8); i64(u.length); bytes(u); }
    }
}
