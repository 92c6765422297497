package dev.infercost.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.BadInputException;
import dev.infercost.model.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a serving run sends: prompt and output lengths (fixed or from a seeded distribution) or prompts from a
 * JSONL file, and whether to ignore EOS.
 *
 * <p>Synthetic prompts are BOS followed by uniformly random token ids in {@code [3, vocab)} (ids 0..2 are
 * llama2.c's unk/BOS/EOS), as vLLM's benchmark "random" dataset draws random token ids so that prompt length
 * is exact without any text.
 *
 * <p>ShareGPT JSON (a {@code .json} file holding an array, the format of the ShareGPT_V3 dataset that vLLM bench
 * and GuideLLM read): each entry's {@code conversations} array, first turn (the human's {@code value}) as the
 * prompt and the second turn's token count as OSL, as vLLM's benchmark_serving does; entries with fewer than
 * two turns, or whose prompt + reply does not fit the context, are skipped (an error only when none is left).
 *
 * <p>JSONL: one object per line with {@code "prompt"} (text, required) and optionally {@code "output_tokens"}
 * or {@code "max_tokens"} (OSL for that request; default: a draw from the OSL distribution). Prompts are
 * encoded once with the model's tokenizer (BOS added); lengths are those token counts.
 *
 * @param isl        input length distribution (ignored for JSONL prompts)
 * @param osl        output length distribution
 * @param seed       random seed for lengths and synthetic token ids
 * @param ignoreEos  generate exactly OSL tokens
 * @param promptFile JSONL prompts, or null for synthetic prompts
 */
public record Workload(LengthDistribution isl, LengthDistribution osl, long seed, boolean ignoreEos, Path promptFile) {

    /** Largest context (ISL + OSL) a request of this workload can need, before clipping to the model. */
    public int maxContextNeeded() { return isl.upperBound() + osl.upperBound(); }

    /**
     * Builds {@code n} requests.
     *
     * @param vocab      model vocabulary size
     * @param bos        BOS id (first prompt token)
     * @param tokenizer  model tokenizer (needed only for JSONL prompts; may be null otherwise)
     * @param maxContext context limit: ISL is clipped so ISL + OSL fits; JSONL prompts longer than it are an error
     * @throws BadInputException unreadable or malformed JSONL (file, line and field named)
     */
    public List<RequestSpec> build(int n, int vocab, int bos, Tokenizer tokenizer, int maxContext) {
        Random rnd = new Random(seed);
        List<RequestSpec> out = new ArrayList<>(n);
        if (promptFile != null) {
            List<int[]> prompts = new ArrayList<>();
            List<Integer> osls = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            if (isShareGpt()) readShareGpt(tokenizer, maxContext, prompts, osls, texts);
            else readJsonl(tokenizer, maxContext, rnd, prompts, osls, texts);
            for (int i = 0; i < n; i++) {
                int k = i % prompts.size();
                int[] p = prompts.get(k);
                out.add(new RequestSpec(i, p, Math.max(1, Math.min(osls.get(k), maxContext - p.length)), ignoreEos, texts.get(k)));
            }
            return out;
        }
        if (vocab <= 3) throw new BadInputException("vocab_size " + vocab + " too small for synthetic prompts");
        for (int i = 0; i < n; i++) {
            int o = osl.sample(rnd, maxContext - 1);
            int l = isl.sample(rnd, maxContext - o);
            int[] p = new int[l];
            p[0] = bos;
            for (int j = 1; j < l; j++) p[j] = 3 + rnd.nextInt(vocab - 3);
            out.add(new RequestSpec(i, p, o, ignoreEos));
        }
        return out;
    }

    /** True when the prompt file is ShareGPT JSON (name ends in .json), not JSONL. */
    public boolean isShareGpt() { return promptFile != null && promptFile.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json"); }

    private void readShareGpt(Tokenizer tok, int maxContext, List<int[]> prompts, List<Integer> osls, List<String> texts) {
        if (tok == null) throw new BadInputException(promptFile + ": ShareGPT prompts need the model's tokenizer");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(promptFile.toFile());
        } catch (IOException e) {
            throw new BadInputException(promptFile + ": not ShareGPT JSON (" + dev.infercost.ParseErrors.describe(e, "a JSON array of conversations") + ")", e);
        }
        if (root == null || !root.isArray()) throw new BadInputException(promptFile + ": ShareGPT JSON must be an array of {\"conversations\": [...]}");
        int idx = -1, skipped = 0;
        for (JsonNode e : root) {
            idx++;
            JsonNode conv = e.get("conversations");
            if (conv == null || !conv.isArray())
                throw new BadInputException(promptFile + ": entry " + idx + ": field \"conversations\" (array) is missing");
            if (conv.size() < 2) { skipped++; continue; }
            JsonNode q = conv.get(0).get("value"), a = conv.get(1).get("value");
            if (q == null || !q.isTextual() || a == null || !a.isTextual())
                throw new BadInputException(promptFile + ": entry " + idx + ": conversations[0..1].value must be text");
            // an entry certainly longer than the context is skipped untokenised (bounded work on huge entries, issue 17)
            if (!PromptFileValidator.mayFit(q.asText() + a.asText(), tok, maxContext)) { skipped++; continue; }
            PromptFileValidator.wellFormed(promptFile + ": entry " + idx, q.asText() + a.asText());
            int[] ids = tok.encode(q.asText(), true, false);
            int osl = tok.encode(a.asText(), false, false).length;
            if (osl < 1 || ids.length + osl > maxContext) { skipped++; continue; }
            prompts.add(ids);
            osls.add(osl);
            texts.add(q.asText());
        }
        if (prompts.isEmpty()) throw new BadInputException(promptFile + ": no ShareGPT conversation fits (" + skipped + " skipped: fewer than 2 turns or longer than the context " + maxContext + ")");
    }

    private void readJsonl(Tokenizer tok, int maxContext, Random rnd, List<int[]> prompts, List<Integer> osls, List<String> texts) {
        if (tok == null) throw new BadInputException(promptFile + ": JSONL prompts need the model's tokenizer");
        PromptFileValidator.checkFile(promptFile); // size bound first (issue 17)
        List<String> lines;
        try {
            lines = Files.readAllLines(promptFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(promptFile + ": cannot read prompts file (" + e.getMessage() + ")", e);
        }
        ObjectMapper om = new ObjectMapper();
        int ln = 0;
        for (String line : lines) {
            ln++;
            if (line.isBlank()) continue;
            JsonNode j;
            try {
                j = om.readTree(line);
            } catch (IOException e) {
                throw new BadInputException(promptFile + ":" + ln + ": not a JSON object (" + dev.infercost.ParseErrors.describe(e, "one JSON object per line").replaceFirst("^line 1, ", "") + ")", e);
            }
            JsonNode p = j.get("prompt");
            if (p == null || !p.isTextual())
                throw new BadInputException(promptFile + ":" + ln + ": field \"prompt\" (text) is missing");
            PromptFileValidator.checkLength(promptFile, ln, p.asText(), tok, maxContext); // never tokenise past the context
            int[] ids = tok.encode(p.asText(), true, false);
            if (ids.length >= maxContext)
                throw new BadInputException(promptFile + ":" + ln + ": prompt is " + ids.length + " tokens, the model's context is " + maxContext);
            JsonNode o = j.has("output_tokens") ? j.get("output_tokens") : j.get("max_tokens");
            int osl;
            if (o == null) osl = this.osl.sample(rnd, maxContext - ids.length);
            else if (o.isIntegralNumber() && o.canConvertToInt() && o.asInt() >= 1) osl = o.asInt();
            else throw new BadInputException(promptFile + ":" + ln + ": output_tokens/max_tokens must be an integer >= 1, got " + o);
            prompts.add(ids);
            osls.add(osl);
            texts.add(p.asText());
        }
        if (prompts.isEmpty()) throw new BadInputException(promptFile + ": no prompts");
    }
}
