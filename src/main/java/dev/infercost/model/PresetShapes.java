package dev.infercost.model;

import dev.infercost.BadInputException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named architectures (shapes only) of real Llama-family models, for presets with synthetic weights and
 * for cost projections where only shapes matter. Sources: llama2.c README model table (stories*),
 * Hugging Face config.json of meta-llama/Llama-3.2-1B, Llama-3.2-3B, Llama-3.1-8B, Llama-3.1-70B
 * (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
 * vocab_size, max_position_embeddings, rope_theta, rms_norm_eps, tie_word_embeddings).
 * Llama 3's rope_scaling ("llama3" type) is not modelled: synthetic weights make it irrelevant to cost.
 */
public final class PresetShapes {
    private PresetShapes() {}

    private static final Map<String, LlamaConfig> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("stories15M", new LlamaConfig(288, 768, 6, 6, 6, 32000, 256, 10000f, 1e-5f, true));
        SHAPES.put("stories42M", new LlamaConfig(512, 1376, 8, 8, 8, 32000, 1024, 10000f, 1e-5f, true));
        SHAPES.put("stories110M", new LlamaConfig(768, 2048, 12, 12, 12, 32000, 1024, 10000f, 1e-5f, true));
        SHAPES.put("llama-3.2-1b", new LlamaConfig(2048, 8192, 16, 32, 8, 128256, 131072, 500000f, 1e-5f, true));
        SHAPES.put("llama-3.2-3b", new LlamaConfig(3072, 8192, 28, 24, 8, 128256, 131072, 500000f, 1e-5f, true));
        SHAPES.put("llama-3.1-8b", new LlamaConfig(4096, 14336, 32, 32, 8, 128256, 131072, 500000f, 1e-5f, false));
        SHAPES.put("llama-3.1-70b", new LlamaConfig(8192, 28672, 80, 64, 8, 128256, 131072, 500000f, 1e-5f, false));
        // meta-llama/Llama-3.1-405B config.json: hidden 16384, intermediate 53248, 126 layers, 128 heads, 8 KV heads
        SHAPES.put("llama-3.1-405b", new LlamaConfig(16384, 53248, 126, 128, 8, 128256, 131072, 500000f, 1e-5f, false));
    }

    /** Known preset names, in a stable order. */
    public static java.util.Set<String> names() { return java.util.Collections.unmodifiableSet(SHAPES.keySet()); }

    /**
     * The shape of preset {@code name} (case-insensitive; a "preset:" prefix is allowed).
     *
     * @throws BadInputException for an unknown name (message lists the known ones)
     */
    public static LlamaConfig config(String name) {
        String n = name.startsWith("preset:") ? name.substring(7) : name;
        for (Map.Entry<String, LlamaConfig> e : SHAPES.entrySet())
            if (e.getKey().equalsIgnoreCase(n)) return e.getValue();
        throw new BadInputException("unknown preset '" + name + "'; known presets: " + String.join(", ", SHAPES.keySet()));
    }

    /** The canonical spelling of a preset name, or null if unknown. */
    public static String canonical(String name) {
        String n = name.startsWith("preset:") ? name.substring(7) : name;
        for (String k : SHAPES.keySet()) if (k.equalsIgnoreCase(n)) return k;
        return null;
    }
}
