package dev.infercost.model;

/**
 * Rotary position embedding of a model: the rotation angle of pair i of a head at position p is
 * {@code p * freqScale * theta^(-2i/headSize) / freqFactors[i]}, as llama.cpp computes it
 * (ggml/src/ggml-cpu/ops.cpp {@code ggml_rope_cache_init} and {@code rope_yarn} with ext_factor 0:
 * {@code theta_interp = freq_scale * (p * theta_scale^i / ff[i])}).
 *
 * @param theta       RoPE base ({@code *.rope.freq_base}; 10000 for Llama 2, 500000 for Llama 3)
 * @param freqFactors per-pair divisors from the {@code rope_freqs.weight} tensor (Llama 3.1/3.2 "llama3" scaling),
 *                    length headSize/2, or null for none
 * @param freqScale   1 / {@code *.rope.scaling.factor} for {@code rope.scaling.type = linear} (llama-model.cpp:
 *                    {@code rope_freq_scale_train = 1/ropescale}), else 1
 * @param neox        true for NEOX-style rotation (pairs i and i + headSize/2, e.g. qwen2), false for adjacent pairs
 *                    (2i, 2i+1: llama, as llama2.c)
 */
public record Rope(float theta, float[] freqFactors, float freqScale, boolean neox) {
    /** Plain adjacent-pair RoPE with base {@code theta} (llama2.c run.c). */
    public static Rope plain(float theta) { return new Rope(theta, null, 1f, false); }

    /** True when positions rotate exactly as llama2.c run.c does (no factors, no scaling, adjacent pairs). */
    public boolean isPlain() { return freqFactors == null && freqScale == 1f && !neox; }

    /**
     * Angle per position of each pair, length headSize/2: {@code freqScale * theta^(-2i/headSize) / freqFactors[i]}.
     * The power is taken as llama.cpp's cache does it, by repeated multiplication with
     * {@code theta_scale = theta^(-2/headSize)} in float.
     */
    public float[] frequencies(int headSize) {
        int half = headSize / 2;
        float[] f = new float[half];
        float thetaScale = (float) Math.pow(theta, -2.0 / headSize);
        float t = 1f;
        for (int i = 0; i < half; i++) {
            float ff = freqFactors == null ? 1f : freqFactors[i];
            f[i] = freqScale * (t / ff);
            t *= thetaScale;
        }
        return f;
    }

    /** One line for logs and model descriptions, e.g. {@code theta=500000, rope_freqs factors, linear x4}. */
    public String describe() {
        StringBuilder sb = new StringBuilder("theta=" + (theta == Math.rint(theta) ? Long.toString((long) theta) : Float.toString(theta)));
        if (freqFactors != null) sb.append(", rope_freqs factors");
        if (freqScale != 1f) sb.append(", linear x").append(1f / freqScale);
        if (neox) sb.append(", neox");
        return sb.toString();
    }
}
