package dev.infercost.engine;

import java.util.Arrays;

/**
 * Token sampler of llama2.c run.c (GitHub karpathy/llama2.c, run.c {@code sample}): greedy argmax when
 * temperature is 0; otherwise logits / temperature, softmax, a coin from run.c's xorshift* generator
 * ({@code random_f32}), then multinomial sampling, or top-p (nucleus) sampling when 0 &lt; topp &lt; 1 (candidates
 * with p &gt;= (1 - topp) / (n - 1), sorted by p descending, cut after the cumulative mass exceeds topp).
 * With the same seed the coin sequence is run.c's, so sampled text can match run.c's.
 */
public final class Sampler {
    private final int vocab;
    private final float temperature, topp;
    private long state;
    private final long[] keys;

    /**
     * @param temperature 0 = greedy
     * @param topp        nucleus mass; outside (0, 1) = plain multinomial sampling
     * @param seed        rng state (run.c: unsigned long long rng_seed, must be non-zero)
     */
    public Sampler(int vocab, float temperature, float topp, long seed) {
        this.vocab = vocab;
        this.temperature = temperature;
        this.topp = topp;
        this.state = seed;
        this.keys = new long[vocab];
    }

    /** run.c random_u32: xorshift64* output, upper 32 bits. */
    int randomU32() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        return (int) ((state * 0x2545F4914F6CDD1DL) >>> 32);
    }

    /** run.c random_f32: uniform in [0, 1) from the top 24 bits. */
    float randomF32() {
        return (randomU32() >>> 8) / 16777216.0f;
    }

    /** Index of the largest value (first on ties), as run.c sample_argmax. */
    public static int argmax(float[] p, int off, int n) {
        int best = 0;
        float max = p[off];
        for (int i = 1; i < n; i++) if (p[off + i] > max) { max = p[off + i]; best = i; }
        return best;
    }

    /** Samples a token from logits[off..off+vocab); modifies them in place (as run.c does). */
    public int sample(float[] logits, int off) {
        if (temperature == 0.0f) return argmax(logits, off, vocab);
        for (int i = 0; i < vocab; i++) logits[off + i] /= temperature;
        float max = logits[off];
        for (int i = 1; i < vocab; i++) if (logits[off + i] > max) max = logits[off + i];
        float sum = 0f;
        for (int i = 0; i < vocab; i++) {
            logits[off + i] = (float) Math.exp(logits[off + i] - max);
            sum += logits[off + i];
        }
        for (int i = 0; i < vocab; i++) logits[off + i] /= sum;
        float coin = randomF32();
        if (topp <= 0 || topp >= 1) {
            float cdf = 0f;
            for (int i = 0; i < vocab; i++) {
                cdf += logits[off + i];
                if (coin < cdf) return i;
            }
            return vocab - 1;
        }
        int n0 = 0;
        float cutoff = (1.0f - topp) / (vocab - 1);
        for (int i = 0; i < vocab; i++)
            if (logits[off + i] >= cutoff) keys[n0++] = ((long) Float.floatToRawIntBits(logits[off + i]) << 32) | (0xFFFFFFFFL - i);
        // descending by probability (positive floats order like their bits); ties: lower id first
        Arrays.sort(keys, 0, n0);
        float cum = 0f;
        int last = n0 - 1;
        for (int j = 0; j < n0; j++) {
            cum += prob(keys[n0 - 1 - j]);
            if (cum > topp) { last = j; break; }
        }
        float r = coin * cum;
        float cdf = 0f;
        for (int j = 0; j <= last; j++) {
            cdf += prob(keys[n0 - 1 - j]);
            if (r < cdf) return id(keys[n0 - 1 - j]);
        }
        return id(keys[n0 - 1 - last]);
    }

    private static float prob(long key) { return Float.intBitsToFloat((int) (key >>> 32)); }

    private static int id(long key) { return (int) (0xFFFFFFFFL - (key & 0xFFFFFFFFL)); }
}
