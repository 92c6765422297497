package dev.infercost.model;

/**
 * SentencePiece-style BPE tokenizer with byte fallback (llama2.c {@code tokenizer.bin} / GGUF
 * {@code tokenizer.ggml.*}), or any other tokenizer a backend brings (e.g. Hugging Face tokenizer.json).
 */
public interface Tokenizer {
    int vocabSize();
    int bos();
    int eos();

    /**
     * Encodes text as llama2.c {@code encode()} does: optional BOS, a dummy-prefix space for non-empty
     * text, greedy merges by score, byte fallback ({@code <0xNN>} = id byte+3) for unknown code points.
     */
    int[] encode(String text, boolean bos, boolean eos);

    /**
     * The bytes llama2.c {@code decode(prev, token)} would print for {@code token}: leading space stripped
     * after BOS, {@code <0xNN>} pieces mapped to their raw byte.
     */
    byte[] decodePiece(int prevToken, int token);

    /** The piece string of {@code token} as stored in the vocabulary. */
    String piece(int token);
}
