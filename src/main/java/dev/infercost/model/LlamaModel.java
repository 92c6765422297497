package dev.infercost.model;

/**
 * A loaded Llama-family decoder: config, weights, tokenizer, provenance, and how it rotates positions.
 * {@code rope} is {@link Rope#plain} for llama2.c files and presets; GGUF files may carry RoPE scaling
 * (see {@link GgufLoader}). Engines that cannot apply a non-plain {@link Rope} must refuse the model
 * ({@link #requirePlainRope}).
 */
public record LlamaModel(ModelInfo info, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer, Rope rope) {
    /** A model with plain RoPE at the config's theta. */
    public LlamaModel(ModelInfo info, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer) {
        this(info, config, weights, tokenizer, Rope.plain(config.ropeTheta()));
    }

    /** The same model with another config (e.g. a shorter seq_len), everything else kept. */
    public LlamaModel withConfig(LlamaConfig c) { return new LlamaModel(info, c, weights, tokenizer, rope); }

    /** The same model with another tokenizer. */
    public LlamaModel withTokenizer(Tokenizer t) { return new LlamaModel(info, config, weights, t, rope); }

    /**
     * @throws dev.infercost.BadInputException when this model's RoPE is not plain and {@code backend} cannot apply it
     */
    public void requirePlainRope(String backend) {
        if (!rope.isPlain())
            throw new dev.infercost.BadInputException(info.source() + ": RoPE " + rope.describe() + " is not supported by the " + backend
                    + " backend (it would generate wrong text); use --backend jvm");
    }
}
