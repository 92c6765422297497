package dev.infercost.engine;

/**
 * KV cache plus scratch buffers for up to {@link #maxBatch()} sequences ("slots"). Each slot holds one
 * sequence's KV cache; sequences in a decode step may be at different positions (continuous batching).
 * Logits are fp32, row-major {@code [n, vocab]}.
 */
public interface DecodeSession extends AutoCloseable {
    int maxBatch();

    int maxContext();

    /**
     * Prefill: runs {@code tokens} of one slot at positions {@code startPos .. startPos+tokens.length-1},
     * filling the slot's KV cache, and writes the logits of the last token into {@code logitsOut[0..vocab)}.
     */
    void prefill(int slot, int[] tokens, int startPos, float[] logitsOut);

    /**
     * One decode step for {@code n} sequences: sequence i lives in {@code slots[i]}, feeds {@code tokens[i]}
     * at position {@code positions[i]} (its KV cache holds positions 0..positions[i]-1). Writes logits
     * {@code [n, vocab]} into {@code logitsOut}.
     */
    void decode(int n, int[] slots, int[] tokens, int[] positions, float[] logitsOut);

    /**
     * Greedy decode step: as {@link #decode} but writes argmax token ids into {@code nextOut[0..n)}.
     * Backends with device-side argmax override this so only token ids cross the bus.
     */
    default void decodeGreedy(int n, int[] slots, int[] tokens, int[] positions, int[] nextOut, float[] scratchLogits) {
        decode(n, slots, tokens, positions, scratchLogits);
        int vocab = scratchLogits.length / Math.max(1, maxBatch());
        for (int i = 0; i < n; i++) {
            int best = 0;
            float bv = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                float x = scratchLogits[i * vocab + v];
                if (x > bv) { bv = x; best = v; }
            }
            nextOut[i] = best;
        }
    }

    @Override
    void close();
}
