package dev.infercost.engine.jvm;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.engine.Engines;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.model.TestModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batched decode, prefill and threading give the same logits as the single-sequence token-by-token path. */
class JvmEngineTest {
    static Engine open(LlamaModel m, int threads) {
        return Engines.require("jvm").open(m, new EngineOptions(threads, null, Map.of()));
    }

    /** Logits after feeding tokens one at a time through decode(n=1) in slot 0 of a fresh session. */
    static float[][] tokenByToken(Engine e, int[] toks) {
        int V = e.config().vocabSize();
        float[][] out = new float[toks.length][V];
        try (DecodeSession s = e.newSession(1, toks.length)) {
            for (int p = 0; p < toks.length; p++) s.decode(1, new int[]{0}, new int[]{toks[p]}, new int[]{p}, out[p]);
        }
        return out;
    }

    static void assertClose(float[] exp, float[][] act, int row, double rel, String what) {
        assertClose(exp, act[row], 0, rel, what);
    }

    /**
     * max_i |exp_i - act_i| <= rel * max_i |exp_i|. Vector lane reductions may be summed in another order by
     * interpreted and compiled code, so logits agree to ~1e-7 relative, not bitwise.
     */
    static void assertClose(float[] exp, float[] act, int off, double rel, String what) {
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < exp.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(exp[i]));
            maxDiff = Math.max(maxDiff, Math.abs(exp[i] - act[off + i]));
        }
        assertTrue(maxDiff <= rel * maxAbs, what + ": max |diff| " + maxDiff + " > " + rel + " x max|logit| " + maxAbs);
    }

    @Test
    void providerIsRegisteredAndAvailable() {
        EngineProvider p = Engines.require("jvm");
        assertEquals("jvm", p.backend());
        assertTrue(p.availability().available(), p.availability().detail());
    }

    @Test
    void batchedDecodeAtDifferentPositionsEqualsSingleSequence() {
        LlamaModel m = TestModels.stories260K();
        int V = m.config().vocabSize();
        int[][] seqs = new int[5][];
        for (int s = 0; s < seqs.length; s++) {
            seqs[s] = new int[12 + 3 * s];
            for (int i = 0; i < seqs[s].length; i++) seqs[s][i] = i == 0 ? 1 : 3 + (s * 97 + i * 31) % (V - 3);
        }
        try (Engine e = open(m, 1)) {
            float[][][] ref = new float[seqs.length][][];
            for (int s = 0; s < seqs.length; s++) ref[s] = tokenByToken(e, seqs[s]);
            // all 5 sequences decoded together, each at its own position (they start at different steps),
            // slot numbers shuffled
            int[] slotOf = {3, 0, 4, 1, 2};
            try (DecodeSession ds = e.newSession(5, 64)) {
                int[] next = new int[5];
                int[] start = {0, 2, 5, 1, 7};
                float[] logits = new float[5 * V];
                for (int step = 0; step < 40; step++) {
                    int n = 0;
                    int[] slots = new int[5], toks = new int[5], pos = new int[5], who = new int[5];
                    for (int s = 0; s < 5; s++) {
                        int p = step - start[s];
                        if (p < 0 || p >= seqs[s].length) continue;
                        slots[n] = slotOf[s]; toks[n] = seqs[s][p]; pos[n] = p; who[n] = s; n++;
                    }
                    if (n == 0) continue;
                    ds.decode(n, slots, toks, pos, logits);
                    for (int i = 0; i < n; i++) {
                        assertClose(ref[who[i]][pos[i]], logits, i * V, 1e-5, "seq " + who[i] + " pos " + pos[i] + " in batch of " + n);
                        next[who[i]]++;
                    }
                }
                for (int s = 0; s < 5; s++) assertEquals(seqs[s].length, next[s]);
            }
        }
    }

    @Test
    void prefillEqualsTokenByToken() {
        LlamaModel m = TestModels.stories260K();
        int V = m.config().vocabSize();
        int[] toks = new int[70]; // longer than one prefill chunk (32)
        for (int i = 0; i < toks.length; i++) toks[i] = i == 0 ? 1 : 3 + (i * 37) % (V - 3);
        try (Engine e = open(m, 1)) {
            float[][] ref = tokenByToken(e, toks);
            float[] got = new float[V];
            try (DecodeSession s = e.newSession(2, 128)) {
                s.prefill(1, toks, 0, got);
                assertClose(ref[toks.length - 1], got, 0, 1e-5, "prefill of 70 tokens");
                // continue decoding after a prefill, and prefill from a nonzero start position
                s.prefill(0, Arrays.copyOf(toks, 40), 0, got);
                s.prefill(0, Arrays.copyOfRange(toks, 40, 70), 40, got);
                assertClose(ref[69], got, 0, 1e-5, "prefill in two parts");
            }
        }
    }

    @Test
    void twoThreadsGiveTheSameLogits() {
        LlamaModel m = Models.load("stories15M", null);
        int[] toks = {1, 300, 4000, 17, 25000, 9};
        try (Engine e1 = open(m, 1); Engine e2 = open(m, 2)) {
            float[][] a = tokenByToken(e1, toks), b = tokenByToken(e2, toks);
            // same arithmetic per row; only the JIT state (interpreted vs compiled lane reductions) can move the last bits
            for (int p = 0; p < toks.length; p++) assertClose(a[p], b, p, 1e-5, "pos " + p);
            assertTrue(e2.device().contains("2 threads"), e2.device());
        }
    }

    @Test
    void sessionSizeIsValidated() {
        LlamaModel m = TestModels.stories260K();
        try (Engine e = open(m, 1)) {
            BadInputException ctx = assertThrows(BadInputException.class, () -> e.newSession(1, 513));
            assertTrue(ctx.getMessage().contains("513") && ctx.getMessage().contains("512"), ctx.getMessage());
            LlamaModel big = Models.load("stories110M", null);
            try (Engine eb = open(big, 1)) {
                // 2 x 12 layers x 100000 slots x 1024 positions x 768 x 4 bytes is far beyond any heap
                BadInputException mem = assertThrows(BadInputException.class, () -> eb.newSession(100_000, 1024));
                assertTrue(mem.getMessage().startsWith("batch too large for memory: needs "), mem.getMessage());
            }
        }
    }

    @Test
    void sessionsOfOneEngineCanRunOnTwoThreadsAtOnce() throws Exception {
        LlamaModel m = Models.load("stories15M", null);
        int[] toks = {1, 300, 4000, 17, 25000, 9, 12, 13};
        try (Engine e = open(m, 2)) {
            float[][] ref = tokenByToken(e, toks);
            java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.List<java.util.concurrent.Future<float[][]>> fs = new java.util.ArrayList<>();
                for (int k = 0; k < 2; k++) fs.add(ex.submit(() -> tokenByToken(e, toks)));
                for (var f : fs) {
                    float[][] got = f.get();
                    for (int p = 0; p < toks.length; p++) assertClose(ref[p], got, p, 1e-5, "pos " + p);
                }
            } finally {
                ex.shutdown();
            }
        }
    }
}
