package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Catalog;
import dev.infercost.model.BpeTokenizer;
import dev.infercost.model.GgufLoader;
import dev.infercost.model.Llama2cFormat;
import dev.infercost.model.SyntheticModels;
import dev.infercost.revenue.Scenario;
import dev.infercost.workload.LengthDistribution;
import dev.infercost.workload.Workload;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded fuzzing of every input parser: GGUF, llama2.c checkpoints, llama2.c tokenizers, scenario
 * YAML, catalog CSV and YAML, and JSONL prompt files. Inputs are valid files with seeded random byte mutations (flips,
 * overwrites with boundary values, truncation, insertion) and seeded random text (ASCII, Latin-1, CJK, surrogate pairs,
 * lone surrogates, controls). Each parse is checked for three things: it may only fail with {@link BadInputException}
 * (any other exception or error escaping, {@link OutOfMemoryError} included, fails the try); it finishes within a time
 * bound ({@code -Dinfercost.fuzz.timeoutS}, default 10 s: no hang); and the thread allocates at most
 * {@code -Dinfercost.fuzz.maxAllocMiB} (default 512 MiB) doing it, so a parser that sizes a buffer from a corrupt
 * length field fails here even where the heap would have let it through. CI runs 150 tries per parser (a few seconds
 * each); run longer locally with {@code bin/test -o -Dtest=FuzzParsersTest -Dinfercost.fuzz.tries=20000} (and another
 * {@code -Dinfercost.fuzz.seed=N}). A failure names the seed of the try, which reproduces it.
 *
 * <p>Why not a fuzzing library: jqwik 1.10.x prints a notice refusing use by AI agents and was removed; Jazzer
 * (com.code-intelligence:jazzer-junit 0.24.0) resolves and runs its regression mode on JDK 25, but its bundled ASM
 * cannot instrument Java 25 class files ("Unsupported class file major version 69"), so its fuzzing mode gets no
 * coverage feedback (libFuzzer: "no interesting inputs were found so far. Is the code instrumented for coverage?"),
 * which makes it a blind byte generator that is weaker than these structure-aware mutations of valid files.
 */
class FuzzParsersTest {
    static final int TRIES = Integer.getInteger("infercost.fuzz.tries", 150);
    static final long SEED = Long.getLong("infercost.fuzz.seed", 17);
    static final long TIMEOUT_S = Long.getLong("infercost.fuzz.timeoutS", 10);
    static final long MAX_ALLOC = Long.getLong("infercost.fuzz.maxAllocMiB", 512) << 20;
    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    static final byte[] GGUF = RawGguf.tinyLlama(5).bytes();
    /** qwen2 and phi3 tiny models with a GPT-2 byte-level vocabulary (tokenizer.ggml.model = gpt2). */
    static final byte[] GGUF_QWEN2 = RawGguf.tinyArch("qwen2", 5).bytes(), GGUF_PHI3 = RawGguf.tinyArch("phi3", 5).bytes();
    static final byte[] TOK = SyntheticModels.tokenizer(300).toLlama2cBytes();
    static final byte[] BIN = BadInputCorpus.llama2c(new int[]{16, 32, 1, 2, 1, 300, 64}, 0, 0, -1);
    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> { Thread t = new Thread(r, "fuzz"); t.setDaemon(true); return t; });

    /**
     * Runs {@code parse} under the time and allocation bounds; anything but success or BadInputException fails the try.
     */
    static void onlyBadInput(String what, byte[] input, Callable<?> parse) {
        long[] allocated = {-1};
        Future<?> f = POOL.submit(() -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                return parse.call();
            } finally {
                allocated[0] = THREADS.getCurrentThreadAllocatedBytes() - before;
            }
        });
        try {
            f.get(TIMEOUT_S, TimeUnit.SECONDS);
            checkAllocation(what, input, allocated[0]);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(what + ": no result within " + TIMEOUT_S + " s (hang) on " + input.length + " bytes");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof OutOfMemoryError oom)
                fail(what + ": out of memory (" + oom.getMessage() + ") on " + input.length + " bytes: a size taken from the input is not bounded", oom);
            if (!(e.getCause() instanceof BadInputException))
                fail(what + ": " + e.getCause() + " escaped on " + input.length + " bytes (only BadInputException may)", e.getCause());
            checkAllocation(what, input, allocated[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    static void checkAllocation(String what, byte[] input, long bytes) {
        if (bytes > MAX_ALLOC)
            fail(what + ": allocated " + (bytes >> 20) + " MiB parsing " + input.length + " bytes (bound " + (MAX_ALLOC >> 20)
                    + " MiB, -Dinfercost.fuzz.maxAllocMiB): a size taken from the input is not bounded");
    }

    /** A copy of {@code base} with 1..8 seeded mutations. */
    static byte[] mutate(byte[] base, long seed) {
        Random r = new Random(seed);
        byte[] b = base.clone();
        int n = 1 + r.nextInt(8);
        for (int k = 0; k < n; k++) {
            int at = r.nextInt(Math.max(1, b.length));
            switch (r.nextInt(6)) {
                case 0 -> { if (b.length > 0) b[at] ^= (byte) (1 << r.nextInt(8)); }
                case 1 -> { if (b.length > 0) b[at] = (byte) r.nextInt(256); }
                case 2 -> { // an 8-byte boundary value (0, -1, 2^31, 2^63 - 32, ...)
                    long[] v = {0, -1, 1L << 31, (1L << 32) - 1, Long.MAX_VALUE - 31, Long.MIN_VALUE, 1L << 40, 7};
                    long x = v[r.nextInt(v.length)];
                    for (int i = 0; i < 8 && at + i < b.length; i++) b[at + i] = (byte) (x >>> (8 * i));
                }
                case 3 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 4 -> { // float boundary value: NaN, infinity
                    int x = r.nextBoolean() ? Float.floatToRawIntBits(Float.NaN) : Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
                    for (int i = 0; i < 4 && at + i < b.length; i++) b[at + i] = (byte) (x >>> (8 * i));
                }
                default -> { // insert a few random bytes
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    byte[] c = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(ins, 0, c, at, ins.length);
                    System.arraycopy(b, at, c, at + ins.length, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    static Path temp(String suffix, byte[] b) throws Exception {
        Path f = Files.createTempFile("infercost-fuzz", suffix);
        Files.write(f, b);
        f.toFile().deleteOnExit();
        return f;
    }

    @Test
    void gguf() throws Exception {
        forSeeds(seed -> {
            byte[] b = mutate(GGUF, seed);
            Path f = temp(".gguf", b);
            try {
                onlyBadInput("GGUF", b, () -> GgufLoader.load(f).tokenizer().encode("Once upon a time \u00e9\u4e2d", true, false));
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }

    /**
     * GGUF files of the qwen2 and phi3 architectures with byte-level BPE vocabularies: half the tries mutate only the
     * first 4 KiB (header, architecture keys, tokens, merges, token types), half anywhere; each loaded model is
     * weight-checked and its tokenizer encodes random text (lone surrogates included).
     */
    @Test
    void ggufByteLevelArchitectures() throws Exception {
        java.util.concurrent.atomic.AtomicInteger loaded = new java.util.concurrent.atomic.AtomicInteger();
        forSeeds(seed -> {
            byte[] base = (seed & 1) == 0 ? GGUF_QWEN2 : GGUF_PHI3;
            byte[] b;
            if ((seed & 2) == 0) {
                byte[] head = mutate(java.util.Arrays.copyOf(base, 4096), seed);
                b = java.util.Arrays.copyOf(head, head.length + base.length - 4096);
                System.arraycopy(base, 4096, b, head.length, base.length - 4096);
            } else b = mutate(base, seed);
            String text = text(seed);
            Path f = temp(".gguf", b);
            try {
                onlyBadInput("GGUF byte-level", b, () -> {
                    var m = dev.infercost.model.ModelFileValidator.requireFiniteWeights(GgufLoader.load(f));
                    loaded.incrementAndGet();
                    try {
                        return m.tokenizer().encode(text, true, false);
                    } finally {
                        if (m.tokenizer() instanceof AutoCloseable c) c.close();
                    }
                });
            } finally {
                Files.deleteIfExists(f);
            }
        });
        System.out.println("GGUF byte-level fuzz: " + TRIES + " tries, " + loaded.get() + " loaded (mutation accepted, tokenizer built)");
        org.junit.jupiter.api.Assertions.assertTrue(loaded.get() > 0, "no mutated file loaded: the fuzzer never reaches the tokenizer");
    }

    @Test
    void llama2cCheckpoint() throws Exception {
        forSeeds(seed -> {
            byte[] b = mutate(BIN, seed);
            Path f = temp(".bin", b), t = temp(".tok", TOK);
            try {
                onlyBadInput("llama2.c", b, () -> dev.infercost.model.Models.loadFile(f, t));
            } finally {
                Files.deleteIfExists(f);
                Files.deleteIfExists(t);
            }
        });
    }

    @Test
    void llama2cTokenizer() throws Exception {
        forSeeds(seed -> {
            String text = text(seed);
            byte[] b = mutate(TOK, seed);
            Path f = temp(".bin", b);
            try {
                onlyBadInput("tokenizer", b, () -> BpeTokenizer.readLlama2c(f, 300).encode(text, true, true));
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }

    /** Random text up to 200 chars: ASCII, Latin-1, CJK, surrogate pairs and lone surrogates, controls. */
    static String text(long seed) {
        Random r = new Random(seed * 31 + 7);
        int n = r.nextInt(201);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(5)) {
                case 0 -> sb.append((char) (0x20 + r.nextInt(95)));
                case 1 -> sb.append((char) r.nextInt(0x100));
                case 2 -> sb.append((char) (0x4e00 + r.nextInt(0x5000)));
                case 3 -> sb.appendCodePoint(0x10000 + r.nextInt(0x10000));
                default -> sb.append((char) r.nextInt(0x10000));
            }
        }
        return sb.toString();
    }

    /** Runs {@code body} for {@link #TRIES} seeds derived from {@link #SEED}; the failing seed is in the message. */
    interface Try { void run(long seed) throws Exception; }

    static void forSeeds(Try body) throws Exception {
        Random r = new Random(SEED);
        for (int i = 0; i < TRIES; i++) {
            long seed = r.nextLong();
            try {
                body.run(seed);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (try " + i + "): " + e.getMessage(), e.getCause());
            }
        }
    }

    @Test
    void scenarioYaml() throws Exception {
        forSeeds(seed -> {
            byte[] base;
            try (var in = Scenario.class.getResourceAsStream(Scenario.DEFAULT_RESOURCE)) { base = in.readAllBytes(); }
            byte[] b = mutate(base, seed);
            Path f = temp(".yaml", b);
            try {
                onlyBadInput("scenario YAML", b, () -> Scenario.load(f));
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }

    @Test
    void catalogCsv() throws Exception {
        forSeeds(seed -> {
            byte[] base = ("accelerator,metric,provider,value,unit,provenance,source_url,source_date\n"
                    + "cpu-host,memory_bandwidth,,40,GB/s,spec,https://example.org,2026-01\n"
                    + "cpu-host,cloud_on_demand,mine,0.1-0.2,USD/accel-hr,assumed,https://example.org,2026-01\n").getBytes(StandardCharsets.UTF_8);
            byte[] b = mutate(base, seed);
            Path f = temp(".csv", b);
            try {
                onlyBadInput("catalog CSV", b, () -> Catalog.load(f));
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }

    @Test
    void catalogYaml() throws Exception {
        forSeeds(seed -> {
            byte[] base = ("accelerators:\n  - {accelerator: cpu-host, metric: tdp, value: 30, unit: W, provenance: spec, source_url: x}\n"
                    + "datacenter:\n  - {parameter: pue, scope: site, value: 1.2, unit: ratio, source_url: x}\n").getBytes(StandardCharsets.UTF_8);
            byte[] b = mutate(base, seed);
            Path f = temp(".yaml", b);
            try {
                onlyBadInput("catalog YAML", b, () -> Catalog.load(f));
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }

    @Test
    void jsonlPrompts() throws Exception {
        forSeeds(seed -> {
            String prompt = text(seed);
            String line = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of("prompt", prompt, "output_tokens", 4));
            byte[] b = mutate((line + "\n{\"prompt\": \"Once upon a time\"}\n").getBytes(StandardCharsets.UTF_8), seed);
            Path f = temp(".jsonl", b);
            BpeTokenizer tok = SyntheticModels.tokenizer(300);
            try {
                Workload w = new Workload(LengthDistribution.parse("--isl", "8"), LengthDistribution.parse("--osl", "4"), 1, true, f);
                onlyBadInput("JSONL prompts", b, () -> w.build(4, 300, 1, tok, 64));
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }
}
