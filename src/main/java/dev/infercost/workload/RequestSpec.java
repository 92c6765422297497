package dev.infercost.workload;

/**
 * One request of a workload, as token ids (counts come from these ids, never from re-tokenised text).
 *
 * @param id              index in the workload pool
 * @param prompt          prompt token ids, BOS first, length = ISL
 * @param maxOutputTokens OSL: tokens to generate (exactly this many when {@code ignoreEos})
 * @param ignoreEos       keep generating past EOS/BOS so the output length is fixed
 * @param text            the prompt's text when it came from a file (JSONL, ShareGPT), else null (synthetic ids)
 */
public record RequestSpec(int id, int[] prompt, int maxOutputTokens, boolean ignoreEos, String text) {
    /** A request without source text (synthetic token ids). */
    public RequestSpec(int id, int[] prompt, int maxOutputTokens, boolean ignoreEos) { this(id, prompt, maxOutputTokens, ignoreEos, null); }

    public int inputTokens() { return prompt.length; }
}
