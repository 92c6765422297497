package dev.infercost.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infercost.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GPT-2 byte-level BPE ({@code tokenizer.ggml.model = gpt2}: Llama 3.x, Qwen2/2.5/3, SmolLM, GPT-2) built from a
 * GGUF's vocabulary and merges and run by the Hugging Face tokenizers library (DJL
 * {@code ai.djl.huggingface:tokenizers}, offline). The GGUF arrays become an in-memory {@code tokenizer.json}: model
 * BPE (vocab = {@code tokenizer.ggml.tokens}, merges = {@code tokenizer.ggml.merges} in rank order,
 * {@code ignore_merges} for the Llama 3 family as llama.cpp sets it), pre-tokenizer
 * {@code Sequence[Split(regex, Isolated)..., ByteLevel(use_regex=false)]} with the split regexes that llama.cpp's
 * {@code src/llama-vocab.cpp} ({@code llm_tokenizer_bpe}) uses for the {@code tokenizer.ggml.pre} name, and the
 * control, user-defined and unknown tokens ({@code tokenizer.ggml.token_type} 3, 4, 2) as added tokens, so that they
 * are matched in prompt text before pre-tokenisation as {@code llama-tokenize} does by default (its
 * {@code --no-parse-special} is off).
 *
 * <p>Pre-tokenizer names accepted (llama.cpp's spelling): {@code llama-bpe}, {@code llama3}, {@code llama-v3} (Llama 3
 * split regex, ignore_merges, BOS added by default); {@code qwen2}, {@code deepseek-r1-qwen} (one digit per piece);
 * {@code smollm} (digits split singly, then the GPT-2 regex); {@code gpt-2}, {@code phi-2} (GPT-2 regex);
 * {@code default} or an absent key (llama.cpp's default list of four regexes; llama.cpp warns that quality degrades).
 * Any other value is refused.
 *
 * <p>BOS/EOS: {@code tokenizer.ggml.bos_token_id}/{@code eos_token_id} (default 11 and 11 for this model type, as
 * llama.cpp, disabled when out of range); {@code add_bos_token} (default true for the Llama 3 names, else false) and
 * {@code add_eos_token} (default false). End of generation follows llama.cpp's {@code special_eog_ids}: EOS,
 * {@code eot_token_id}, {@code eom_token_id}, and tokens whose text is one of {@link #EOG_TEXTS}.
 *
 * <p>Decoding is done here, not by the library, because streamed output needs raw bytes (one emoji may span two
 * tokens): a normal token's characters are mapped back through GPT-2's byte-to-unicode table; a user-defined token
 * is its text; a control token prints nothing (llama-server's default, {@code special = false}).
 */
public final class ByteLevelBpeTokenizer implements Tokenizer, AutoCloseable {
    static {
        // DJL would otherwise look for a CUDA build of its native library online when it sees a GPU.
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    }

    /** GGUF {@code tokenizer.ggml.token_type} values (llama.cpp {@code llama_token_type}). */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    /** Token texts llama.cpp's vocabulary loader marks as end of generation (src/llama-vocab.cpp, special_eog_ids). */
    public static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
            "<end_of_utterance>", "<eos>", "<｜end▁of▁sentence｜>");

    private static final String GPT2_RE = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String LLAMA3_RE = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2_RE = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** How a {@code tokenizer.ggml.pre} name pre-tokenizes (llama-vocab.cpp's regex lists for its pre type). */
    record Pre(List<String> regexes, boolean ignoreMerges, boolean addBosDefault) {}

    static final Map<String, Pre> PRE;
    static {
        Map<String, Pre> m = new HashMap<>();
        Pre llama3 = new Pre(List.of(LLAMA3_RE), true, true);
        for (String n : List.of("llama-bpe", "llama3", "llama-v3")) m.put(n, llama3);
        Pre qwen2 = new Pre(List.of(QWEN2_RE), false, false);
        for (String n : List.of("qwen2", "deepseek-r1-qwen")) m.put(n, qwen2);
        m.put("smollm", new Pre(List.of("\\p{N}", GPT2_RE), false, false));
        Pre gpt2 = new Pre(List.of(GPT2_RE), false, false);
        for (String n : List.of("gpt-2", "phi-2")) m.put(n, gpt2);
        m.put("default", new Pre(List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_RE, "\\p{N}+", "[0-9][0-9][0-9]"), false, false));
        PRE = Collections.unmodifiableMap(m);
    }

    /** GPT-2 {@code bytes_to_unicode}: printable Latin-1 bytes map to themselves, the other 68 to U+0100 upwards. */
    private static final int[] BYTE_TO_CP = new int[256];
    private static final Map<Integer, Byte> CP_TO_BYTE = new HashMap<>();
    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CP[b] = printable ? b : 256 + n++;
            CP_TO_BYTE.put(BYTE_TO_CP[b], (byte) b);
        }
    }

    private final String[] tokens;
    private final int[] types;
    private final byte[][] decoded;
    private final int bos, eos;
    private final boolean addBos, addEos;
    private final Set<Integer> eog;
    private final String pre, label;
    private final HuggingFaceTokenizer hf;

    /**
     * @param tokens    piece texts, id = position (byte-level encoded for normal tokens, raw text for added ones)
     * @param types     {@code tokenizer.ggml.token_type} per token (null = all normal)
     * @param merges    merge rules "left right" in rank order
     * @param pre       {@code tokenizer.ggml.pre} (null = default)
     * @param bos       BOS id or -1
     * @param eos       EOS id or -1
     * @param eot       end-of-turn id or -1
     * @param eom       end-of-message id or -1
     * @param addBos    whether {@link #encode} with {@code bos} adds BOS; null = the pre-tokenizer's default
     * @param addEos    whether {@link #encode} with {@code bos} also appends EOS; null = false
     * @param label     where the vocabulary came from (for messages)
     * @throws BadInputException an unknown {@code pre}, a token text that repeats, a missing byte token (any byte
     *                           UTF-8 text can contain), a merge that is not "left right" or names a piece (or a concatenation) that is
     *                           not in the vocabulary, or a vocabulary the library refuses
     */
    public ByteLevelBpeTokenizer(String[] tokens, int[] types, String[] merges, String pre, int bos, int eos, int eot, int eom,
                                 Boolean addBos, Boolean addEos, String label) {
        String preName = pre == null ? "default" : pre;
        Pre p = PRE.get(preName);
        if (p == null)
            throw new BadInputException(label + ": tokenizer.ggml.pre is '" + pre + "'; supported: " + String.join(", ", new java.util.TreeSet<>(PRE.keySet())));
        int n = tokens.length;
        tokens = tokens.clone();
        Map<String, Integer> seen = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (tokens[i].isEmpty()) tokens[i] = "[EMPTY_" + i + "]"; // as llama.cpp's loader names an empty token
            Integer j = seen.putIfAbsent(tokens[i], i);
            if (j != null)
                throw new BadInputException(label + ": tokenizer.ggml.tokens[" + i + "] '" + clip(tokens[i]) + "' repeats entry " + j + " (each token text must be unique)");
        }
        for (int b = 0; b < 256; b++) {
            // without a byte's token, text the merges do not cover would be silently dropped (no unk, no byte fallback);
            // 0xC0, 0xC1 and 0xF5..0xFF never occur in UTF-8 text, and some real vocabularies (GPT-NeoX) omit them
            if (b == 0xC0 || b == 0xC1 || b >= 0xF5) continue;
            if (!seen.containsKey(byteLevel(new byte[]{(byte) b})))
                throw new BadInputException(label + ": tokenizer.ggml.tokens has no token for byte 0x" + String.format("%02X", b) + " ('"
                        + byteLevel(new byte[]{(byte) b}) + "'); a GPT-2 byte-level vocabulary holds a token for every byte UTF-8 text can contain");
        }
        for (int i = 0; i < merges.length; i++) {
            // llama.cpp (llama_vocab::impl::load) splits a merge at the first space after its first character; the
            // Hugging Face BPE model also needs both pieces and their concatenation in the vocabulary
            String mg = merges[i];
            int sp = mg.indexOf(' ', 1);
            if (sp < 0 || sp == mg.length() - 1 || mg.indexOf(' ', sp + 1) >= 0)
                throw new BadInputException(label + ": tokenizer.ggml.merges[" + i + "] is '" + clip(mg) + "'; expected two pieces separated by one space");
            String left = mg.substring(0, sp), right = mg.substring(sp + 1);
            for (String piece : new String[]{left, right, left + right})
                if (!seen.containsKey(piece))
                    throw new BadInputException(label + ": tokenizer.ggml.merges[" + i + "] '" + clip(mg) + "' names '" + clip(piece)
                            + "', which is not in tokenizer.ggml.tokens");
        }
        this.tokens = tokens;
        this.types = new int[n];
        for (int i = 0; i < n; i++) this.types[i] = types == null ? NORMAL : types[i];
        this.pre = preName;
        this.label = label;
        this.bos = bos >= 0 && bos < n ? bos : -1;
        this.eos = eos >= 0 && eos < n ? eos : -1;
        this.addBos = addBos != null ? addBos : p.addBosDefault();
        this.addEos = addEos != null && addEos;
        Set<Integer> e = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (EOG_TEXTS.contains(tokens[i])) {
                e.add(i);
                // llama.cpp marks these as control tokens even when the file says otherwise
                if (this.types[i] != CONTROL) this.types[i] = CONTROL;
            }
        }
        for (int id : new int[]{this.eos, eot, eom}) if (id >= 0 && id < n) e.add(id);
        this.eog = Collections.unmodifiableSet(e);
        this.decoded = new byte[n][];
        for (int i = 0; i < n; i++) decoded[i] = decodeText(tokens[i], this.types[i]);
        String json = tokenizerJson(tokens, this.types, merges, p);
        try {
            this.hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException ex) {
            throw new BadInputException(label + ": the Hugging Face tokenizers library refused this byte-level BPE vocabulary: " + ex.getMessage(), ex);
        }
    }

    /** {@code s} shortened for a one-line message. */
    static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "... (" + s.length() + " chars)";
    }

    /**
     * @throws BadInputException when {@code text} holds a lone UTF-16 surrogate (not Unicode text: its UTF-8 form is
     *                           undefined, and silently replacing it would tokenise a different prompt)
     */
    public static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) { i++; continue; }
            if (Character.isSurrogate(c))
                throw new BadInputException(String.format("prompt text has a lone UTF-16 surrogate U+%04X at char %d; expected valid Unicode text", (int) c, i));
        }
    }

    /** The most UTF-8 bytes of prompt text one token can cover (longest decoded piece or added-token text). */
    public int longestPieceBytes() {
        int m = 1;
        for (int i = 0; i < tokens.length; i++)
            m = Math.max(m, Math.max(decoded[i].length, types[i] == NORMAL ? 0 : tokens[i].getBytes(StandardCharsets.UTF_8).length));
        return m;
    }

    /** The in-memory {@code tokenizer.json} (Hugging Face tokenizers format) for these arrays. */
    static String tokenizerJson(String[] tokens, int[] types, String[] merges, Pre p) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < tokens.length; i++) {
            int t = types[i];
            if (t != CONTROL && t != USER_DEFINED && t != UNKNOWN) continue;
            added.addObject().put("id", i).put("content", tokens[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", t != USER_DEFINED);
        }
        root.putNull("normalizer");
        ObjectNode preTok = root.putObject("pre_tokenizer");
        preTok.put("type", "Sequence");
        ArrayNode seq = preTok.putArray("pretokenizers");
        for (String re : p.regexes()) {
            ObjectNode s = seq.addObject();
            s.put("type", "Split");
            s.putObject("pattern").put("Regex", re);
            s.put("behavior", "Isolated");
            s.put("invert", false);
        }
        seq.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", p.ignoreMerges());
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.length; i++) vocab.put(tokens[i], i);
        ArrayNode m = model.putArray("merges");
        for (String s : merges) m.add(s);
        try {
            return om.writeValueAsString(root);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The bytes a token prints as (llama.cpp token_to_piece with special = false). */
    private static byte[] decodeText(String text, int type) {
        if (type == CONTROL || type == UNKNOWN) return new byte[0];
        if (type == USER_DEFINED) return text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        text.codePoints().forEach(cp -> {
            Byte b = CP_TO_BYTE.get(cp);
            if (b != null) out.write(b);
            else out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        });
        return out.toByteArray();
    }

    /** The byte-level (GPT-2 bytes_to_unicode) spelling of raw bytes, as pieces are stored in the vocabulary. */
    public static String byteLevel(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length);
        for (byte b : raw) sb.appendCodePoint(BYTE_TO_CP[b & 0xFF]);
        return sb.toString();
    }

    @Override public int vocabSize() { return tokens.length; }
    @Override public int bos() { return bos; }
    @Override public int eos() { return eos; }

    /** Whether {@code encode(text, true, ...)} adds BOS ({@code tokenizer.ggml.add_bos_token} or its default). */
    public boolean addsBos() { return addBos; }

    /** Whether {@code encode(text, true, ...)} appends EOS ({@code tokenizer.ggml.add_eos_token}). */
    public boolean addsEos() { return addEos; }

    /** The {@code tokenizer.ggml.pre} name in use ("default" when the key is absent). */
    public String preTokenizer() { return pre; }

    /** Where the vocabulary came from. */
    public String label() { return label; }

    /** {@code tokenizer.ggml.token_type} of {@code token} after llama.cpp's promotions (EOG texts become control). */
    public int tokenType(int token) { return types[token]; }

    @Override public Set<Integer> endOfGeneration() { return eog; }

    @Override public boolean isEndOfGeneration(int token) { return eog.contains(token); }

    /**
     * Token ids of {@code text} as {@code llama-tokenize} prints them with its defaults: special tokens in the text are
     * parsed; with {@code bos}, BOS is prepended when the vocabulary asks for it ({@link #addsBos}) and EOS appended
     * when it asks for that ({@link #addsEos}); {@code eos} appends EOS regardless.
     *
     * @throws BadInputException for text with a lone surrogate ({@link #requireWellFormed})
     */
    @Override
    public int[] encode(String text, boolean bos, boolean eos) {
        requireWellFormed(text);
        long[] ids = text.isEmpty() ? new long[0] : hf.encode(text, false, false).getIds();
        boolean b = bos && addBos && this.bos >= 0, e = (eos || (bos && addEos)) && this.eos >= 0;
        int[] out = new int[ids.length + (b ? 1 : 0) + (e ? 1 : 0)];
        int o = 0;
        if (b) out[o++] = this.bos;
        for (long id : ids) out[o++] = (int) id;
        if (e) out[o] = this.eos;
        return out;
    }

    /** The raw bytes {@code token} prints as; {@code prevToken} does not matter for byte-level BPE. */
    @Override
    public byte[] decodePiece(int prevToken, int token) { return decoded[token].clone(); }

    /** The decoded text of a token sequence (UTF-8 across tokens; control tokens print nothing). */
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(decoded[id]);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override public String piece(int token) { return tokens[token]; }

    @Override public void close() { hf.close(); }

    @Override public String toString() { return "ByteLevelBpeTokenizer[" + label + ", pre=" + pre + ", " + tokens.length + " tokens]"; }
}
