package dev.infercost.measure.loadgen;

import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.ModelInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deterministic engine whose timing is known exactly: each prefill call advances a {@link ManualClock} by
 * {@code prefillPerTokenNs} per prompt token, each decode step by {@code decodeStepNs} + {@code decodePerSeqNs}
 * per sequence. The next token is 3 + (input token + position) mod (vocab - 3), or EOS (2) when the decoded
 * position equals {@code eosAtPosition}. Every call is logged.
 */
final class FakeEngine implements Engine {
    final ManualClock clock;
    final long prefillPerTokenNs, decodeStepNs, decodePerSeqNs;
    int eosAtPosition = -1;
    final List<String> log = new ArrayList<>();
    static final LlamaConfig CONFIG = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 10000f, 1e-5f, true);

    FakeEngine(ManualClock clock, long prefillPerTokenNs, long decodeStepNs, long decodePerSeqNs) {
        this.clock = clock; this.prefillPerTokenNs = prefillPerTokenNs; this.decodeStepNs = decodeStepNs; this.decodePerSeqNs = decodePerSeqNs;
    }

    @Override public String backend() { return "fake"; }
    @Override public String device() { return "cpu (fake)"; }
    @Override public LlamaConfig config() { return CONFIG; }
    @Override public ModelInfo model() { return new ModelInfo("fake", "preset", "preset:fake", true, "F32", 4L * CONFIG.parameterCount()); }

    int next(int token, int position) {
        if (position == eosAtPosition) return 2;
        return 3 + Math.floorMod(token + position, CONFIG.vocabSize() - 3);
    }

    @Override
    public DecodeSession newSession(int maxBatch, int maxContext) {
        return new DecodeSession() {
            final int[] filled = new int[maxBatch];

            @Override public int maxBatch() { return maxBatch; }
            @Override public int maxContext() { return maxContext; }

            @Override public void prefill(int slot, int[] tokens, int startPos, float[] logitsOut) {
                if (startPos != filled[slot] && startPos != 0) throw new IllegalStateException("slot " + slot + " prefill at " + startPos + " but holds " + filled[slot]);
                filled[slot] = startPos + tokens.length;
                log.add("prefill slot=" + slot + " pos=" + startPos + " n=" + tokens.length + " t=" + clock.nanoTime());
                clock.advance(prefillPerTokenNs * tokens.length);
                Arrays.fill(logitsOut, 0, CONFIG.vocabSize(), 0f);
                int last = startPos + tokens.length - 1;
                logitsOut[next(tokens[tokens.length - 1], last)] = 1f;
            }

            @Override public void decode(int n, int[] slots, int[] tokens, int[] positions, float[] logitsOut) {
                StringBuilder sb = new StringBuilder("decode n=" + n + " t=" + clock.nanoTime());
                for (int i = 0; i < n; i++) {
                    if (positions[i] != filled[slots[i]]) throw new IllegalStateException("slot " + slots[i] + " decode at " + positions[i] + " but holds " + filled[slots[i]]);
                    filled[slots[i]]++;
                    sb.append(" ").append(slots[i]).append('@').append(positions[i]);
                }
                log.add(sb.toString());
                clock.advance(decodeStepNs + decodePerSeqNs * n);
                int v = CONFIG.vocabSize();
                Arrays.fill(logitsOut, 0, n * v, 0f);
                for (int i = 0; i < n; i++) logitsOut[i * v + next(tokens[i], positions[i])] = 1f;
            }

            @Override public void close() {}
        };
    }

    @Override public void close() {}
}
