package dev.infercost.model;

import dev.infercost.BadInputException;

/**
 * Checks of a SentencePiece/llama2.c BPE vocabulary before it is used ({@link BpeTokenizer}): merge scores
 * finite, BOS/EOS ids inside the vocabulary, and room for the byte-fallback ids {@code 3 + byte} (0..255) that
 * encoding emits for any character without a piece (llama2.c run.c layout: 0 unk, 1 BOS, 2 EOS, 3..258 bytes), so
 * no input text can produce a token id outside the vocabulary.
 */
public final class TokenizerValidator {
    private TokenizerValidator() {}

    /** Smallest vocabulary with the 3 special and 256 byte-fallback pieces. */
    public static final int MIN_VOCAB = 259;

    /** @throws BadInputException naming {@code where}, the entry and its value */
    public static void check(String where, byte[][] pieces, float[] scores, int bos, int eos) {
        int n = pieces.length;
        if (n < MIN_VOCAB)
            throw new BadInputException(where + ": vocabulary has " + n + " entries; expected at least " + MIN_VOCAB
                    + " (unk, BOS, EOS and the 256 byte-fallback pieces <0x00>..<0xFF> at ids 3..258)");
        for (int i = 0; i < n; i++)
            if (!Float.isFinite(scores[i])) throw new BadInputException(where + ": entry " + i + " has merge score " + scores[i] + "; expected a finite number");
        if (bos < 0 || bos >= n) throw new BadInputException(where + ": BOS id " + bos + " is outside the vocabulary 0.." + (n - 1));
        if (eos < 0 || eos >= n) throw new BadInputException(where + ": EOS id " + eos + " is outside the vocabulary 0.." + (n - 1));
    }
}
