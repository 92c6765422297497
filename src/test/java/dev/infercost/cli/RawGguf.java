package dev.infercost.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test helper for the bad-input corpus and the fuzz tests: writes GGUF v3 bytes (ggml docs/gguf.md) with full
 * control over every field, so that hostile values (zero dims, offsets near 2^63, arrays of the wrong element type,
 * duplicate tensors, lying counts) can be produced on purpose. {@link #tinyLlama} is a valid, loadable model.
 */
final class RawGguf {
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    /** A metadata value: its GGUF type and the Java value (Long, Double, Boolean, String, or Arr). */
    record Kv(int type, Object value) {}

    /** An array value: element type and elements (Long, Double, String ...). */
    record Arr(int elementType, List<Object> items) {}

    /** A tensor info; {@code offset < 0} = placed after the previous tensor. */
    static final class Tensor {
        String name; long[] dims; int type; long offset = -1; byte[] data;
        Tensor(String name, long[] dims, int type, byte[] data) { this.name = name; this.dims = dims; this.type = type; this.data = data; }
    }

    int version = 3;
    long alignment = 32;
    /** Overrides for the header counts (null = the real counts). */
    Long tensorCountOverride, kvCountOverride;
    final Map<String, Kv> kv = new LinkedHashMap<>();
    final List<Tensor> tensors = new ArrayList<>();

    RawGguf put(String key, int type, Object value) { kv.put(key, new Kv(type, value)); return this; }

    Tensor tensor(String name) {
        for (Tensor t : tensors) if (t.name.equals(name)) return t;
        throw new IllegalArgumentException(name);
    }

    /**
     * A valid llama GGUF: dim 16, hidden 32, 1 layer, 2 heads, 1 KV head, vocab 300 (the synthetic vocabulary of
     * {@code SyntheticModels.tokenizer}, spaces as U+2581), context 64, F32 weights drawn from a seeded uniform.
     */
    static RawGguf tinyLlama(long seed) {
        int dim = 16, hid = 32, heads = 2, kvHeads = 1, vocab = 300, ctx = 64;
        int kvDim = dim / heads * kvHeads;
        RawGguf g = new RawGguf();
        g.put("general.architecture", STRING, "llama").put("general.name", STRING, "tiny")
                .put("llama.context_length", UINT32, (long) ctx).put("llama.embedding_length", UINT32, (long) dim)
                .put("llama.feed_forward_length", UINT32, (long) hid).put("llama.block_count", UINT32, 1L)
                .put("llama.attention.head_count", UINT32, (long) heads).put("llama.attention.head_count_kv", UINT32, (long) kvHeads)
                .put("llama.rope.dimension_count", UINT32, (long) (dim / heads)).put("llama.rope.freq_base", FLOAT32, 10000.0)
                .put("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-5).put("tokenizer.ggml.model", STRING, "llama");
        var tok = dev.infercost.model.SyntheticModels.tokenizer(vocab);
        List<Object> pieces = new ArrayList<>(), scores = new ArrayList<>();
        for (int i = 0; i < vocab; i++) {
            pieces.add(tok.piece(i).replace(' ', '\u2581'));
            scores.add((double) tok.score(i));
        }
        g.put("tokenizer.ggml.tokens", ARRAY, new Arr(STRING, pieces)).put("tokenizer.ggml.scores", ARRAY, new Arr(FLOAT32, scores))
                .put("tokenizer.ggml.bos_token_id", UINT32, 1L).put("tokenizer.ggml.eos_token_id", UINT32, 2L);
        Random r = new Random(seed);
        g.f32("token_embd.weight", vocab, dim, r, 0.5f);
        g.f32("blk.0.attn_norm.weight", 1, dim, null, 1f);
        g.f32("blk.0.attn_q.weight", dim, dim, r, 0.3f);
        g.f32("blk.0.attn_k.weight", kvDim, dim, r, 0.3f);
        g.f32("blk.0.attn_v.weight", kvDim, dim, r, 0.3f);
        g.f32("blk.0.attn_output.weight", dim, dim, r, 0.3f);
        g.f32("blk.0.ffn_norm.weight", 1, dim, null, 1f);
        g.f32("blk.0.ffn_gate.weight", hid, dim, r, 0.3f);
        g.f32("blk.0.ffn_down.weight", dim, hid, r, 0.3f);
        g.f32("blk.0.ffn_up.weight", hid, dim, r, 0.3f);
        g.f32("output_norm.weight", 1, dim, null, 1f);
        return g;
    }

    /** GPT-2 bytes_to_unicode spelling of one byte (printable Latin-1 as itself, the rest from U+0100 upwards). */
    static String byteLevel(int b) { return dev.infercost.model.ByteLevelBpeTokenizer.byteLevel(new byte[]{(byte) b}); }

    /**
     * A valid, loadable model of architecture {@code arch} (llama, qwen2, qwen3 or phi3) with a GPT-2 byte-level
     * vocabulary ({@code tokenizer.ggml.model = gpt2}, pre qwen2): the 256 byte tokens, "hi" and "Ġt" (merges
     * "h i", "Ġ t") and the control token {@code <|endoftext|>} (id 258, EOS and BOS, add_bos_token false); dim 16,
     * FFN 32, 1 layer, 2 heads, 1 KV head (head width 8), context 64, F32 weights from a seeded uniform. qwen2 has
     * Q/K/V biases, qwen3 Q/K norms and key_length 8, phi3 the fused attn_qkv [32, 16] and ffn_up [64, 16].
     */
    static RawGguf tinyArch(String arch, long seed) {
        int dim = 16, hid = 32, heads = 2, kvHeads = 1, ctx = 64, hs = dim / heads, kvDim = hs * kvHeads;
        RawGguf g = new RawGguf();
        String a = arch + ".";
        g.put("general.architecture", STRING, arch).put("general.name", STRING, "tiny-" + arch)
                .put(a + "context_length", UINT32, (long) ctx).put(a + "embedding_length", UINT32, (long) dim)
                .put(a + "feed_forward_length", UINT32, (long) hid).put(a + "block_count", UINT32, 1L)
                .put(a + "attention.head_count", UINT32, (long) heads).put(a + "attention.head_count_kv", UINT32, (long) kvHeads)
                .put(a + "rope.dimension_count", UINT32, (long) hs).put(a + "rope.freq_base", FLOAT32, 10000.0)
                .put(a + "attention.layer_norm_rms_epsilon", FLOAT32, 1e-6);
        if (arch.equals("qwen3")) g.put(a + "attention.key_length", UINT32, (long) hs).put(a + "attention.value_length", UINT32, (long) hs);
        List<Object> toks = new ArrayList<>(), types = new ArrayList<>();
        for (int b = 0; b < 256; b++) { toks.add(byteLevel(b)); types.add(1L); }
        toks.add("hi"); types.add(1L);
        toks.add(byteLevel(' ') + "t"); types.add(1L);
        toks.add("<|endoftext|>"); types.add(3L);
        int vocab = toks.size();
        g.put("tokenizer.ggml.model", STRING, "gpt2").put("tokenizer.ggml.pre", STRING, "qwen2")
                .put("tokenizer.ggml.tokens", ARRAY, new Arr(STRING, toks)).put("tokenizer.ggml.token_type", ARRAY, new Arr(INT32, types))
                .put("tokenizer.ggml.merges", ARRAY, new Arr(STRING, List.of("h i", byteLevel(' ') + " t")))
                .put("tokenizer.ggml.bos_token_id", UINT32, 258L).put("tokenizer.ggml.eos_token_id", UINT32, 258L)
                .put("tokenizer.ggml.add_bos_token", BOOL, false);
        Random r = new Random(seed);
        String p = "blk.0.";
        g.f32("token_embd.weight", vocab, dim, r, 0.5f);
        g.f32(p + "attn_norm.weight", 1, dim, null, 1f);
        if (arch.equals("phi3")) g.f32(p + "attn_qkv.weight", dim + 2 * kvDim, dim, r, 0.3f);
        else {
            g.f32(p + "attn_q.weight", dim, dim, r, 0.3f);
            g.f32(p + "attn_k.weight", kvDim, dim, r, 0.3f);
            g.f32(p + "attn_v.weight", kvDim, dim, r, 0.3f);
        }
        if (arch.equals("qwen2")) {
            g.f32(p + "attn_q.bias", 1, dim, r, 0.1f);
            g.f32(p + "attn_k.bias", 1, kvDim, r, 0.1f);
            g.f32(p + "attn_v.bias", 1, kvDim, r, 0.1f);
        }
        if (arch.equals("qwen3")) {
            g.f32(p + "attn_q_norm.weight", 1, hs, null, 1f);
            g.f32(p + "attn_k_norm.weight", 1, hs, null, 1f);
        }
        g.f32(p + "attn_output.weight", dim, dim, r, 0.3f);
        g.f32(p + "ffn_norm.weight", 1, dim, null, 1f);
        if (arch.equals("phi3")) g.f32(p + "ffn_up.weight", 2 * hid, dim, r, 0.3f);
        else {
            g.f32(p + "ffn_gate.weight", hid, dim, r, 0.3f);
            g.f32(p + "ffn_up.weight", hid, dim, r, 0.3f);
        }
        g.f32(p + "ffn_down.weight", dim, hid, r, 0.3f);
        g.f32("output_norm.weight", 1, dim, null, 1f);
        return g;
    }

    /** Adds an F32 tensor [rows, cols]; values uniform in [-a, a) (r != null) or all equal to a. */
    RawGguf f32(String name, int rows, int cols, Random r, float a) {
        ByteBuffer bb = ByteBuffer.allocate(4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) bb.putFloat(r == null ? a : (r.nextFloat() * 2 - 1) * a);
        tensors.add(new Tensor(name, rows == 1 ? new long[]{cols} : new long[]{cols, rows}, 0, bb.array()));
        return this;
    }

    byte[] bytes() {
        Buf h = new Buf();
        h.i32(0x46554747);
        h.i32(version);
        h.i64(tensorCountOverride != null ? tensorCountOverride : tensors.size());
        h.i64(kvCountOverride != null ? kvCountOverride : kv.size() + (alignment != 32 ? 1 : 0));
        if (alignment != 32) { h.str("general.alignment"); h.i32(UINT32); h.i32((int) alignment); }
        for (Map.Entry<String, Kv> e : kv.entrySet()) {
            h.str(e.getKey());
            h.i32(e.getValue().type());
            value(h, e.getValue().type(), e.getValue().value());
        }
        long off = 0;
        long align = alignment > 0 ? alignment : 32;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors) {
            h.str(t.name);
            h.i32(t.dims.length);
            for (long d : t.dims) h.i64(d);
            h.i32(t.type);
            long o = t.offset >= 0 ? t.offset : off;
            h.i64(o);
            offsets.add(o);
            off = (off + t.data.length + align - 1) / align * align;
        }
        while (h.size() % align != 0) h.write(0);
        for (Tensor t : tensors) {
            h.bytes(t.data);
            while (h.size() % align != 0) h.write(0);
        }
        return h.toByteArray();
    }

    private static void value(Buf h, int type, Object v) {
        switch (type) {
            case UINT8, INT8, BOOL -> h.write((int) num(v));
            case UINT16, INT16 -> { h.write((int) num(v)); h.write((int) num(v) >> 8); }
            case UINT32, INT32 -> h.i32((int) num(v));
            case FLOAT32 -> h.f32((float) ((Number) v).doubleValue());
            case UINT64, INT64 -> h.i64(num(v));
            case FLOAT64 -> h.i64(Double.doubleToLongBits(((Number) v).doubleValue()));
            case STRING -> h.str((String) v);
            case ARRAY -> {
                Arr a = (Arr) v;
                h.i32(a.elementType());
                h.i64(a.items().size());
                for (Object o : a.items()) value(h, a.elementType(), o);
            }
            default -> h.i64(num(v)); // an unknown type id: write 8 raw bytes
        }
    }

    private static long num(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        return ((Number) v).longValue();
    }

    static final class Buf extends ByteArrayOutputStream {
        private final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        void i32(int v) { b.clear(); b.putInt(v); write(b.array(), 0, 4); }
        void i64(long v) { b.clear(); b.putLong(v); write(b.array(), 0, 8); }
        void f32(float v) { b.clear(); b.putFloat(v); write(b.array(), 0, 4); }
        void bytes(byte[] v) { write(v, 0, v.length); }
        void str(String s) { byte[] u = s.getBytes(StandardCharsets.UTF_8); i64(u.length); bytes(u); }
    }
}
