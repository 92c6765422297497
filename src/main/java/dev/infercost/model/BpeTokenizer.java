package dev.infercost.model;

import dev.infercost.BadInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * SentencePiece-style BPE tokenizer with byte fallback, exactly as llama2.c {@code run.c}
 * {@code encode()} / {@code decode()} (GitHub karpathy/llama2.c, run.c): pieces are matched as raw UTF-8
 * byte strings; encoding adds BOS (optional), a dummy-prefix " " for non-empty text, one token per UTF-8
 * code point (or byte-fallback ids {@code byte + 3} when the code point is not a piece), then repeatedly
 * merges the adjacent pair whose concatenation is a piece with the highest score (leftmost on ties).
 */
public final class BpeTokenizer implements Tokenizer {
    private final byte[][] pieces;
    private final float[] scores;
    private final int bos;
    private final int eos;
    private final String label;
    private final Map<Key, Integer> index;
    private final boolean addBos, spacePrefix;
    private final Set<Integer> eog;
    private final List<SpecialToken> specials;

    /**
     * @param pieces raw UTF-8 bytes of each piece (id = position)
     * @param scores merge score of each piece (higher merges first)
     * @param label  where the vocabulary came from (file path, "gguf:...", "synthetic ...")
     */
    public BpeTokenizer(byte[][] pieces, float[] scores, int bos, int eos, String label) {
        this(pieces, scores, bos, eos, label, true, true, Set.of(), List.of());
    }

    /**
     * A token matched in prompt text before BPE, as llama.cpp's {@code tokenizer_st_partition} does for control,
     * user-defined and unknown tokens; {@code lstrip}/{@code rstrip} drop whitespace before/after it.
     */
    public record SpecialToken(int id, String text, boolean lstrip, boolean rstrip) {}

    /**
     * @param addBos   whether {@code encode(text, true, ...)} adds BOS (GGUF {@code tokenizer.ggml.add_bos_token},
     *                 default true for SentencePiece as in llama.cpp)
     * @param spacePrefix whether non-empty text gets run.c's dummy-prefix space (GGUF
     *                 {@code tokenizer.ggml.add_space_prefix}, default true)
     * @param extraEog end-of-generation ids besides BOS and EOS (GGUF end-of-turn/end-of-message tokens)
     * @param specials tokens parsed in prompt text (GGUF control/user-defined/unknown tokens; empty for llama2.c,
     *                 whose run.c tokenizes all text as text), longest text first
     */
    public BpeTokenizer(byte[][] pieces, float[] scores, int bos, int eos, String label, boolean addBos, boolean spacePrefix, Set<Integer> extraEog,
                        List<SpecialToken> specials) {
        if (pieces.length != scores.length) throw new IllegalArgumentException("pieces/scores length differ");
        this.pieces = pieces;
        this.scores = scores;
        this.bos = bos;
        this.eos = eos;
        this.label = label;
        this.addBos = addBos;
        this.spacePrefix = spacePrefix;
        Set<Integer> e = new LinkedHashSet<>();
        e.add(bos);
        e.add(eos);
        e.addAll(extraEog);
        this.eog = Set.copyOf(e);
        this.specials = List.copyOf(specials);
        this.index = new HashMap<>(pieces.length * 2);
        // run.c looks pieces up by bsearch over a sorted copy; with duplicates we keep the first id.
        for (int i = 0; i < pieces.length; i++) index.putIfAbsent(new Key(pieces[i]), i);
    }

    /**
     * Reads a llama2.c tokenizer file ({@code tokenizer.bin}, {@code tok512.bin}): int32 max_token_length,
     * then per token float32 score, int32 byte length, bytes. BOS = 1, EOS = 2 (llama2.c convention).
     *
     * @param vocabSize number of entries to read (the model's vocab_size, as run.c does)
     * @throws BadInputException missing file, or a file that ends early or has entries left over
     */
    public static BpeTokenizer readLlama2c(Path file, int vocabSize) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": tokenizer file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read tokenizer: " + e.getMessage(), e);
        }
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[][] pieces = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        try {
            int maxLen = bb.getInt();
            if (maxLen <= 0 || maxLen > 1 << 16) throw new BadInputException(file + ": not a llama2.c tokenizer (max_token_length=" + maxLen + ")");
            for (int i = 0; i < vocabSize; i++) {
                scores[i] = bb.getFloat();
                int len = bb.getInt();
                if (len < 0 || len > bb.remaining()) throw new BadInputException(file + ": entry " + i + " has byte length " + len + " beyond the end of the file");
                pieces[i] = new byte[len];
                bb.get(pieces[i]);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new BadInputException(file + ": tokenizer file ends early; the model needs " + vocabSize + " entries");
        }
        if (bb.hasRemaining())
            throw new BadInputException(file + ": tokenizer has more than " + vocabSize + " entries (" + bb.remaining()
                    + " bytes left over) but the model's vocab_size is " + vocabSize);
        TokenizerValidator.check(file.toString(), pieces, scores, 1, 2);
        return new BpeTokenizer(pieces, scores, 1, 2, file.toString());
    }

    /** Counts the entries of a llama2.c tokenizer file without a known vocab size (for error messages). */
    static int countLlama2cEntries(byte[] all) {
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int n = 0;
        if (bb.remaining() < 4) return 0;
        bb.getInt();
        while (bb.remaining() >= 8) {
            bb.getFloat();
            int len = bb.getInt();
            if (len < 0 || len > bb.remaining()) break;
            bb.position(bb.position() + len);
            n++;
        }
        return n;
    }

    /** Writes this vocabulary as a llama2.c tokenizer file. */
    public byte[] toLlama2cBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int maxLen = 0;
        for (byte[] p : pieces) maxLen = Math.max(maxLen, p.length);
        ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(maxLen);
        out.write(bb.array(), 0, 4);
        for (int i = 0; i < pieces.length; i++) {
            bb.clear();
            bb.putFloat(scores[i]).putInt(pieces[i].length);
            out.write(bb.array(), 0, 8);
            out.write(pieces[i], 0, pieces[i].length);
        }
        return out.toByteArray();
    }

    @Override public int vocabSize() { return pieces.length; }
    @Override public int bos() { return bos; }
    @Override public int eos() { return eos; }

    /**
     * BOS and EOS (run.c {@code generate} stops at BOS, its sequence delimiter; serving also at EOS) plus, for GGUF
     * vocabularies, the end-of-turn ids llama.cpp adds ({@link GgufTokenizers}).
     */
    @Override public Set<Integer> endOfGeneration() { return eog; }

    @Override public boolean isEndOfGeneration(int token) { return eog.contains(token); }

    /** Where the vocabulary came from. */
    public String label() { return label; }

    public float score(int token) { return scores[token]; }

    public byte[] pieceBytes(int token) { return pieces[token]; }

    @Override
    public String piece(int token) { return new String(pieces[token], StandardCharsets.UTF_8); }

    private int lookup(byte[] buf, int off, int len) {
        Integer id = index.get(new Key(Arrays.copyOfRange(buf, off, off + len)));
        return id == null ? -1 : id;
    }

    /**
     * run.c {@code encode()} (class comment). With special tokens (GGUF), the text is first split at their
     * occurrences, longest token first (llama.cpp {@code tokenizer_st_partition}); each text fragment is then encoded
     * as run.c does, dummy-prefix space included (llama.cpp adds it to every fragment that follows a special token or
     * starts the text), and each special token contributes its id.
     */
    @Override
    public int[] encode(String text, boolean addBos, boolean addEos) {
        ByteLevelBpeTokenizer.requireWellFormed(text);
        boolean b = addBos && this.addBos;
        if (specials.isEmpty()) return encodeText(text, b, addEos);
        List<Object> frags = new ArrayList<>(List.of(text));
        for (SpecialToken st : specials) {
            List<Object> next = new ArrayList<>();
            for (Object f : frags) {
                if (!(f instanceof String s)) { next.add(f); continue; }
                int from = 0;
                for (int m = s.indexOf(st.text()); m >= 0; m = s.indexOf(st.text(), from)) {
                    int leftEnd = m;
                    if (st.lstrip()) while (leftEnd > from && isCSpace(s.charAt(leftEnd - 1))) leftEnd--;
                    if (leftEnd > from) next.add(s.substring(from, leftEnd));
                    next.add(st.id());
                    from = m + st.text().length();
                    if (st.rstrip()) while (from < s.length() && isCSpace(s.charAt(from))) from++;
                }
                if (from < s.length()) next.add(from == 0 ? s : s.substring(from));
            }
            frags = next;
        }
        int[] out = new int[16];
        int n = 0;
        if (b) out[n++] = bos;
        for (Object f : frags) {
            int[] ids = f instanceof String s ? encodeText(s, false, false) : new int[]{(Integer) f};
            if (n + ids.length + 1 > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length + 1));
            System.arraycopy(ids, 0, out, n, ids.length);
            n += ids.length;
        }
        if (addEos) out[n++] = eos;
        return Arrays.copyOf(out, n);
    }

    /** C {@code isspace} in the "C" locale. */
    private static boolean isCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

    /** The special tokens parsed in prompt text (empty for llama2.c vocabularies). */
    public List<SpecialToken> specialTokens() { return specials; }

    private int[] encodeText(String text, boolean addBos, boolean addEos) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[t.length + 3];
        int n = 0;
        if (addBos) tokens[n++] = bos;
        if (t.length > 0 && spacePrefix) {
            int dummy = lookup(new byte[]{' '}, 0, 1);
            // run.c appends whatever str_lookup(" ") returns (-1 if absent); we skip a missing piece.
            if (dummy >= 0) tokens[n++] = dummy;
        }
        int i = 0;
        while (i < t.length) {
            int start = i;
            int len = 1;
            i++;
            // continuation bytes 10xxxxxx, at most 4 bytes per code point (run.c's str_len < 4 rule)
            while (i < t.length && (t[i] & 0xC0) == 0x80 && len < 4) { i++; len++; }
            int id = lookup(t, start, len);
            if (id != -1) tokens[n++] = id;
            else for (int k = 0; k < len; k++) tokens[n++] = (t[start + k] & 0xFF) + 3;
        }
        // Greedy merges as run.c: repeatedly merge the adjacent pair whose concatenation is the piece with the best
        // score (strictly greater wins, so leftmost on ties). run.c rescans all pairs per merge (quadratic in the
        // text length); the same choice sequence comes from a priority queue of candidate pairs ordered by score,
        // then by position, with entries dropped when either side has changed since they were queued.
        int[] next = new int[n], prev = new int[n];
        for (int k = 0; k < n; k++) { next[k] = k + 1 < n ? k + 1 : -1; prev[k] = k - 1; }
        boolean[] gone = new boolean[n];
        PriorityQueue<Cand> pq = new PriorityQueue<>();
        byte[][] buf = {new byte[64]};
        for (int k = 0; k + 1 < n; k++) offer(pq, tokens, k, k + 1, buf);
        while (!pq.isEmpty()) {
            Cand c = pq.poll();
            if (gone[c.left] || gone[c.right] || next[c.left] != c.right || tokens[c.left] != c.leftTok || tokens[c.right] != c.rightTok) continue;
            tokens[c.left] = c.id;
            gone[c.right] = true;
            next[c.left] = next[c.right];
            if (next[c.right] >= 0) prev[next[c.right]] = c.left;
            if (prev[c.left] >= 0) offer(pq, tokens, prev[c.left], c.left, buf);
            if (next[c.left] >= 0) offer(pq, tokens, c.left, next[c.left], buf);
        }
        int m = 0;
        for (int k = 0; k >= 0 && k < n; k = next[k]) tokens[m++] = tokens[k];
        n = m;
        if (addEos) tokens[n++] = eos;
        return Arrays.copyOf(tokens, n);
    }

    @Override
    public byte[] decodePiece(int prevToken, int token) {
        byte[] p = pieces[token];
        int from = 0;
        if (prevToken == bos && p.length > 0 && p[0] == ' ') from = 1;
        int b = parseByteToken(p, from);
        if (b >= 0) return new byte[]{(byte) b};
        int end = from;
        while (end < p.length && p[end] != 0) end++; // C string semantics
        return Arrays.copyOfRange(p, from, end);
    }

    /** sscanf(piece, "<0x%02hhX>") as run.c: "<0x" then 1-2 hex digits; returns the byte or -1. */
    private static int parseByteToken(byte[] p, int from) {
        if (p.length - from < 4 || p[from] != '<' || p[from + 1] != '0' || p[from + 2] != 'x') return -1;
        int v = 0, digits = 0;
        for (int k = from + 3; k < p.length && digits < 2; k++) {
            int d = Character.digit(p[k], 16);
            if (d < 0) break;
            v = v * 16 + d;
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    /**
     * run.c {@code safe_printf}: whether a decoded piece is printed. Empty pieces and single bytes that are
     * neither printable ASCII nor whitespace (C locale {@code isprint}/{@code isspace}) are dropped.
     */
    public static boolean printable(byte[] piece) {
        if (piece.length == 0 || piece[0] == 0) return false;
        if (piece.length == 1) {
            int c = piece[0] & 0xFF;
            return (c >= 0x20 && c <= 0x7E) || c == ' ' || (c >= 0x09 && c <= 0x0D);
        }
        return true;
    }

    /** A queued merge: positions left/right holding leftTok/rightTok would become piece id with its score. */
    private record Cand(float score, int left, int right, int leftTok, int rightTok, int id) implements Comparable<Cand> {
        @Override public int compareTo(Cand o) {
            int c = Float.compare(o.score + 0f, score + 0f); // higher score first (+0f: -0.0 ties with 0.0, as run.c's >)
            return c != 0 ? c : Integer.compare(left, o.left);
        }
    }

    private void offer(PriorityQueue<Cand> pq, int[] tokens, int left, int right, byte[][] buf) {
        byte[] a = pieces[tokens[left]], b = pieces[tokens[right]];
        int l = a.length + b.length;
        if (l > buf[0].length) buf[0] = new byte[l * 2];
        System.arraycopy(a, 0, buf[0], 0, a.length);
        System.arraycopy(b, 0, buf[0], a.length, b.length);
        int id = lookup(buf[0], 0, l);
        // run.c starts from best_score = -1e10 and needs a strictly greater score (so NaN never merges)
        if (id != -1 && scores[id] > -1e10f) pq.add(new Cand(scores[id], left, right, tokens[left], tokens[right], id));
    }

    private record Key(byte[] b) {
        @Override public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(b, k.b); }
        @Override public int hashCode() { return Arrays.hashCode(b); }
    }
}
