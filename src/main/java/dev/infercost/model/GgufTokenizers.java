package dev.infercost.model;

import dev.infercost.BadInputException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tokenizer of a GGUF file, from its {@code tokenizer.ggml.*} metadata (keys as llama.cpp's
 * {@code src/llama-vocab.cpp} reads them, {@code llama_vocab::impl::load}).
 *
 * <ul>
 *   <li>{@code tokenizer.ggml.model = llama} (SentencePiece BPE): {@link BpeTokenizer} (run.c-exact) from
 *   {@code tokens}/{@code scores}, {@code bos_token_id} (default 1), {@code eos_token_id} (default 2),
 *   {@code add_bos_token} (default true); SentencePiece's U+2581 "▁" becomes a space so the pieces are the byte strings
 *   llama2.c uses. Generation ends at BOS, EOS and the end-of-turn ids ({@code eot_token_id}, {@code eom_token_id},
 *   tokens named as in {@link ByteLevelBpeTokenizer#EOG_TEXTS}).</li>
 *   <li>{@code tokenizer.ggml.model = gpt2} (byte-level BPE): {@link ByteLevelBpeTokenizer} from {@code tokens},
 *   {@code merges}, {@code token_type}, {@code pre}, the special ids and {@code add_bos_token}/{@code add_eos_token}.</li>
 * </ul>
 * Any other model is refused.
 */
public final class GgufTokenizers {
    private GgufTokenizers() {}

    /** @throws BadInputException naming the file, key and value for a missing, mistyped or unsupported tokenizer */
    public static Tokenizer load(GgufFile g) {
        String where = g.path().toString();
        String tm = g.getString("tokenizer.ggml.model", null);
        String[] tokens = strings(g, "tokenizer.ggml.tokens", true);
        int n = tokens.length;
        if (n == 0) throw new BadInputException(where + ": metadata tokenizer.ggml.tokens is empty; expected at least one token");
        Object tmv = g.metadata().get("tokenizer.ggml.model");
        if (tmv != null && !(tmv instanceof String))
            throw new BadInputException(where + ": metadata tokenizer.ggml.model is " + tmv + "; expected a string (llama or gpt2)");
        int eot = id(g, "tokenizer.ggml.eot_token_id", n), eom = id(g, "tokenizer.ggml.eom_token_id", n);
        Boolean addBos = bool(g, "tokenizer.ggml.add_bos_token"), addEos = bool(g, "tokenizer.ggml.add_eos_token");
        if ("llama".equals(tm)) {
            Object[] sc = array(g, "tokenizer.ggml.scores");
            if (sc.length != n) throw new BadInputException(where + ": tokenizer.ggml.scores has " + sc.length + " entries, tokens has " + n);
            byte[][] pieces = new byte[n][];
            float[] scores = new float[n];
            Set<Integer> eog = new LinkedHashSet<>();
            for (int i = 0; i < n; i++) {
                if (!(sc[i] instanceof Number x))
                    throw new BadInputException(where + ": tokenizer.ggml.scores[" + i + "] is " + sc[i] + "; expected a number");
                pieces[i] = tokens[i].replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
                scores[i] = x.floatValue();
                if (ByteLevelBpeTokenizer.EOG_TEXTS.contains(tokens[i])) eog.add(i);
            }
            if (eot >= 0) eog.add(eot);
            if (eom >= 0) eog.add(eom);
            int bos = (int) g.getLong("tokenizer.ggml.bos_token_id", 1);
            int eos = (int) g.getLong("tokenizer.ggml.eos_token_id", 2);
            int[] types = tokenTypes(g, n);
            // special tokens parsed in text: control, user-defined and unknown (EOG texts count as control, as llama.cpp)
            String name = g.getString("general.name", "").toLowerCase(java.util.Locale.ROOT);
            boolean phi3 = name.contains("phi-3") || name.contains("phi3");
            List<BpeTokenizer.SpecialToken> specials = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int t = types == null ? ByteLevelBpeTokenizer.NORMAL : types[i];
                if (eog.contains(i) && ByteLevelBpeTokenizer.EOG_TEXTS.contains(tokens[i])) t = ByteLevelBpeTokenizer.CONTROL;
                if (t != ByteLevelBpeTokenizer.CONTROL && t != ByteLevelBpeTokenizer.USER_DEFINED && t != ByteLevelBpeTokenizer.UNKNOWN) continue;
                // llama.cpp (llama_vocab::impl::load, "phi-3"/"phi3" in general.name): whitespace after special tokens
                // is dropped, except after <unk>, <s> and <|endoftext|>
                boolean rstrip = phi3 && !List.of("<unk>", "<s>", "<|endoftext|>").contains(tokens[i]);
                specials.add(new BpeTokenizer.SpecialToken(i, tokens[i], false, rstrip));
            }
            specials.sort(Comparator.comparingInt((BpeTokenizer.SpecialToken s) -> -s.text().getBytes(StandardCharsets.UTF_8).length));
            Boolean spacePrefix = bool(g, "tokenizer.ggml.add_space_prefix");
            return new BpeTokenizer(pieces, scores, bos, eos, where + " (tokenizer.ggml.*)", addBos == null || addBos,
                    spacePrefix == null || spacePrefix, eog, specials);
        }
        if ("gpt2".equals(tm)) {
            String[] merges = strings(g, "tokenizer.ggml.merges", true);
            int[] types = tokenTypes(g, n);
            Object pre = g.metadata().get("tokenizer.ggml.pre");
            if (pre != null && !(pre instanceof String))
                throw new BadInputException(where + ": tokenizer.ggml.pre is " + pre + "; expected a string");
            int bos = id(g, "tokenizer.ggml.bos_token_id", n, 11), eos = id(g, "tokenizer.ggml.eos_token_id", n, 11);
            return new ByteLevelBpeTokenizer(tokens, types, merges, (String) pre, bos, eos, eot, eom, addBos, addEos, where);
        }
        throw new BadInputException(where + ": tokenizer.ggml.model is " + (tm == null ? "missing" : "'" + tm + "'") + "; supported: llama (SentencePiece BPE), gpt2 (byte-level BPE)");
    }

    /** {@code tokenizer.ggml.token_type}, or null when absent (all normal). */
    private static int[] tokenTypes(GgufFile g, int n) {
        if (g.metadata().get("tokenizer.ggml.token_type") == null) return null;
        Object[] a = array(g, "tokenizer.ggml.token_type");
        if (a.length != n) throw new BadInputException(g.path() + ": tokenizer.ggml.token_type has " + a.length + " entries, tokens has " + n);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            if (!(a[i] instanceof Long v))
                throw new BadInputException(g.path() + ": tokenizer.ggml.token_type[" + i + "] is " + a[i] + "; expected an integer");
            if (v < 0 || v > ByteLevelBpeTokenizer.BYTE)
                throw new BadInputException(g.path() + ": tokenizer.ggml.token_type[" + i + "] = " + v + "; expected 0..6 (llama_token_type)");
            types[i] = (int) (long) v;
        }
        return types;
    }

    private static Object[] array(GgufFile g, String key) {
        Object v = g.metadata().get(key);
        if (!(v instanceof Object[] a)) throw new BadInputException(g.path() + ": metadata " + key + " is missing or not an array");
        return a;
    }

    private static String[] strings(GgufFile g, String key, boolean required) {
        Object[] a = array(g, key);
        String[] s = new String[a.length];
        for (int i = 0; i < a.length; i++) {
            if (!(a[i] instanceof String x)) throw new BadInputException(g.path() + ": metadata " + key + "[" + i + "] is " + a[i] + "; expected a string");
            s[i] = x;
        }
        return s;
    }

    private static Boolean bool(GgufFile g, String key) {
        Object v = g.metadata().get(key);
        if (v == null) return null;
        if (v instanceof Boolean b) return b;
        throw new BadInputException(g.path() + ": metadata " + key + " is " + v + "; expected a bool");
    }

    /** An optional special-token id; -1 when absent. */
    private static int id(GgufFile g, String key, int n) { return id(g, key, n, -1); }

    /** A special-token id with llama.cpp's default; an id outside the vocabulary is refused. */
    private static int id(GgufFile g, String key, int n, int def) {
        if (!g.metadata().containsKey(key)) return def < n ? def : -1;
        long v = g.getLong(key, def);
        if (def == -1 && (v == -1 || v == 0xFFFFFFFFL)) return -1; // llama.cpp's "no such token" for an optional id
        if (v < 0 || v >= n) throw new BadInputException(g.path() + ": metadata " + key + " = " + v + " is outside the vocabulary 0.." + (n - 1));
        return (int) v;
    }
}
