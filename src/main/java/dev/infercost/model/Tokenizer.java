package dev.infercost.model;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A tokenizer: SentencePiece-style BPE with byte fallback (llama2.c {@code tokenizer.bin} / GGUF
 * {@code tokenizer.ggml.model = llama}, {@link BpeTokenizer}), GPT-2 byte-level BPE (GGUF
 * {@code tokenizer.ggml.model = gpt2}, {@link ByteLevelBpeTokenizer}), or any other tokenizer a backend brings (e.g.
 * Hugging Face tokenizer.json).
 */
public interface Tokenizer {
    int vocabSize();

    /** BOS id, or -1 when the vocabulary has none. */
    int bos();

    /** EOS id, or -1 when the vocabulary has none. */
    int eos();

    /**
     * Token ids of {@code text}. {@code bos}: add the start-of-sequence tokens the vocabulary asks for (llama2.c and
     * SentencePiece: always BOS; GPT-2 BPE from GGUF: BOS and EOS as {@code tokenizer.ggml.add_bos_token} /
     * {@code add_eos_token} say); {@code eos}: append EOS. llama2.c {@code encode()}: a dummy-prefix space for
     * non-empty text, greedy merges by score, byte fallback ({@code <0xNN>} = id byte+3) for unknown code points.
     */
    int[] encode(String text, boolean bos, boolean eos);

    /**
     * The raw bytes printed for {@code token} after {@code prevToken} (llama2.c {@code decode(prev, token)}: leading
     * space stripped after BOS, {@code <0xNN>} pieces mapped to their raw byte; byte-level BPE: the token's bytes). A
     * character may span several tokens, so callers join bytes before decoding UTF-8.
     */
    byte[] decodePiece(int prevToken, int token);

    /** The piece string of {@code token} as stored in the vocabulary. */
    String piece(int token);

    /**
     * Token ids at which generation ends (unless a request ignores EOS). Default: BOS and EOS (llama2.c models use
     * BOS as the sequence delimiter, run.c {@code generate}); GGUF byte-level vocabularies follow llama.cpp's
     * end-of-generation set (EOS, end-of-turn, {@code <|eot_id|>}, {@code <|im_end|>}, ...).
     */
    default Set<Integer> endOfGeneration() {
        Set<Integer> s = new LinkedHashSet<>();
        if (bos() >= 0) s.add(bos());
        if (eos() >= 0) s.add(eos());
        return Set.copyOf(s);
    }

    /** Whether generation ends at {@code token} ({@link #endOfGeneration}). */
    default boolean isEndOfGeneration(int token) { return endOfGeneration().contains(token); }
}
