package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.model.Footprint;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.PresetShapes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape facts a serving projection needs, for dense and mixture-of-experts (MoE) decoders.
 *
 * <p>Parameter counts are matmul parameters (what a token multiplies by; the input-embedding lookup reads
 * only one row per token and is left out; a classifier tied to the embedding is counted once, as the
 * classifier). For an MoE model the routed experts hold {@code routedParams} in total ({@code experts} per
 * MoE layer, summed over layers); a token uses {@code topK} of them, so
 * {@code activeParams = denseParams + topK x routedParams / experts}.
 *
 * @param name               preset name, e.g. "llama-3.1-70b", "deepseek-v3"
 * @param layers             transformer layers
 * @param dim                hidden size (activation width carried between layers, for all-reduce bytes)
 * @param attnDim            query width n_heads x head_dim (for attention FLOPs 4 x layers x ctx x attnDim)
 * @param kvElementsPerToken KV-cache elements one position stores across all layers (2 x layers x kv_heads x
 *                           head_dim for GQA; (kv_lora_rank + rope_dim) x layers for DeepSeek's MLA)
 * @param denseParams        matmul parameters every token uses (attention, dense FFNs, shared experts, router, classifier)
 * @param routedParams       matmul parameters of all routed experts together (0 for a dense model)
 * @param experts            routed experts per MoE layer (0 for dense)
 * @param topK               experts each token is routed to (0 for dense)
 * @param totalParamsPublished parameters as the model card states them (incl. embeddings), for display
 * @param source             where the figures come from
 */
public record ModelShape(String name, int layers, int dim, int attnDim, long kvElementsPerToken, double denseParams,
                         double routedParams, int experts, int topK, double totalParamsPublished, String source) {

    public boolean moe() { return experts > 0; }

    /** Matmul parameters one token uses. */
    public double activeParams() { return denseParams + (moe() ? routedParams * topK / experts : 0); }

    /** All matmul parameters (weights resident in memory, less the embedding lookup table when untied). */
    public double residentParams() { return denseParams + routedParams; }

    /**
     * Expected number of distinct experts per MoE layer that {@code tokens} tokens touch in one step, assuming
     * uniform independent routing: E x (1 - (1 - k/E)^tokens). Real routers are skewed, which touches fewer.
     */
    public double expertsTouched(int tokens) {
        if (!moe()) return 0;
        return experts * (1 - Math.pow(1 - (double) topK / experts, tokens));
    }

    /** Weight parameters one decode step over {@code batch} sequences reads: dense part + touched experts. */
    public double paramsReadPerStep(int batch) {
        if (!moe()) return denseParams;
        return denseParams + routedParams * expertsTouched(batch) / experts;
    }

    /** FLOPs for one token at context {@code ctx}: 2 x active params + attention 4 x layers x ctx x attnDim (Kaplan et al. 2020). */
    public double flopsPerToken(double ctx) { return 2.0 * activeParams() + 4.0 * layers * ctx * attnDim; }

    /** A dense Llama shape from its config (tied embeddings counted once, by {@link Footprint#matmulParams}). */
    public static ModelShape dense(String name, LlamaConfig c, String source) {
        return new ModelShape(name, c.nLayers(), c.dim(), c.nHeads() * c.headSize(), Footprint.kvBytesPerPosition(c, 1),
                Footprint.matmulParams(c), 0, 0, 0, c.parameterCount(), source);
    }

    /**
     * An MoE shape from published totals: routed parameters per expert x = (total - active) / (E - k) and dense =
     * active - k x x (both exclusive of the input embedding table of {@code vocab x dim} when untied).
     */
    static ModelShape moe(String name, int layers, int dim, int attnDim, long kvElems, double totalB, double activeB,
                          int experts, int topK, long embeddingParams, String source) {
        double total = totalB * 1e9 - embeddingParams, active = activeB * 1e9 - embeddingParams;
        double perExpert = (total - active) / (experts - topK);
        double dense = active - topK * perExpert;
        return new ModelShape(name, layers, dim, attnDim, kvElems, dense, perExpert * experts, experts, topK, totalB * 1e9, source);
    }

    private static final Map<String, ModelShape> MOE = new LinkedHashMap<>();
    static {
        // DeepSeek-V3 / R1 (same architecture): config.json of deepseek-ai/DeepSeek-V3: 61 layers, hidden 7168, 128 heads
        // x (128 nope + 64 rope) query dims, MLA kv_lora_rank 512 + qk_rope_head_dim 64 cached per layer, 256 routed
        // experts, 8 per token, vocab 129280 untied; 671B total / 37B activated (DeepSeek-V3 technical report, 2024-12).
        MOE.put("deepseek-v3", moe("deepseek-v3", 61, 7168, 128 * 192, 61L * (512 + 64), 671, 37, 256, 8, 129280L * 7168,
                "DeepSeek-V3 technical report (arXiv 2412.19437, 2024-12) and config.json; MLA latent KV cache"));
        MOE.put("deepseek-r1", new ModelShape("deepseek-r1", 61, 7168, 128 * 192, 61L * (512 + 64), MOE.get("deepseek-v3").denseParams(),
                MOE.get("deepseek-v3").routedParams(), 256, 8, 671e9, "same architecture as DeepSeek-V3 (DeepSeek-R1 model card, 2025-01)"));
        // gpt-oss-120b: OpenAI model card (2025-08): 116.8B total, 5.1B active, 36 layers, 128 experts top-4, hidden 2880,
        // 64 query heads x 64, 8 KV heads x 64 (half the layers use a 128-token sliding window: not modelled, KV counted in full).
        MOE.put("gpt-oss-120b", moe("gpt-oss-120b", 36, 2880, 64 * 64, 2L * 36 * 8 * 64, 116.83, 5.13, 128, 4, 201088L * 2880,
                "gpt-oss-120b model card (OpenAI, 2025-08-05) and config.json"));
        // Qwen3-235B-A22B: config.json: 94 layers, hidden 4096, 64 query heads x 128, 4 KV heads x 128, 128 experts top-8,
        // vocab 151936 untied; 235B total / 22B activated (Qwen3 technical report, 2025-05).
        MOE.put("qwen3-235b-a22b", moe("qwen3-235b-a22b", 94, 4096, 64 * 128, 2L * 94 * 4 * 128, 235.09, 22.14, 128, 8, 151936L * 4096,
                "Qwen3 technical report (arXiv 2505.09388, 2025-05) and config.json"));
    }

    /** Names of every projectable shape: the dense presets and the MoE presets. */
    public static List<String> names() {
        List<String> n = new java.util.ArrayList<>(PresetShapes.names());
        n.addAll(MOE.keySet());
        return n;
    }

    /**
     * The shape named {@code name} (case-insensitive; "preset:" prefix allowed). Llama-3.3-70B has Llama-3.1-70B's shape.
     *
     * @throws BadInputException for an unknown name (listing the known ones)
     */
    public static ModelShape of(String name) {
        String n = (name.startsWith("preset:") ? name.substring(7) : name).toLowerCase(Locale.ROOT);
        if (n.equals("llama-3.3-70b")) return dense("llama-3.3-70b", PresetShapes.config("llama-3.1-70b"), "same shape as Llama-3.1-70B (meta-llama/Llama-3.3-70B-Instruct config.json)");
        if (n.equals("deepseek-v3") || n.equals("deepseek-r1") || MOE.containsKey(n)) return MOE.get(n);
        String c = PresetShapes.canonical(n);
        if (c == null) throw new BadInputException("unknown model '" + name + "'; known: " + String.join(", ", names()) + ", llama-3.3-70b");
        return dense(c, PresetShapes.config(c), "Hugging Face config.json of the preset (see PresetShapes)");
    }

    /** Whether {@link #of} knows the name. */
    public static boolean known(String name) {
        try { of(name); return true; } catch (BadInputException e) { return false; }
    }
}
