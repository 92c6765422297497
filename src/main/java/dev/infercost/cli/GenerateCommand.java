package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.Sampler;
import dev.infercost.model.BpeTokenizer;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.model.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code infercost generate}: text generation with the semantics and stdout of llama2.c run.c's
 * {@code generate()} (GitHub karpathy/llama2.c run.c): BOS=1 prepended, steps count every forward position
 * including the prompt's, prompt pieces echoed, the first piece after BOS loses its leading space, stops when BOS
 * is sampled, one final newline, "achieved tok/s: X" on stderr. The prompt is run as one prefill (same logits as
 * run.c's token-by-token loop); achieved tok/s counts the positions after the first forward pass, over the time
 * since it finished, as run.c does.
 *
 * <p>A JVM starts cold: a 256-step run of a tiny model ends before the JIT has compiled the kernels, so its tok/s
 * would describe the interpreter, not the engine (stories260K: ~1,000 tok/s cold vs ~12,000 in JMH's steady state).
 * By default generate therefore first decodes the same prompt greedily in throw-away sessions for
 * {@code --warmup-s} seconds (the sampler and stdout are untouched, so the text is identical), and the
 * "achieved tok/s" line it then prints is the steady-state figure, comparable to run.c's (a compiled C binary is
 * warm from its first step). A second stderr line says which figure was printed; {@code --warmup-s 0} prints the
 * cold figure.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generates text like llama2.c run.c (same stdout for the same model, prompt and sampling settings).")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "llama2.c .bin, .gguf, or preset (e.g. stories110M, llama-3.2-1b:q8_0)")
    String model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer for .bin models (default: tok<vocab>.bin or tokenizer.bin beside the model)")
    Path tokenizer;

    @Option(names = "--prompt", defaultValue = "", description = "prompt text (default: empty, generation starts from BOS)")
    String prompt;

    @Option(names = "--steps", defaultValue = "256", description = "forward positions including the prompt; 0 or > seq_len = seq_len (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--temperature", defaultValue = "1.0", description = "0 = greedy (default ${DEFAULT-VALUE}, as run.c)")
    float temperature;

    @Option(names = "--topp", defaultValue = "0.9", description = "top-p nucleus mass, in [0,1] (default ${DEFAULT-VALUE})")
    float topp;

    @Option(names = "--seed", defaultValue = "0", description = "rng seed; <= 0 = current time in seconds (as run.c)")
    long seed;

    @Option(names = "--backend", defaultValue = "jvm", description = "engine backend (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--device", description = "backend device, e.g. 0:0 for TornadoVM backend 0 device 0 (see `infercost devices`; default: the backend's default)")
    String device;

    @Option(names = "--threads", defaultValue = "1", description = "CPU threads for the engine (0 = all processors; default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--context-length", defaultValue = "0",
            description = "override the model's context length (seq_len), like llama.cpp -c; needed for GGUF files whose llama.context_length is short (0 = the model's; at most what one sequence's fp32 KV cache allows in the JVM heap, a note above the trained context)")
    int contextLength;

    @Option(names = "--warmup-s", defaultValue = "2",
            description = "seconds of throw-away greedy decoding before the timed run, so achieved tok/s is the JIT's steady state; at least 32 steps unless 10x this passes (0 = cold JVM figure; default ${DEFAULT-VALUE})")
    double warmupS;

    /**
     * The largest {@code --context-length} allowed for a model: one sequence's fp32 KV cache (2 x n_layers x
     * context x kv_dim x 4 bytes, as {@code JvmEngine#kvCacheBytes}) must fit in 90% of the JVM heap that is free now
     * (the same margin {@code JvmEngine#newSession} applies), and one layer's cache must fit one Java array.
     *
     * @return the bound, in positions (at least 1)
     */
    static long maxContextLength(dev.infercost.model.LlamaConfig c, Runtime rt) {
        long perPosition = 2L * c.nLayers() * c.kvDim() * 4L;
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long byMemory = (long) (free * 0.9) / Math.max(1, perPosition);
        long byArray = (Integer.MAX_VALUE - 16L) / Math.max(1, c.kvDim());
        return Math.max(1, Math.min(byMemory, byArray));
    }

    /**
     * @throws BadInputException when {@code requested} positions exceed {@link #maxContextLength}, naming the limit
     *         and what sets it (exit 2), like {@code run --context} beyond the model's seq_len
     */
    static void checkContextLength(int requested, dev.infercost.model.LlamaConfig c, String model, Runtime rt) {
        long max = maxContextLength(c, rt);
        if (requested > max) {
            double gib = 2.0 * c.nLayers() * c.kvDim() * 4.0 * requested / 1073741824.0;
            throw new BadInputException(String.format(Locale.ROOT,
                    "--context-length %d: expected 1..%d for model %s (its file says context length %d): its fp32 KV cache for one sequence needs %.1f GiB, "
                            + "the JVM heap allows %d positions (raise -Xmx via INFERCOST_JAVA_OPTS for more)",
                    requested, max, model, c.seqLen(), gib, max));
        }
    }

    @Override
    public Integer call() throws IOException {
        // run.c silently replaces out-of-range values; infercost rejects them (bad input gets a clear error).
        if (contextLength < 0) throw new BadInputException("--context-length must be >= 0, got " + contextLength);
        if (!(temperature >= 0)) throw new BadInputException("--temperature " + temperature + ": expected >= 0 (0 = greedy)");
        if (!(topp >= 0 && topp <= 1)) throw new BadInputException("--topp " + topp + ": expected a probability mass in [0,1]");
        if (steps < 0) throw new BadInputException("--steps " + steps + ": expected >= 0 (0 = the model's context length)");
        if (threads < 0) throw new BadInputException("--threads " + threads + ": expected >= 0 (0 = all processors)");
        if (!(warmupS >= 0 && warmupS <= 600)) throw new BadInputException("--warmup-s " + warmupS + ": expected seconds in [0, 600]");
        OptionChecks.threads(threads);
        LlamaModel m = Models.load(model, tokenizer);
        if (contextLength > 0) {
            checkContextLength(contextLength, m.config(), m.info().name(), Runtime.getRuntime());
            if (contextLength > m.config().seqLen())
                System.err.println("infercost: note: --context-length " + contextLength + " is above the context length in the model file "
                        + m.config().seqLen() + "; positions past it are RoPE extrapolation (llama.cpp warns the same way)");
            m = Models.withContextLength(m, contextLength);
        }
        if (seed <= 0) seed = System.currentTimeMillis() / 1000;
        int seqLen = m.config().seqLen();
        if (steps > seqLen)
            System.err.println("infercost: --steps " + steps + " clamped to the model's context length " + seqLen
                    + " (as run.c does" + (m.info().format().equals("gguf") ? "; a GGUF's context_length can be raised with --context-length" : "") + ")");
        if (steps == 0 || steps > seqLen) steps = seqLen;
        dev.infercost.workload.PromptFileValidator.checkLength("--prompt", prompt, m.tokenizer(), seqLen); // never tokenise past the context
        try (Engine engine = Engines.require(backend).open(m, new EngineOptions(threads, device, Map.of()))) {
            Warmup w = warmUp(engine, m.tokenizer(), prompt, steps, warmupS);
            run(engine, m.tokenizer(), prompt, steps, new Sampler(m.config().vocabSize(), temperature, topp, seed), System.out, System.err);
            System.err.println(w.steps() == 0
                    ? "infercost: achieved tok/s is the cold-JVM figure (no warm-up: --warmup-s 0); it includes JIT compilation"
                    : String.format(Locale.ROOT, "infercost: achieved tok/s is the steady-state figure, after %.1f s of throw-away decoding (%d steps, %d passes); --warmup-s 0 gives the cold figure",
                            w.seconds(), w.steps(), w.passes()));
        }
        return 0;
    }

    /** What {@link #warmUp} ran: decode steps, whole passes and wall seconds. */
    record Warmup(long steps, int passes, double seconds) {}

    /**
     * Decodes {@code prompt} greedily in throw-away sessions of the same length as the real run, pass after pass,
     * until {@code seconds} have passed (at most 100,000 passes), so the engine's kernels are JIT-compiled before the
     * timed run. Uses its own argmax, never the caller's sampler, so seeded sampling is unchanged.
     *
     * @param seconds wall seconds to spend, >= 0 (0 = none)
     * @return what was run
     */
    /** Decode steps the warm-up runs at least (unless 10 x --warmup-s pass first). */
    static final int MIN_WARMUP_STEPS = 32;

    static Warmup warmUp(Engine engine, Tokenizer tok, String prompt, int steps, double seconds) {
        if (seconds <= 0) return new Warmup(0, 0, 0);
        int vocab = engine.config().vocabSize();
        int[] p = tok.encode(prompt, true, false);
        if (p.length < 1) return new Warmup(0, 0, 0);
        int pre = Math.min(p.length, steps);
        float[] logits = new float[vocab];
        // at least `seconds`, and at least MIN_WARMUP_STEPS decode steps unless 10 x `seconds` have passed: on a 110M
        // model under load the first, still interpreted, step alone took the whole 2 s, so the "steady-state" run that
        // followed was not
        long t0 = System.nanoTime(), deadline = t0 + (long) (seconds * 1e9), hard = t0 + (long) (10 * seconds * 1e9), total = 0;
        int passes = 0;
        int[] slot = {0}, tk = new int[1], ps = new int[1];
        int minSteps = pre < steps ? MIN_WARMUP_STEPS : 0; // a prompt that fills the context leaves no step to decode
        java.util.function.LongPredicate more = tot -> {
            long now = System.nanoTime();
            return now < deadline || (tot < minSteps && now < hard);
        };
        while (more.test(total) && passes < 100_000) {
            try (DecodeSession s = engine.newSession(1, steps)) {
                s.prefill(0, java.util.Arrays.copyOf(p, pre), 0, logits);
                // positions 0..pre-1 are in the cache; each step feeds the argmax token at the next position
                for (int pos = pre; pos < steps && more.test(total); pos++) {
                    tk[0] = argmax(logits);
                    ps[0] = pos;
                    s.decode(1, slot, tk, ps, logits);
                    total++;
                }
            }
            passes++;
        }
        return new Warmup(total, passes, (System.nanoTime() - t0) / 1e9);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /**
     * The generation loop (run.c {@code generate}), writing pieces to {@code out} and the tok/s line to {@code err}.
     *
     * @return number of forward positions run (run.c's final pos)
     */
    public static int run(Engine engine, Tokenizer tok, String prompt, int steps, Sampler sampler, OutputStream out, PrintStream err) throws IOException {
        int vocab = engine.config().vocabSize();
        int[] p = tok.encode(prompt, true, false);
        if (p.length < 1) throw new BadInputException("prompt encodes to no tokens");
        int pre = Math.min(p.length, steps);
        float[] logits = new float[vocab];
        int pos = 0;
        long start = 0;
        try (DecodeSession s = engine.newSession(1, steps)) {
            int[] prefix = java.util.Arrays.copyOf(p, pre);
            s.prefill(0, prefix, 0, logits);
            dev.infercost.model.ModelFileValidator.requireFiniteLogits(logits, vocab, pre - 1, engine.model().source());
            int token = p[0];
            if (token != tok.bos()) print(out, tok, tok.decodePiece(-1, token)); // no BOS (e.g. Qwen2): the first prompt token is text
            int[] slot = {0}, tk = new int[1], ps = new int[1];
            // run.c parity for llama2.c checkpoints: run.c stops only when BOS (its sequence delimiter) is sampled and
            // prints EOS's piece; every other model stops at its tokenizer's end-of-generation ids
            java.util.function.IntPredicate ends = engine.model().format().equals("llama2c")
                    ? t -> t == tok.bos() : tok::isEndOfGeneration;
            boolean stop = false;
            while (pos < pre) {
                int next = pos < p.length - 1 ? p[pos + 1] : sampler.sample(logits, 0);
                pos++;
                if (ends.test(next)) { stop = true; break; }
                print(out, tok, tok.decodePiece(token, next));
                token = next;
            }
            start = System.nanoTime();
            int timedFrom = pos;
            while (!stop && pos < steps) {
                tk[0] = token;
                ps[0] = pos;
                s.decode(1, slot, tk, ps, logits);
                dev.infercost.model.ModelFileValidator.requireFiniteLogits(logits, vocab, pos, engine.model().source());
                int next = sampler.sample(logits, 0);
                pos++;
                if (ends.test(next)) break;
                print(out, tok, tok.decodePiece(token, next));
                token = next;
            }
            out.write('\n');
            out.flush();
            int timed = pos - timedFrom;
            if (timed > 0) {
                double secs = (System.nanoTime() - start) / 1e9;
                err.printf(Locale.ROOT, "achieved tok/s: %f%n", timed / secs);
            }
        }
        return pos;
    }

    private static void print(OutputStream out, Tokenizer tok, byte[] piece) throws IOException {
        // run.c safe_printf for SentencePiece pieces; a byte-level piece may be part of a UTF-8 character
        if (tok instanceof BpeTokenizer ? !BpeTokenizer.printable(piece) : piece.length == 0) return;
        int end = 0;
        while (end < piece.length && piece[end] != 0) end++;
        out.write(piece, 0, end);
        out.flush();
    }
}
