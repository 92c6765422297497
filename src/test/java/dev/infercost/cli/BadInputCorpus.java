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
