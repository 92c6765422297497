package dev.infercost.model;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * A loaded Llama-family decoder: config, weights, tokenizer, provenance, how it rotates positions, and the GGUF
 * {@code general.architecture} it came from ("llama" for llama2.c files and presets; "qwen2", "qwen3", "phi3"
 * from {@link GgufLoader}). {@code rope} is {@link Rope#plain} for llama2.c files and presets; GGUF files may carry
 * RoPE scaling or NEOX-style rotation. Engines that run only the plain Llama graph must refuse anything else
 * ({@link #requireLlamaGraph}).
 */
public record LlamaModel(ModelInfo info, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer, Rope rope,
                         String architecture) {
    /** A llama-architecture model with the given RoPE. */
    public LlamaModel(ModelInfo info, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer, Rope rope) {
        this(info, config, weights, tokenizer, rope, "llama");
    }

    /** A model with plain RoPE at the config's theta. */
    public LlamaModel(ModelInfo info, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer) {
        this(info, config, weights, tokenizer, Rope.plain(config.ropeTheta()));
    }

    /** The same model with another config (e.g. a shorter seq_len), everything else kept. */
    public LlamaModel withConfig(LlamaConfig c) { return new LlamaModel(info, c, weights, tokenizer, rope, architecture); }

    /** The same model with another tokenizer. */
    public LlamaModel withTokenizer(Tokenizer t) { return new LlamaModel(info, config, weights, t, rope, architecture); }

    /**
     * @throws BadInputException when this model's RoPE is not plain and {@code backend} cannot apply it
     */
    public void requirePlainRope(String backend) {
        if (!rope.isPlain())
            throw new BadInputException(info.source() + ": RoPE " + rope.describe() + " is not supported by the " + backend
                    + " backend (it would generate wrong text); use --backend jvm");
    }

    /**
     * What this model needs beyond llama2.c's graph (plain adjacent-pair RoPE, no biases, no Q/K norms, head width
     * dim / heads), e.g. {@code [NEOX RoPE, Q/K/V biases]}; empty for a plain Llama model.
     */
    public List<String> graphExtras() {
        List<String> x = new ArrayList<>();
        if (rope.neox()) x.add("NEOX RoPE");
        if (rope.freqFactors() != null || rope.freqScale() != 1f) x.add("RoPE " + rope.describe());
        if (weights != null && weights.hasBiases()) x.add("attention biases");
        if (weights != null && weights.hasQkNorm()) x.add("Q/K RMSNorm");
        if (config.customHeadDim()) x.add("head_dim " + config.headSize() + " != dim/heads");
        return x;
    }

    /**
     * For backends that run only the plain Llama graph (llama2.c's run.c): refuses a model of another architecture,
     * or with anything listed by {@link #graphExtras}, naming the architecture, the file and what is missing.
     *
     * @throws BadInputException when {@code backend} cannot run this model exactly
     */
    public void requireLlamaGraph(String backend) {
        if (!"llama".equals(architecture))
            throw new BadInputException(info.source() + ": architecture " + architecture + " (" + String.join(", ", graphExtras())
                    + ") is not supported by " + backend + ", which runs the llama graph only" + jvmHint(backend));
        List<String> x = graphExtras();
        if (!x.isEmpty())
            throw new BadInputException(info.source() + ": " + String.join(", ", x) + " not supported by " + backend
                    + " (it would generate wrong text)" + jvmHint(backend));
    }

    /** The hint after a refusal: a backend refusal points at the jvm backend; an export has no such alternative. */
    private static String jvmHint(String backend) {
        return backend.contains("export") ? " (the jvm backend runs this model; it cannot be exported to this format)"
                : "; the jvm backend runs it";
    }
}
