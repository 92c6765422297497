package dev.infercost.cli;

import dev.infercost.model.LlamaConfig;
import dev.infercost.model.Llama2cFormat;
import dev.infercost.model.SyntheticModels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Generates the bad-input corpus (issue 17) into a folder: hostile model files, tokenizers, option values, scenario
 * YAML, catalogs, prompt files, results folders and I/O faults, each with the {@code infercost} command line that
 * feeds it to the real CLI and the exit codes allowed (2 = bad input, 3 = I/O fault; 0 only where the input is
 * legal and the run must then write only finite, in-range figures). Nothing large is committed: every file is made
 * here, from a seeded generator, in well under a second.
 */
final class BadInputCorpus {
    /** One input: its kind, a short name, the command line, and the exit codes it may end with. */
    record Case(String kind, String name, List<String> args, Set<Integer> allowed, Path out) {}

    static final Set<Integer> BAD = Set.of(2), IO = Set.of(3), BAD_OR_OK = Set.of(0, 2);
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/cpu-stories110M");

    private final Path root;
    private final List<Case> cases = new ArrayList<>();
    private int n;
    final Path goodBin, goodTok;

    BadInputCorpus(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
            goodTok = write("good-tok.bin", SyntheticModels.tokenizer(300).toLlama2cBytes());
            goodBin = write("good.bin", llama2c(new int[]{16, 32, 1, 2, 1, 300, 64}, 0, 0, -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Case> all() throws IOException {
        gguf();
        ggufArchitectures();
        ggufByteLevelTokenizers();
        byteLevelPrompts();
        llama2c();
        tokenizers();
        options();
        scenarios();
        catalogs();
        prompts();
        resultsFolders();
        ioFaults();
        return cases;
    }

    // ---------------------------------------------------------------- helpers

    private Path write(String name, byte[] b) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        return p;
    }

    private Path write(String name, String s) throws IOException { return write(name, s.getBytes(StandardCharsets.UTF_8)); }

    private Path out() { return root.resolve("out/" + (n++)); }

    private void add(String kind, String name, Set<Integer> allowed, Path out, String... args) {
        cases.add(new Case(kind, name, List.of(args), allowed, out));
    }

    private String[] generate(Path model, Path tok) {
        List<String> a = new ArrayList<>(List.of("generate", "--model", model.toString(), "--steps", "8", "--temperature", "0", "--prompt", "hi there"));
        if (tok != null) { a.add("--tokenizer"); a.add(tok.toString()); }
        return a.toArray(String[]::new);
    }

    /**
     * llama2.c checkpoint bytes for a header; weights uniform in [-0.3, 0.3) from a seeded generator, the float at
     * index {@code poison} (if >= 0, counted from the first weight) set to {@code poisonValue}; {@code extraBytes}
     * appended (negative: cut). The size follows the header when it is a valid config, else 4 KiB of weights.
     */
    static byte[] llama2c(int[] h, int extraBytes, float poisonValue, int poison) {
        long bytes;
        try {
            LlamaConfig c = new LlamaConfig(h[0], h[1], h[2], h[3], h[4], Math.abs(h[5]), h[6], 10000f, 1e-5f, h[5] > 0);
            bytes = Llama2cFormat.expectedBytes(c);
            if (bytes > 64 << 20) bytes = 28 + 4096;
        } catch (RuntimeException e) {
            bytes = 28 + 4096;
        }
        long total = Math.max(0, bytes + extraBytes);
        ByteBuffer bb = ByteBuffer.allocate((int) Math.max(total, 28)).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : h) bb.putInt(v);
        Random r = new Random(7);
        int i = 0;
        while (bb.remaining() >= 4) {
            float f = (r.nextFloat() * 2 - 1) * 0.3f;
            if (!Float.isNaN(poisonValue) || poison < 0) { /* keep f */ }
            bb.putFloat(i == poison && poison >= 0 ? poisonValue : f);
            i++;
        }
        return Arrays.copyOf(bb.array(), (int) total);
    }

    // ---------------------------------------------------------------- GGUF

    private void ggufCase(String name, Consumer<RawGguf> mutate) throws IOException {
        RawGguf g = RawGguf.tinyLlama(3);
        mutate.accept(g);
        Path f = write("gguf/" + name + ".gguf", g.bytes());
        add("gguf", name, BAD, null, generate(f, null));
    }

    private void ggufBytes(String name, byte[] b) throws IOException {
        Path f = write("gguf/" + name + ".gguf", b);
        add("gguf", name, BAD, null, generate(f, null));
    }

    private static RawGguf.Arr ints(int n) {
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add((long) i);
        return new RawGguf.Arr(RawGguf.INT32, l);
    }

    private void gguf() throws IOException {
        byte[] good = RawGguf.tinyLlama(3).bytes();
        ggufCase("zero-embedding-length", g -> g.put("llama.embedding_length", RawGguf.UINT32, 0L));
        ggufCase("negative-embedding-length", g -> g.put("llama.embedding_length", RawGguf.INT32, -16L));
        ggufCase("zero-tensor-dim", g -> g.tensor("blk.0.attn_q.weight").dims = new long[]{0, 16});
        ggufCase("zero-dim-1d", g -> g.tensor("output_norm.weight").dims = new long[]{0});
        ggufCase("offset-near-2^63", g -> g.tensor("blk.0.ffn_up.weight").offset = 0x7FFFFFFFFFFFFFE0L);
        ggufCase("offset-past-end", g -> g.tensor("blk.0.ffn_up.weight").offset = 1L << 40);
        ggufCase("dims-product-overflow", g -> g.tensor("blk.0.ffn_up.weight").dims = new long[]{1L << 32, 1L << 32});
        ggufCase("dims-product-wraps-to-small", g -> g.tensor("output_norm.weight").dims = new long[]{1L << 62, 4, 1});
        ggufCase("dim-huge-single", g -> g.tensor("output_norm.weight").dims = new long[]{Long.MAX_VALUE});
        ggufCase("token-array-of-integers", g -> g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, ints(300)));
        ggufCase("scores-array-of-strings", g -> {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < 300; i++) l.add("s" + i);
            g.put("tokenizer.ggml.scores", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, l));
        });
        ggufCase("scores-length-mismatch", g -> g.put("tokenizer.ggml.scores", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.FLOAT32, List.of(1.0, 2.0))));
        ggufCase("scores-nan", g -> {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < 300; i++) l.add(Double.NaN);
            g.put("tokenizer.ggml.scores", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.FLOAT32, l));
        });
        ggufCase("tokens-not-an-array", g -> g.put("tokenizer.ggml.tokens", RawGguf.STRING, "abc"));
        ggufCase("tokens-array-of-arrays", g -> {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < 300; i++) l.add(new RawGguf.Arr(RawGguf.STRING, List.of("a")));
            g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.ARRAY, l));
        });
        ggufCase("tokens-array-bool", g -> {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < 300; i++) l.add(Boolean.TRUE);
            g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.BOOL, l));
        });
        ggufCase("bos-out-of-range", g -> g.put("tokenizer.ggml.bos_token_id", RawGguf.UINT32, 5000L));
        ggufCase("eos-negative", g -> g.put("tokenizer.ggml.eos_token_id", RawGguf.INT32, -5L));
        ggufCase("bos-as-string", g -> g.put("tokenizer.ggml.bos_token_id", RawGguf.STRING, "1"));
        ggufCase("duplicate-tensor", g -> {
            RawGguf.Tensor t = g.tensor("blk.0.attn_q.weight");
            g.tensors.add(new RawGguf.Tensor(t.name, t.dims.clone(), t.type, t.data.clone()));
        });
        ggufCase("missing-tensor", g -> g.tensors.removeIf(t -> t.name.equals("blk.0.ffn_down.weight")));
        ggufCase("wrong-tensor-shape", g -> g.tensor("blk.0.attn_q.weight").dims = new long[]{8, 32});
        ggufCase("unsupported-type-q4_0", g -> g.tensor("blk.0.attn_q.weight").type = 2);
        ggufCase("unknown-type-999", g -> g.tensor("blk.0.attn_q.weight").type = 999);
        ggufCase("n-dims-0", g -> g.tensor("output_norm.weight").dims = new long[0]);
        ggufCase("n-dims-7", g -> g.tensor("output_norm.weight").dims = new long[]{16, 1, 1, 1, 1, 1, 1});
        ggufCase("unknown-value-type", g -> g.put("general.foo", 77, 1L));
        ggufCase("alignment-3", g -> g.alignment = 3);
        ggufCase("head-count-3", g -> g.put("llama.attention.head_count", RawGguf.UINT32, 3L));
        ggufCase("head-count-zero", g -> g.put("llama.attention.head_count", RawGguf.UINT32, 0L));
        ggufCase("context-length-zero", g -> g.put("llama.context_length", RawGguf.UINT32, 0L));
        ggufCase("context-length-2^40", g -> g.put("llama.context_length", RawGguf.UINT64, 1L << 40));
        ggufCase("block-count-as-string", g -> g.put("llama.block_count", RawGguf.STRING, "1"));
        ggufCase("block-count-2^32+1", g -> g.put("llama.block_count", RawGguf.UINT64, (1L << 32) + 1));
        ggufCase("architecture-missing", g -> g.kv.remove("general.architecture"));
        ggufCase("rope-dimension-mismatch", g -> g.put("llama.rope.dimension_count", RawGguf.UINT32, 4L));
        ggufCase("rope-theta-nan", g -> g.put("llama.rope.freq_base", RawGguf.FLOAT32, Double.NaN));
        ggufCase("rms-eps-negative", g -> g.put("llama.attention.layer_norm_rms_epsilon", RawGguf.FLOAT32, -1.0));
        ggufCase("tensor-count-2^40", g -> g.tensorCountOverride = 1L << 40);
        ggufCase("tensor-count-lies-high", g -> g.tensorCountOverride = (long) g.tensors.size() + 3);
        ggufCase("kv-count-lies-high", g -> g.kvCountOverride = (long) g.kv.size() + 5);
        ggufCase("tiny-vocab-byte-fallback", g -> {
            g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, List.of("<unk>", "<s>", "</s>", "h", "i")));
            g.put("tokenizer.ggml.scores", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.FLOAT32, List.of(0.0, 0.0, 0.0, 0.0, 0.0)));
            g.tensors.removeIf(t -> t.name.equals("token_embd.weight"));
            g.tensors.add(0, new RawGguf.Tensor("token_embd.weight", new long[]{16, 5}, 0, new byte[4 * 16 * 5]));
        });
        ggufCase("nan-weights", g -> {
            RawGguf.Tensor t = g.tensor("blk.0.attn_q.weight");
            ByteBuffer.wrap(t.data).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN);
        });
        ggufCase("inf-norm-weight", g -> {
            RawGguf.Tensor t = g.tensor("output_norm.weight");
            ByteBuffer.wrap(t.data).order(ByteOrder.LITTLE_ENDIAN).putFloat(4, Float.POSITIVE_INFINITY);
        });
        ggufBytes("truncated-data", Arrays.copyOf(good, good.length / 2));
        ggufBytes("truncated-header", Arrays.copyOf(good, 30));
        ggufBytes("empty", new byte[0]);
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        ggufBytes("bad-magic", badMagic);
        byte[] v1 = good.clone();
        v1[4] = 1;
        ggufBytes("version-1", v1);
        byte[] longStr = good.clone();   // first key's length (bytes 24..31) set to 2^62
        ByteBuffer.wrap(longStr).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 62);
        ggufBytes("string-length-2^62", longStr);
        byte[] noise = new byte[4096];
        new Random(11).nextBytes(noise);
        noise[0] = 'G'; noise[1] = 'G'; noise[2] = 'U'; noise[3] = 'F'; noise[4] = 3; noise[5] = 0; noise[6] = 0; noise[7] = 0;
        ggufBytes("magic-then-noise", noise);
    }

    // ---------------------------------------------------------------- qwen2 / qwen3 / phi3 / Mistral-style llama

    static final Set<Integer> OK = Set.of(0);

    private Path archFile(String arch, String name, Consumer<RawGguf> mutate) throws IOException {
        RawGguf g = RawGguf.tinyArch(arch, 3);
        mutate.accept(g);
        return write("gguf-arch/" + name + ".gguf", g.bytes());
    }

    private void archCase(String arch, String name, Set<Integer> allowed, Consumer<RawGguf> mutate) throws IOException {
        add("gguf-arch", arch + " " + name, allowed, null, quick(archFile(arch, arch + "-" + name, mutate)));
    }

    private void archCase(String arch, String name, Consumer<RawGguf> mutate) throws IOException { archCase(arch, name, BAD, mutate); }

    private static void poison(RawGguf g, String tensor, int index, float v) {
        ByteBuffer.wrap(g.tensor(tensor).data).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * index, v);
    }

    private static void resize(RawGguf g, String tensor, long... dims) {
        RawGguf.Tensor t = g.tensor(tensor);
        long n = 1;
        for (long d : dims) n *= d;
        t.dims = dims;
        t.data = Arrays.copyOf(t.data, (int) (4 * n));
    }

    /** generate on a GGUF without the warm-up (a case that is accepted then ends in well under a second). */
    private String[] quick(Path model) {
        List<String> a = new ArrayList<>(List.of(generate(model, null)));
        a.addAll(List.of("--warmup-s", "0"));
        return a.toArray(String[]::new);
    }

    private void ggufArchitectures() throws IOException {
        for (String arch : List.of("llama", "qwen2", "qwen3", "phi3")) {
            String a = arch + ".";
            archCase(arch, "valid", OK, g -> { });
            for (String k : List.of("embedding_length", "block_count", "attention.head_count", "feed_forward_length", "context_length"))
                archCase(arch, "missing-" + k, g -> g.kv.remove(a + k));
            archCase(arch, "head-count-zero", g -> g.put(a + "attention.head_count", RawGguf.UINT32, 0L));
            archCase(arch, "head-count-negative", g -> g.put(a + "attention.head_count", RawGguf.INT32, -2L));
            archCase(arch, "head-count-2^32+2", g -> g.put(a + "attention.head_count", RawGguf.UINT64, (1L << 32) + 2));
            archCase(arch, "head-count-2^20", g -> g.put(a + "attention.head_count", RawGguf.UINT32, 1L << 20));
            archCase(arch, "head-count-3", g -> g.put(a + "attention.head_count", RawGguf.UINT32, 3L));
            archCase(arch, "head-count-kv-zero", g -> g.put(a + "attention.head_count_kv", RawGguf.UINT32, 0L));
            archCase(arch, "head-count-kv-2^32+1", g -> g.put(a + "attention.head_count_kv", RawGguf.UINT64, (1L << 32) + 1));
            archCase(arch, "head-count-as-float", g -> g.put(a + "attention.head_count", RawGguf.FLOAT32, 2.0));
            archCase(arch, "key-length-6", g -> { g.put(a + "attention.key_length", RawGguf.UINT32, 6L); g.put(a + "attention.value_length", RawGguf.UINT32, 6L); });
            archCase(arch, "key-length-7-odd", g -> { g.put(a + "attention.key_length", RawGguf.UINT32, 7L); g.put(a + "attention.value_length", RawGguf.UINT32, 7L); });
            archCase(arch, "key-length-negative", g -> g.put(a + "attention.key_length", RawGguf.INT32, -8L));
            archCase(arch, "key-length-2^32+8", g -> { g.put(a + "attention.key_length", RawGguf.UINT64, (1L << 32) + 8); g.put(a + "attention.value_length", RawGguf.UINT64, (1L << 32) + 8); });
            archCase(arch, "key-length-huge-heads", g -> { g.put(a + "attention.key_length", RawGguf.UINT32, 65536L); g.put(a + "attention.value_length", RawGguf.UINT32, 65536L);
                g.put(a + "attention.head_count", RawGguf.UINT32, 65538L); g.put(a + "attention.head_count_kv", RawGguf.UINT32, 65538L); });
            archCase(arch, "value-length-differs", g -> { g.put(a + "attention.key_length", RawGguf.UINT32, 8L); g.put(a + "attention.value_length", RawGguf.UINT32, 16L); });
            archCase(arch, "key-length-as-string", g -> g.put(a + "attention.key_length", RawGguf.STRING, "8"));
            archCase(arch, "rope-dims-odd", g -> g.put(a + "rope.dimension_count", RawGguf.UINT32, 7L));
            archCase(arch, "rope-dims-zero", g -> g.put(a + "rope.dimension_count", RawGguf.UINT32, 0L));
            archCase(arch, "rope-dims-partial", g -> g.put(a + "rope.dimension_count", RawGguf.UINT32, 4L));
            archCase(arch, "rope-theta-nan", g -> g.put(a + "rope.freq_base", RawGguf.FLOAT32, Double.NaN));
            archCase(arch, "rope-theta-negative", g -> g.put(a + "rope.freq_base", RawGguf.FLOAT32, -1.0));
            archCase(arch, "rms-eps-infinite", g -> g.put(a + "attention.layer_norm_rms_epsilon", RawGguf.FLOAT32, Double.POSITIVE_INFINITY));
            archCase(arch, "context-2^40", g -> g.put(a + "context_length", RawGguf.UINT64, 1L << 40));
            archCase(arch, "block-count-2", g -> g.put(a + "block_count", RawGguf.UINT32, 2L));
            archCase(arch, "embedding-rows-off-by-one", g -> g.tensor("token_embd.weight").dims = new long[]{16, 258});
            archCase(arch, "nan-attn-norm", g -> poison(g, "blk.0.attn_norm.weight", 3, Float.NaN));
            archCase(arch, "inf-ffn-down", g -> poison(g, "blk.0.ffn_down.weight", 100, Float.POSITIVE_INFINITY));
            archCase(arch, "expert-count-8", g -> g.put(a + "expert_count", RawGguf.UINT32, 8L));
            archCase(arch, "rope-scaling-yarn", g -> { g.put(a + "rope.scaling.type", RawGguf.STRING, "yarn"); g.put(a + "rope.scaling.factor", RawGguf.FLOAT32, 4.0); });
            archCase(arch, "unused-tensor", g -> g.f32("blk.0.extra.weight", 1, 16, null, 1f));
        }
        // qwen2: Q/K/V biases
        archCase("qwen2", "q-bias-wrong-length", g -> g.tensor("blk.0.attn_q.bias").dims = new long[]{8});
        archCase("qwen2", "k-bias-2d", g -> g.tensor("blk.0.attn_k.bias").dims = new long[]{4, 2});
        archCase("qwen2", "v-bias-type-q8_0", g -> g.tensor("blk.0.attn_v.bias").type = 8);
        archCase("qwen2", "q-bias-type-999", g -> g.tensor("blk.0.attn_q.bias").type = 999);
        archCase("qwen2", "q-bias-f16-zeros", OK, g -> { RawGguf.Tensor t = g.tensor("blk.0.attn_q.bias"); t.type = 1; t.data = new byte[32]; });
        archCase("qwen2", "q-bias-nan", g -> poison(g, "blk.0.attn_q.bias", 5, Float.NaN));
        archCase("qwen2", "k-bias-inf", g -> poison(g, "blk.0.attn_k.bias", 0, Float.NEGATIVE_INFINITY));
        archCase("qwen2", "v-bias-nan", g -> poison(g, "blk.0.attn_v.bias", 7, Float.NaN));
        archCase("qwen2", "output-bias-nan", g -> { g.f32("blk.0.attn_output.bias", 1, 16, null, 0f); poison(g, "blk.0.attn_output.bias", 2, Float.NaN); });
        archCase("qwen2", "output-bias-wrong-length", g -> g.f32("blk.0.attn_output.bias", 1, 12, null, 0f));
        archCase("qwen2", "qkv-bias-fused-nan", g -> {
            for (String b : List.of("q", "k", "v")) g.tensors.removeIf(t -> t.name.equals("blk.0.attn_" + b + ".bias"));
            g.f32("blk.0.attn_qkv.bias", 1, 32, null, 0.1f);
            poison(g, "blk.0.attn_qkv.bias", 20, Float.NaN);
        });
        archCase("qwen2", "qkv-bias-fused-wrong-length", g -> {
            for (String b : List.of("q", "k", "v")) g.tensors.removeIf(t -> t.name.equals("blk.0.attn_" + b + ".bias"));
            g.f32("blk.0.attn_qkv.bias", 1, 24, null, 0.1f);
        });
        archCase("qwen2", "with-qwen3-norms", g -> { g.f32("blk.0.attn_q_norm.weight", 1, 8, null, 1f); g.f32("blk.0.attn_k_norm.weight", 1, 8, null, 1f); });
        // qwen3: Q/K norms and key_length
        archCase("qwen3", "q-norm-nan", g -> poison(g, "blk.0.attn_q_norm.weight", 1, Float.NaN));
        archCase("qwen3", "k-norm-inf", g -> poison(g, "blk.0.attn_k_norm.weight", 6, Float.POSITIVE_INFINITY));
        archCase("qwen3", "q-norm-missing", g -> g.tensors.removeIf(t -> t.name.equals("blk.0.attn_q_norm.weight")));
        archCase("qwen3", "k-norm-wrong-length", g -> g.tensor("blk.0.attn_k_norm.weight").dims = new long[]{4});
        archCase("qwen3", "key-length-16-tensors-8", g -> { g.put("qwen3.attention.key_length", RawGguf.UINT32, 16L); g.put("qwen3.attention.value_length", RawGguf.UINT32, 16L);
            g.put("qwen3.rope.dimension_count", RawGguf.UINT32, 16L); });
        archCase("qwen3", "key-length-4-consistent", OK, g -> { // a legal custom head width: Q [8, 16] (2 heads x 4), K/V [4, 16], wo [16, 8]
            g.put("qwen3.attention.key_length", RawGguf.UINT32, 4L); g.put("qwen3.attention.value_length", RawGguf.UINT32, 4L);
            g.put("qwen3.rope.dimension_count", RawGguf.UINT32, 4L);
            resize(g, "blk.0.attn_q.weight", 16, 8);
            resize(g, "blk.0.attn_k.weight", 16, 4);
            resize(g, "blk.0.attn_v.weight", 16, 4);
            resize(g, "blk.0.attn_output.weight", 8, 16);
            resize(g, "blk.0.attn_q_norm.weight", 4);
            resize(g, "blk.0.attn_k_norm.weight", 4);
        });
        // phi3: fused attn_qkv and ffn_up
        archCase("phi3", "qkv-rows-24", g -> g.tensor("blk.0.attn_qkv.weight").dims = new long[]{16, 24});
        archCase("phi3", "qkv-rows-48", g -> resize(g, "blk.0.attn_qkv.weight", 16, 48));
        archCase("phi3", "qkv-nan", g -> poison(g, "blk.0.attn_qkv.weight", 300, Float.NaN));
        archCase("phi3", "ffn-up-1x-hidden", g -> g.tensor("blk.0.ffn_up.weight").dims = new long[]{16, 32});
        archCase("phi3", "ffn-up-3x-hidden", g -> resize(g, "blk.0.ffn_up.weight", 16, 96));
        archCase("phi3", "ffn-up-nan-up-half", g -> poison(g, "blk.0.ffn_up.weight", 16 * 40, Float.NaN));
        archCase("phi3", "separate-q-and-fused", g -> g.f32("blk.0.attn_q.weight", 16, 16, null, 0f));
        archCase("phi3", "with-ffn-gate", g -> g.f32("blk.0.ffn_gate.weight", 32, 16, null, 0f));
        archCase("phi3", "longrope-factors", g -> g.f32("rope_factors_long.weight", 1, 4, null, 1f));
        // Mistral-style llama (GQA 2:1 is the base): a sliding-window key is documented as not applied
        archCase("llama", "mistral-sliding-window", BAD_OR_OK, g -> g.put("llama.attention.sliding_window", RawGguf.UINT32, 4096L));
        // general.architecture
        for (Object[] v : new Object[][]{{"unknown-gptneox", RawGguf.STRING, "gptneox"}, {"empty", RawGguf.STRING, ""},
                {"as-uint32", RawGguf.UINT32, 5L}, {"as-bool", RawGguf.BOOL, true}, {"qwen2-uppercase", RawGguf.STRING, "QWEN2"},
                {"as-array", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, List.of("qwen2"))}})
            archCase("qwen2", "architecture-" + v[0], g -> g.put("general.architecture", (Integer) v[1], v[2]));
        archCase("qwen2", "architecture-llama-keys-qwen2", g -> g.put("general.architecture", RawGguf.STRING, "llama"));
        archCase("qwen3", "architecture-says-qwen2", g -> g.put("general.architecture", RawGguf.STRING, "qwen2"));
    }

    // ---------------------------------------------------------------- GPT-2 byte-level tokenizers in GGUF

    private void tokCaseGguf(String name, Set<Integer> allowed, Consumer<RawGguf> mutate) throws IOException {
        add("gguf-tok", name, allowed, null, quick(archFile("qwen2", "tok-" + name, mutate)));
    }

    private void tokCaseGguf(String name, Consumer<RawGguf> mutate) throws IOException { tokCaseGguf(name, BAD, mutate); }

    /** Replaces the vocabulary (tokens, types; token_embd resized to match; BOS = EOS = the last token). */
    private static void vocab(RawGguf g, List<Object> toks) {
        List<Object> types = new ArrayList<>();
        for (Object t : toks) types.add(1L);
        g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, toks));
        g.put("tokenizer.ggml.token_type", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.INT32, types));
        g.tensors.removeIf(t -> t.name.equals("token_embd.weight"));
        g.tensors.add(0, new RawGguf.Tensor("token_embd.weight", new long[]{16, toks.size()}, 0, new byte[4 * 16 * toks.size()]));
        g.put("tokenizer.ggml.bos_token_id", RawGguf.UINT32, (long) toks.size() - 1);
        g.put("tokenizer.ggml.eos_token_id", RawGguf.UINT32, (long) toks.size() - 1);
    }

    private static List<Object> tokens(RawGguf g) { return new ArrayList<>(((RawGguf.Arr) g.kv.get("tokenizer.ggml.tokens").value()).items()); }

    private static void setToken(RawGguf g, int i, String text) {
        List<Object> t = tokens(g);
        t.set(i, text);
        g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, t));
    }

    private static void merges(RawGguf g, String... m) { g.put("tokenizer.ggml.merges", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, List.of((Object[]) m))); }

    private static void types(RawGguf g, int et, Object v, int n) {
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(i == 258 ? (et == RawGguf.STRING ? "3" : et == RawGguf.FLOAT32 ? (Object) 3.0 : 3L) : v);
        g.put("tokenizer.ggml.token_type", RawGguf.ARRAY, new RawGguf.Arr(et, l));
    }

    /** A qwen2 tiny model whose bytes get {@code mark} (written as a token or merge) replaced by invalid UTF-8. */
    private void invalidUtf8(String name, Consumer<RawGguf> mutate, String mark) throws IOException {
        byte[] b = Files.readAllBytes(archFile("qwen2", "tok-" + name, mutate));
        int at = indexOf(b, mark.getBytes(StandardCharsets.UTF_8));
        b[at] = (byte) 0xC3;
        b[at + 1] = (byte) 0x28; // an invalid two-byte sequence
        add("gguf-tok", name, BAD, null, quick(write("gguf-arch/tok-" + name + ".gguf", b)));
    }

    private void ggufByteLevelTokenizers() throws IOException {
        String sp = RawGguf.byteLevel(' ');
        tokCaseGguf("tokens-of-integers", g -> g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, ints(259)));
        tokCaseGguf("tokens-empty", g -> g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, List.of())));
        tokCaseGguf("tokens-missing", g -> g.kv.remove("tokenizer.ggml.tokens"));
        tokCaseGguf("tokens-a-string", g -> g.put("tokenizer.ggml.tokens", RawGguf.STRING, "hi"));
        tokCaseGguf("tokens-one-short", g -> { List<Object> t = tokens(g); t.remove(257); g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, t)); });
        tokCaseGguf("tokens-one-long", g -> { List<Object> t = tokens(g); t.add("zz"); g.put("tokenizer.ggml.tokens", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.STRING, t)); });
        tokCaseGguf("duplicate-token", g -> setToken(g, 257, "hi"));
        tokCaseGguf("duplicate-huge-token", g -> { setToken(g, 256, "x".repeat(500_000)); setToken(g, 257, "x".repeat(500_000)); });
        tokCaseGguf("huge-token-500k", OK, g -> { setToken(g, 257, "x".repeat(500_000)); merges(g, "h i"); });
        tokCaseGguf("token-string-2MiB", g -> setToken(g, 257, "x".repeat(2 << 20)));
        tokCaseGguf("empty-token-string", OK, g -> { setToken(g, 257, ""); merges(g, "h i"); });
        invalidUtf8("invalid-utf8-token", g -> { setToken(g, 257, "\u0001MARK"); merges(g, "h i"); }, "\u0001MARK");
        invalidUtf8("invalid-utf8-merge", g -> merges(g, "h i", "\u0001M ARK"), "\u0001M ARK");
        tokCaseGguf("merges-missing", g -> g.kv.remove("tokenizer.ggml.merges"));
        tokCaseGguf("merges-of-integers", g -> g.put("tokenizer.ggml.merges", RawGguf.ARRAY, ints(2)));
        tokCaseGguf("merges-a-string", g -> g.put("tokenizer.ggml.merges", RawGguf.STRING, "h i"));
        tokCaseGguf("merges-empty", OK, g -> merges(g)); // legal: bytes only, no merges
        tokCaseGguf("merge-unknown-left", g -> merges(g, "h i", "\u4e2d t"));
        tokCaseGguf("merge-unknown-result", g -> merges(g, "h i", "hi " + sp + "t"));
        tokCaseGguf("merge-no-space", g -> merges(g, "hi"));
        tokCaseGguf("merge-three-parts", g -> merges(g, "h i t"));
        tokCaseGguf("merge-trailing-space", g -> merges(g, "h "));
        tokCaseGguf("merge-empty-string", g -> merges(g, ""));
        tokCaseGguf("merge-double-space", g -> merges(g, "h  i"));
        tokCaseGguf("merge-huge-string", g -> merges(g, "h " + "i".repeat(600_000)));
        tokCaseGguf("merge-duplicate", BAD_OR_OK, g -> merges(g, "h i", "h i"));
        tokCaseGguf("token-type-strings", g -> types(g, RawGguf.STRING, "1", 259));
        tokCaseGguf("token-type-floats", g -> types(g, RawGguf.FLOAT32, 1.0, 259));
        tokCaseGguf("token-type-short", g -> types(g, RawGguf.INT32, 1L, 100));
        tokCaseGguf("token-type-long", g -> types(g, RawGguf.INT32, 1L, 300));
        tokCaseGguf("token-type-empty", g -> g.put("tokenizer.ggml.token_type", RawGguf.ARRAY, new RawGguf.Arr(RawGguf.INT32, List.of())));
        tokCaseGguf("token-type-99", g -> types(g, RawGguf.INT32, 99L, 259));
        tokCaseGguf("token-type-negative", g -> types(g, RawGguf.INT32, -1L, 259));
        tokCaseGguf("token-type-missing", OK, g -> g.kv.remove("tokenizer.ggml.token_type")); // all normal; EOG texts become control
        tokCaseGguf("token-type-a-scalar", g -> g.put("tokenizer.ggml.token_type", RawGguf.INT32, 1L));
        for (String id : List.of("bos", "eos", "eot", "eom", "unknown", "padding")) {
            String k = "tokenizer.ggml." + id + "_token_id";
            tokCaseGguf(id + "-out-of-range", g -> g.put(k, RawGguf.UINT32, 259L));
            tokCaseGguf(id + "-negative", g -> g.put(k, RawGguf.INT32, -7L));
            tokCaseGguf(id + "-2^40", g -> g.put(k, RawGguf.UINT64, 1L << 40));
            tokCaseGguf(id + "-as-string", g -> g.put(k, RawGguf.STRING, "258"));
            tokCaseGguf(id + "-as-float", g -> g.put(k, RawGguf.FLOAT32, 258.0));
        }
        tokCaseGguf("eot-none-uint32-max", OK, g -> g.put("tokenizer.ggml.eot_token_id", RawGguf.UINT32, 0xFFFFFFFFL)); // llama.cpp's "no such token"
        tokCaseGguf("bos-none-uint32-max", g -> g.put("tokenizer.ggml.bos_token_id", RawGguf.UINT32, 0xFFFFFFFFL));
        tokCaseGguf("pre-unknown", g -> g.put("tokenizer.ggml.pre", RawGguf.STRING, "no-such-pre"));
        tokCaseGguf("pre-as-uint32", g -> g.put("tokenizer.ggml.pre", RawGguf.UINT32, 2L));
        tokCaseGguf("pre-empty", g -> g.put("tokenizer.ggml.pre", RawGguf.STRING, ""));
        tokCaseGguf("pre-missing", OK, g -> g.kv.remove("tokenizer.ggml.pre")); // llama.cpp's default regexes
        for (String pre : List.of("llama-bpe", "smollm", "gpt-2", "default"))
            tokCaseGguf("pre-" + pre, OK, g -> g.put("tokenizer.ggml.pre", RawGguf.STRING, pre));
        tokCaseGguf("add-bos-as-uint8", g -> g.put("tokenizer.ggml.add_bos_token", RawGguf.UINT8, 1L));
        tokCaseGguf("add-bos-as-string", g -> g.put("tokenizer.ggml.add_bos_token", RawGguf.STRING, "true"));
        tokCaseGguf("add-eos-as-int32", g -> g.put("tokenizer.ggml.add_eos_token", RawGguf.INT32, 0L));
        tokCaseGguf("add-bos-true", OK, g -> g.put("tokenizer.ggml.add_bos_token", RawGguf.BOOL, true));
        tokCaseGguf("model-missing", g -> g.kv.remove("tokenizer.ggml.model"));
        tokCaseGguf("model-unknown-bert", g -> g.put("tokenizer.ggml.model", RawGguf.STRING, "bert"));
        tokCaseGguf("model-as-uint32", g -> g.put("tokenizer.ggml.model", RawGguf.UINT32, 2L));
        tokCaseGguf("model-llama-on-gpt2-vocab", g -> g.put("tokenizer.ggml.model", RawGguf.STRING, "llama"));
        tokCaseGguf("vocab-bigger-than-embedding", g -> g.tensor("token_embd.weight").dims = new long[]{16, 200});
        tokCaseGguf("tiny-vocab-no-byte-tokens", g -> { vocab(g, List.of("h", "i", "hi", "<|endoftext|>")); merges(g, "h i"); });
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new IllegalArgumentException("not found");
    }

    // ---------------------------------------------------------------- prompts through the new tokenizers

    private void byteLevelPrompts() throws IOException {
        Path m = archFile("qwen2", "prompt-model", g -> { });
        Path spm = write("gguf-arch/prompt-model-spm.gguf", RawGguf.tinyLlama(3).bytes());
        Object[][] prompts = {{"lone-high-surrogate", "hi \uD800 there", BAD}, {"lone-low-surrogate", "\uDC00", BAD},
                {"reversed-pair", "a\uDC00\uD800b", BAD}, {"nul", "hi\u0000there", OK}, {"controls", "\u0001\u0007\u001b[31m\u007f", OK},
                {"noncharacters", "\uFFFE\uFFFF\uFDD0", OK}, {"special-token-text", "<|endoftext|>hi<|endoftext|>", OK},
                {"only-special-token", "<|endoftext|>", OK}, {"supplementary", "\uD83D\uDE00\uD800\uDC00", OK},
                {"1MiB-prompt", "hi ".repeat(350_000), BAD}, {"4MiB-one-word", "x".repeat(4 << 20), BAD},
                {"2MiB-cjk", "\u4e2d".repeat(700_000), BAD}, {"beyond-steps", "hi ".repeat(200), BAD_OR_OK}};
        for (Object[] v : prompts) {
            @SuppressWarnings("unchecked") Set<Integer> allowed = (Set<Integer>) v[2];
            for (Path model : List.of(m, spm)) {
                List<String> a = new ArrayList<>(List.of(quick(model)));
                a.set(a.indexOf("--prompt") + 1, (String) v[1]);
                cases.add(new Case("prompt-tok", "generate " + (model == m ? "byte-level " : "sentencepiece ") + v[0], List.copyOf(a), allowed, null));
            }
        }
        // JSONL prompt files through serve-bench on the byte-level model
        Object[][] files = {{"lone-surrogate", "{\"prompt\": \"hi \\ud800 there\"}\n"}, {"4MiB-prompt", "{\"prompt\": \"" + "y".repeat(4 << 20) + "\"}\n"},
                {"nul-then-bad-line", "{\"prompt\": \"a\\u0000b\"}\n{\"prompt\": 3}\n"}};
        byte[] invalid = "{\"prompt\": \"hi XX there\"}\n".getBytes(StandardCharsets.UTF_8);
        invalid[13] = (byte) 0xC3;
        invalid[14] = (byte) 0x28; // an invalid two-byte sequence
        files = Arrays.copyOf(files, files.length + 1);
        files[files.length - 1] = new Object[]{"invalid-utf8", invalid};
        for (Object[] v : files) {
            Path f = v[1] instanceof byte[] raw ? write("prompts/bl-" + v[0] + ".jsonl", raw) : write("prompts/bl-" + v[0] + ".jsonl", (String) v[1]);
            Path o = out();
            add("prompt-tok", "serve-bench byte-level " + v[0], BAD, o, "serve-bench", "--model", m.toString(), "--prompts", f.toString(),
                    "--quick", "--energy-meter", "none", "--scenario", "offline", "--min-duration", "0.2", "--min-queries", "2", "--warmup", "0",
                    "--out", o.toString());
        }
    }

    // ---------------------------------------------------------------- llama2.c

    private void binCase(String name, byte[] b, Path tok) throws IOException {
        Path f = write("bin/" + name + ".bin", b);
        add("llama2c", name, BAD, null, generate(f, tok == null ? goodTok : tok));
    }

    private void llama2c() throws IOException {
        binCase("header-all-zero", llama2c(new int[7], 0, 0, -1), null);
        binCase("negative-dim", llama2c(new int[]{-16, 32, 1, 2, 1, 300, 64}, 0, 0, -1), null);
        binCase("dim-not-divisible-by-heads", llama2c(new int[]{16, 32, 1, 3, 1, 300, 64}, 0, 0, -1), null);
        binCase("kv-heads-not-dividing", llama2c(new int[]{16, 32, 1, 4, 3, 300, 64}, 0, 0, -1), null);
        binCase("odd-head-size", llama2c(new int[]{18, 32, 1, 2, 1, 300, 64}, 0, 0, -1), null);
        binCase("truncated", llama2c(new int[]{16, 32, 1, 2, 1, 300, 64}, -100, 0, -1), null);
        binCase("trailing-data", llama2c(new int[]{16, 32, 1, 2, 1, 300, 64}, 40, 0, -1), null);
        binCase("shorter-than-header", new byte[10], null);
        binCase("huge-dims", llama2c(new int[]{1 << 30, 1 << 30, 1 << 30, 1 << 10, 1 << 10, 300, 1 << 30}, 0, 0, -1), null);
        binCase("dims-overflow-int", llama2c(new int[]{Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE}, 0, 0, -1), null);
        binCase("vocab-min-int", llama2c(new int[]{16, 32, 1, 2, 1, Integer.MIN_VALUE, 64}, 0, 0, -1), null);
        binCase("seq-len-max-int", llama2c(new int[]{16, 32, 1, 2, 1, 300, Integer.MAX_VALUE}, 0, 0, -1), null);
        binCase("nan-weight", llama2c(new int[]{16, 32, 1, 2, 1, 300, 64}, 0, Float.NaN, 5000), null);
        binCase("inf-weight", llama2c(new int[]{16, 32, 1, 2, 1, 300, 64}, 0, Float.POSITIVE_INFINITY, 17), null);
        binCase("vocab-mismatch-tokenizer", llama2c(new int[]{16, 32, 1, 2, 1, 320, 64}, 0, 0, -1), null);
        Path tinyTok = write("bin/tok5.bin", smallTokenizer(5));
        binCase("tiny-vocab-byte-fallback", llama2c(new int[]{16, 32, 1, 2, 1, 5, 64}, 0, 0, -1), tinyTok);
        Path nanTok = write("bin/tok-nan-scores.bin", tokenizerWithScore(Float.NaN));
        binCase("tokenizer-nan-scores", Files.readAllBytes(goodBin), nanTok);
    }

    static byte[] smallTokenizer(int vocab) {
        String[] p = {"<unk>", "\n<s>\n", "\n</s>\n", "h", "i", " ", "e"};
        ByteBuffer bb = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(8);
        for (int i = 0; i < vocab; i++) {
            byte[] b = p[i].getBytes(StandardCharsets.UTF_8);
            bb.putFloat(0).putInt(b.length).put(b);
        }
        return Arrays.copyOf(bb.array(), bb.position());
    }

    private static byte[] tokenizerWithScore(float score) {
        byte[] b = SyntheticModels.tokenizer(300).toLlama2cBytes();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 4;
        while (pos + 8 <= b.length) {
            bb.putFloat(pos, score);
            int len = bb.getInt(pos + 4);
            pos += 8 + len;
        }
        return b;
    }

    // ---------------------------------------------------------------- tokenizers

    private void tokCase(String name, byte[] b) throws IOException {
        Path t = write("tok/" + name + ".bin", b);
        add("tokenizer", name, BAD, null, generate(goodBin, t));
    }

    private void tokenizers() throws IOException {
        byte[] good = SyntheticModels.tokenizer(300).toLlama2cBytes();
        tokCase("empty", new byte[0]);
        tokCase("max-len-zero", withInt(good, 0, 0));
        tokCase("max-len-negative", withInt(good, 0, -7));
        tokCase("entry-negative-length", withInt(good, 8, -1));
        tokCase("entry-length-past-end", withInt(good, 8, 1 << 30));
        tokCase("too-few-entries", Arrays.copyOf(good, good.length / 2));
        tokCase("extra-entries", concat(good, SyntheticModels.tokenizer(3).toLlama2cBytes()));
        byte[] noise = new byte[2048];
        new Random(5).nextBytes(noise);
        tokCase("random-bytes", noise);
        tokCase("inf-scores", tokenizerWithScore(Float.POSITIVE_INFINITY));
        add("tokenizer", "missing-file", BAD, null, generate(goodBin, root.resolve("tok/does-not-exist.bin")));
        Files.createDirectories(root.resolve("tok/a-directory.bin"));
        add("tokenizer", "is-a-directory", BAD, null, generate(goodBin, root.resolve("tok/a-directory.bin")));
        // a GGUF given as --tokenizer for a llama2.c model
        Path gg = write("tok/model-as-tokenizer.gguf", RawGguf.tinyLlama(1).bytes());
        add("tokenizer", "gguf-as-tokenizer", BAD, null, generate(goodBin, gg));
    }

    private static byte[] withInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length - 4);
        System.arraycopy(b, 4, c, a.length, b.length - 4);
        return c;
    }

    // ---------------------------------------------------------------- options

    private Path fixtureCopy(String name) throws IOException {
        Path d = root.resolve("runs/" + name);
        Files.createDirectories(d);
        try (Stream<Path> s = Files.list(FIXTURE)) {
            for (Path f : s.toList()) Files.copy(f, d.resolve(f.getFileName()));
        }
        return d;
    }

    private void costOpt(String name, String... opts) throws IOException {
        Path d = fixtureCopy("opt-" + name);
        Path o = out();
        List<String> a = new ArrayList<>(List.of("cost", d.toString(), "--out", o.toString()));
        a.addAll(List.of(opts));
        add("options", "cost " + name, BAD, o, a.toArray(String[]::new));
    }

    private void serveOpt(String name, String... opts) { serveOpt(name, BAD, opts); }

    private void serveOpt(String name, Set<Integer> allowed, String... opts) {
        Path o = out();
        List<String> a = new ArrayList<>(List.of("serve-bench", "--model", goodBin.toString(), "--tokenizer", goodTok.toString(), "--quick",
                "--energy-meter", "none", "--out", o.toString()));
        // bounded, so that an option wrongly accepted shows up as exit 0 in seconds rather than a minutes-long sweep
        for (String[] d : new String[][]{{"--scenario", "offline"}, {"--min-duration", "0.2"}, {"--min-queries", "2"}, {"--warmup", "0"}, {"--max-duration", "2"}})
            if (!List.of(opts).contains(d[0])) a.addAll(List.of(d));
        a.addAll(List.of(opts));
        add("options", "serve-bench " + name, allowed, o, a.toArray(String[]::new));
    }

    private void runOpt(String name, String... opts) {
        Path o = out();
        List<String> a = new ArrayList<>(List.of("run", "--quick", "--no-encoder", "--no-serve", "--model", goodBin.toString(), "--tokenizer", goodTok.toString(),
                "--out", o.toString()));
        a.addAll(List.of(opts));
        add("options", "run " + name, BAD, o, a.toArray(String[]::new));
    }

    private void genOpt(String name, String... opts) {
        List<String> a = new ArrayList<>(List.of(generate(goodBin, goodTok)));
        a.addAll(List.of(opts));
        add("options", "generate " + name, BAD, null, a.toArray(String[]::new));
    }

    private void options() throws IOException {
        costOpt("usd-per-hour-infinity", "--usd-per-hour", "Infinity");
        costOpt("usd-per-hour-nan", "--usd-per-hour", "NaN");
        costOpt("usd-per-hour-negative", "--usd-per-hour", "-1");
        costOpt("usd-per-hour-1e400", "--usd-per-hour", "1e400");
        costOpt("usd-per-hour-text", "--usd-per-hour", "cheap");
        costOpt("batch-zero", "--batch", "0");
        costOpt("batch-negative", "--batch", "-3");
        costOpt("target-nan", "--target-tok-s-user", "NaN");
        costOpt("target-negative", "--target-tok-s-user", "-4");
        costOpt("ttft-negative", "--ttft-ms", "-5");
        costOpt("tpot-infinity", "--tpot-ms", "Infinity");
        costOpt("host-bandwidth-zero", "--host-peak-bandwidth", "0");
        costOpt("host-tflops-nan", "--host-peak-tflops", "NaN");
        costOpt("profile-zero", "--profile", "0/0");
        costOpt("profile-negative", "--profile", "-5/10");
        costOpt("profile-unknown", "--profile", "abc");
        costOpt("profile-huge", "--profile", "99999999999/1");
        costOpt("project-dtype-unknown", "--project-dtype", "int3");
        costOpt("project-model-unknown", "--project-model", "no-such-model");
        runOpt("context-2e9", "--context", "2000000000");
        runOpt("context-beyond-model", "--context", "100000");
        runOpt("isl-beyond-model", "--isl", "5000");
        runOpt("isl-zero", "--isl", "0");
        runOpt("usd-per-hour-infinity", "--usd-per-hour", "Infinity");
        runOpt("threads-negative", "--threads", "-1");
        runOpt("batch-7", "--batch", "7");
        genOpt("topp-2", "--topp", "2");
        genOpt("temperature-nan", "--temperature", "NaN");
        genOpt("temperature-infinity", "--temperature", "Infinity");
        genOpt("steps-negative", "--steps", "-1");
        genOpt("context-length-negative", "--context-length", "-1");
        genOpt("threads-huge", "--threads", "100000");
        serveOpt("rate-zero", "--rates", "0");
        serveOpt("rate-nan", "--rates", "NaN");
        serveOpt("rate-infinity", "--rates", "Infinity");
        serveOpt("arrival-cv-negative", "--arrival-cv", "-1");
        serveOpt("arrival-cv-nan", "--arrival-cv", "NaN");
        serveOpt("max-batch-zero", "--max-batch", "0");
        serveOpt("isl-zero", "--isl", "0");
        serveOpt("isl-reversed-range", "--isl", "uniform:50,2");
        serveOpt("isl-beyond-context", BAD_OR_OK, "--isl", "100000"); // documented: clipped to the context (accepted; figures must be clean)
        serveOpt("osl-text", "--osl", "abc");
        serveOpt("min-duration-nan", "--min-duration", "NaN");
        serveOpt("min-duration-negative", "--min-duration", "-1");
        serveOpt("max-duration-infinity", "--max-duration", "Infinity");
        serveOpt("pue-below-1", "--pue", "0.5");
        serveOpt("slo-ttft-negative", "--slo-ttft-ms", "-1");
        serveOpt("kv-budget-negative", "--kv-budget", "-1");
        serveOpt("max-prefill-zero", "--max-prefill-tokens", "0");
        serveOpt("warmup-negative", "--warmup", "-1");
        serveOpt("min-queries-zero", "--min-queries", "0");
        serveOpt("search-steps-negative", "--search-steps", "-1");
        serveOpt("peak-gbps-infinity", "--peak-gbps", "Infinity");
        serveOpt("rate-fraction-negative", "--rate-fractions", "-0.5");
        serveOpt("idle-baseline-nan", "--idle-baseline", "NaN");
        serveOpt("concurrency-zero", "--scenario", "concurrency", "--concurrency", "0");
    }

    // ---------------------------------------------------------------- scenario YAML

    private String defaultScenario() throws IOException {
        try (var in = dev.infercost.revenue.Scenario.class.getResourceAsStream(dev.infercost.revenue.Scenario.DEFAULT_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void scenario(String name, String yaml) throws IOException {
        Path f = write("scenario/" + name + ".yaml", yaml);
        Path o = out();
        add("scenario", name, BAD, o, "revenue", "--scenario", f.toString(), "--out", o.toString());
    }

    private void scenarios() throws IOException {
        String d = defaultScenario();
        scenario("empty", "");
        scenario("not-yaml", "{{{ ::: [[[");
        scenario("top-level-list", "- a\n- b\n");
        scenario("scalar", "42\n");
        Path bin = write("scenario/binary.yaml", noise(1024, 9));
        Path o = out();
        add("scenario", "binary", BAD, o, "revenue", "--scenario", bin.toString(), "--out", o.toString());
        scenario("unknown-field", d + "\nno_such_field: 1\n");
        scenario("years-descending", d.replaceFirst("(?m)^years:.*$", "years: [2028, 2027]"));
        scenario("years-text", d.replaceFirst("(?m)^years:.*$", "years: [abc]"));
        scenario("deep-nesting", "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
        StringBuilder laughs = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (int i = 0; i < 9; i++) laughs.append((char) ('b' + i)).append(": &").append((char) ('b' + i)).append(" [")
                .append(("*" + (char) ('a' + i) + ",").repeat(9)).append('*').append((char) ('a' + i)).append("]\n");
        scenario("billion-laughs", laughs.toString());
        scenario("rate-above-1", d.replaceFirst("(?m)^(\\s*rate:).*$", "$1 [1.5]"));
        scenario("rate-nan", d.replaceFirst("(?m)^(\\s*rate:).*$", "$1 [.nan]"));
        scenario("markup-infinite", d.replaceFirst("(?m)^(\\s*markup:).*$", "$1 .inf"));
        scenario("markup-negative", d.replaceFirst("(?m)^(\\s*markup:).*$", "$1 -0.5"));
        scenario("samples-huge", d + "\n" + (d.contains("sensitivity:") ? "" : "sensitivity:\n") + "  samples: 100000000000\n");
        scenario("huge-string", "provider: \"" + "x".repeat(300_000) + "\"\n");
    }

    private static byte[] noise(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ---------------------------------------------------------------- catalogs

    private void catalog(String name, String ext, String text) throws IOException { catalog(name, ext, text, BAD); }

    private void catalog(String name, String ext, String text, Set<Integer> allowed) throws IOException {
        Path f = write("catalog/" + name + "." + ext, text);
        Path d = fixtureCopy("cat-" + name);
        Path o = out();
        add("catalog", name, allowed, o, "cost", d.toString(), "--catalog", f.toString(), "--out", o.toString());
    }

    private void catalogs() throws IOException {
        String h = "accelerator,metric,value,unit,provenance,source_url,source_date\n";
        catalog("zero-bandwidth", "csv", h + "cpu-host,memory_bandwidth,0,GB/s,spec,test,2026-01-01\n");
        catalog("zero-memory", "csv", h + "cpu-host,hbm_capacity,0,GB,spec,test,2026-01-01\n");
        catalog("nan-value", "csv", h + "cpu-host,memory_bandwidth,NaN,GB/s,spec,test,2026-01-01\n");
        catalog("infinite-value", "csv", h + "cpu-host,memory_bandwidth,Infinity,GB/s,spec,test,2026-01-01\n");
        catalog("negative-price", "csv", h + "cpu-host,cloud_on_demand,-2,USD/accel-hr,assumed,test,2026-01-01\n");
        catalog("conflicting-duplicates", "csv", h + "cpu-host,memory_bandwidth,40,GB/s,spec,a,2026-01-01\ncpu-host,memory_bandwidth,90,GB/s,spec,b,2026-01-01\n");
        catalog("missing-value-column", "csv", "accelerator,metric,unit\ncpu-host,memory_bandwidth,GB/s\n");
        catalog("unknown-header", "csv", "a,b,c\n1,2,3\n");
        catalog("empty", "csv", "");
        catalog("header-only", "csv", h);
        catalog("bad-provenance", "csv", h + "cpu-host,memory_bandwidth,40,GB/s,rumour,test,2026-01-01\n");
        catalog("value-text", "csv", h + "cpu-host,memory_bandwidth,fast,GB/s,spec,test,2026-01-01\n");
        catalog("unbalanced-quotes", "csv", h + "\"cpu-host,memory_bandwidth,40,GB/s,spec,test\n");
        catalog("pue-below-1", "csv", "parameter,scope,value,unit,source_url\npue,site,0.4,ratio,test\n");
        catalog("utilisation-above-1", "csv", "parameter,scope,value,unit,source_url\ngpu_utilisation,site,7,fraction,test\n", BAD_OR_OK); // refused by Tco where a TCO tier uses it
        catalog("yaml-scalar", "yaml", "42\n");
        catalog("yaml-unknown-key", "yaml", "gpus: []\n");
        catalog("yaml-item-not-mapping", "yaml", "accelerators:\n  - 5\n");
        catalog("yaml-negative-tdp", "yaml", "accelerators:\n  - {accelerator: cpu-host, metric: tdp, value: -300, unit: W, provenance: spec, source_url: t}\n");
        Path bin = write("catalog/binary.csv", noise(2048, 13));
        Path d = fixtureCopy("cat-binary");
        Path o = out();
        add("catalog", "binary", BAD, o, "cost", d.toString(), "--catalog", bin.toString(), "--out", o.toString());
    }

    // ---------------------------------------------------------------- prompt files

    private void promptCase(String name, byte[] content) throws IOException {
        Path f = write("prompts/" + name + ".jsonl", content);
        Path o = out();
        add("prompts", name, BAD, o, "serve-bench", "--model", goodBin.toString(), "--tokenizer", goodTok.toString(), "--prompts", f.toString(),
                "--quick", "--energy-meter", "none", "--scenario", "offline", "--min-duration", "0.2", "--min-queries", "2", "--warmup", "0",
                "--out", o.toString());
    }

    private void promptCase(String name, String content) throws IOException { promptCase(name, content.getBytes(StandardCharsets.UTF_8)); }

    private void prompts() throws IOException {
        promptCase("empty", "");
        promptCase("only-blank-lines", "\n\n   \n");
        promptCase("not-json", "hello world\n");
        promptCase("prompt-missing", "{\"text\": \"hi\"}\n");
        promptCase("prompt-number", "{\"prompt\": 5}\n");
        promptCase("json-array", "[\"hi\"]\n");
        promptCase("output-tokens-zero", "{\"prompt\": \"hi\", \"output_tokens\": 0}\n");
        promptCase("output-tokens-text", "{\"prompt\": \"hi\", \"output_tokens\": \"many\"}\n");
        promptCase("output-tokens-1e12", "{\"prompt\": \"hi\", \"output_tokens\": 1000000000000}\n");
        promptCase("output-tokens-fraction", "{\"prompt\": \"hi\", \"output_tokens\": 2.5}\n");
        promptCase("prompt-beyond-context", "{\"prompt\": \"" + "ab ".repeat(200) + "\"}\n");
        promptCase("one-very-long-prompt", "{\"prompt\": \"" + "x".repeat(4_000_000) + "\"}\n");
        promptCase("long-prompt-multibyte", "{\"prompt\": \"" + "\u00e9\u4e2d".repeat(500_000) + "\"}\n");
        promptCase("deep-json", "{\"prompt\": " + "[".repeat(100_000) + "\n");
        promptCase("binary", noise(4096, 17));
        promptCase("invalid-utf8", new byte[]{'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        promptCase("second-line-bad", "{\"prompt\": \"hi\"}\n{\"prompt\": \n");
        Path dir = root.resolve("prompts/a-directory.jsonl");
        Files.createDirectories(dir);
        Path o = out();
        add("prompts", "is-a-directory", BAD, o, "serve-bench", "--model", goodBin.toString(), "--tokenizer", goodTok.toString(), "--prompts", dir.toString(),
                "--quick", "--energy-meter", "none", "--out", o.toString());
    }

    // ---------------------------------------------------------------- results folders

    private Path folder(String name, String table, byte[] content) throws IOException {
        Path d = fixtureCopy("res-" + name);
        if (table != null) {
            if (content == null) Files.delete(d.resolve(table));
            else Files.write(d.resolve(table), content);
        }
        return d;
    }

    private void resCase(String name, String table, byte[] content, Set<Integer> allowed) throws IOException {
        Path d = folder(name, table, content);
        Path o = out();
        add("results", "cost " + name, allowed, o, "cost", d.toString(), "--out", o.toString());
        Path d2 = folder(name + "-r", table, content);
        Path o2 = out();
        add("results", "report " + name, allowed, o2, "report", d2.toString(), "--out", o2.toString());
    }

    private String column(String text, String col, String value) {
        // replaces a column's value in every data row (the fixture has no quoted commas in numeric columns)
        String[] lines = text.split("\n");
        List<String> head = parseRow(lines[0]);
        int i = head.indexOf(col);
        if (i < 0) throw new IllegalArgumentException(col);
        StringBuilder sb = new StringBuilder(lines[0]).append('\n');
        for (int k = 1; k < lines.length; k++) {
            List<String> cells = parseRow(lines[k]);
            cells.set(i, value);
            sb.append(String.join(",", cells.stream().map(c -> c.contains(",") ? "\"" + c + "\"" : c).toList())).append('\n');
        }
        return sb.toString();
    }

    private static List<String> parseRow(String line) {
        try {
            return new ArrayList<>(org.apache.commons.csv.CSVFormat.DEFAULT.parse(new java.io.StringReader(line)).getRecords().get(0).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void resultsFolders() throws IOException {
        String eb = Files.readString(FIXTURE.resolve("engine_bench.csv"));
        String sv = Files.readString(FIXTURE.resolve("serving.csv"));
        resCase("empty-engine-bench", "engine_bench.csv", new byte[0], BAD);
        resCase("header-only-engine-bench", "engine_bench.csv", (eb.lines().findFirst().orElseThrow() + "\n").getBytes(), BAD_OR_OK);
        resCase("binary-engine-bench", "engine_bench.csv", noise(3000, 21), BAD);
        resCase("nan-throughput", "engine_bench.csv", column(eb, "throughput [tok/s]", "NaN").getBytes(), BAD);
        resCase("infinite-throughput", "engine_bench.csv", column(eb, "throughput [tok/s]", "Infinity").getBytes(), BAD);
        resCase("negative-throughput", "engine_bench.csv", column(eb, "throughput [tok/s]", "-5").getBytes(), BAD);
        resCase("mbu-5", "engine_bench.csv", column(eb, "mbu", "5").getBytes(), BAD_OR_OK); // cost: rows excluded with a reason
        resCase("batch-text", "engine_bench.csv", column(eb, "batch_size", "many").getBytes(), BAD);
        resCase("accuracy-fail", "engine_bench.csv", column(eb, "accuracy_verdict", "fail").getBytes(), BAD_OR_OK);
        resCase("missing-column", "engine_bench.csv", eb.replace("throughput [tok/s],", "thru,").getBytes(), BAD);
        resCase("nan-serving", "serving.csv", column(sv, "throughput_per_device [tok/s/device]", "NaN").getBytes(), BAD);
        resCase("binary-energy", "energy.csv", noise(500, 23), BAD);
        Path none = root.resolve("runs/no-tables");
        Files.createDirectories(none);
        Path o = out();
        add("results", "cost no-tables", BAD, o, "cost", none.toString(), "--out", o.toString());
        Path o2 = out();
        add("results", "report no-tables", BAD, o2, "report", none.toString(), "--out", o2.toString());
        Path o3 = out();
        add("results", "cost missing-folder", BAD, o3, "cost", root.resolve("runs/none-such").toString(), "--out", o3.toString());
    }

    // ---------------------------------------------------------------- I/O faults

    private void ioFaults() throws IOException {
        Path file = write("io/a-file", "x");
        Path d = fixtureCopy("io-cost");
        add("io", "cost --out under a regular file", IO, null, "cost", d.toString(), "--out", file.resolve("sub").toString());
        add("io", "revenue --out under a regular file", IO, null, "revenue", "--out", file.resolve("sub").toString());
        add("io", "serve-bench --out under a regular file", IO, null, "serve-bench", "--model", goodBin.toString(), "--tokenizer", goodTok.toString(),
                "--quick", "--energy-meter", "none", "--out", file.resolve("sub").toString());
        add("io", "revenue --out in /proc", IO, null, "revenue", "--out", "/proc/infercost-not-writable");
        Path d2 = fixtureCopy("io-cost2");
        add("io", "cost --out .csv in /proc", IO, null, "cost", d2.toString(), "--out", "/proc/infercost-not-writable/cost.csv");
    }
}
