package dev.infercost.workload;

/**
 * One request of a workload, as token ids (counts come from these ids, never from re-tokenised text).
 *
 * @param id              index in the workload pool
 * @param prompt          prompt token ids, BOS first, length = ISL
 * @param maxOutputTokens OSL: tokens to generate (exactly this many when {@code ignoreEos})
 * @param ignoreEos       keep generating past EOS/BOS so the output length is fixed
 */
public record RequestSpec(int id, int[] prompt, int maxOutputTokens, boolean ignoreEos) {
    public int inputTokens() { return prompt.length; }
}
