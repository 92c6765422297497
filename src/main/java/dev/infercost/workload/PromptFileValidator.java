package dev.infercost.workload;

import dev.infercost.BadInputException;
import dev.infercost.model.BpeTokenizer;
import dev.infercost.model.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Bounds on a JSONL prompt file before and while it is tokenised, so that no prompt file can make a run hang or
 * exhaust memory: the file is a regular file of at most {@link #MAX_FILE_BYTES}; a prompt is refused without
 * tokenising it when its UTF-8 length alone proves it exceeds the context (every token covers at most the
 * vocabulary's longest piece, so {@code bytes > context x longest piece} means more than {@code context} tokens;
 * BPE merging is quadratic in the prompt length, which made one multi-megabyte prompt hang serve-bench).
 */
public final class PromptFileValidator {
    private PromptFileValidator() {}

    /** Largest prompt file read (256 MiB). */
    public static final long MAX_FILE_BYTES = 256L << 20;

    private static final Map<Tokenizer, Integer> LONGEST = new WeakHashMap<>();

    /** @throws BadInputException when {@code file} is not a readable regular file of at most {@link #MAX_FILE_BYTES} */
    public static void checkFile(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": prompts file not found (or not a regular file)");
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) throw new BadInputException(file + ": " + size + " bytes; prompt files are limited to " + MAX_FILE_BYTES + " bytes");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read prompts file (" + e.getMessage() + ")", e);
        }
    }

    /**
     * @throws BadInputException when {@code prompt} certainly has more than {@code maxContext} tokens (named by file and line)
     */
    public static void checkLength(Path file, int line, String prompt, Tokenizer tok, int maxContext) {
        wellFormed(file + ":" + line, prompt);
        long bytes = prompt.getBytes(StandardCharsets.UTF_8).length;
        long bound = (long) maxContext * longestPiece(tok);
        if (bytes > bound)
            throw new BadInputException(file + ":" + line + ": prompt is " + bytes + " bytes, more than the model's context of " + maxContext
                    + " tokens can hold (at most " + bound + " bytes); not tokenised");
    }

    /**
     * Like {@link #checkLength(Path, int, String, Tokenizer, int)} for a prompt given on the command line or in a
     * request ({@code where} names it): refuses, without tokenising, text too long for {@code maxContext} tokens.
     *
     * @throws BadInputException when {@code prompt} certainly has more than {@code maxContext} tokens
     */
    public static void checkLength(String where, String prompt, Tokenizer tok, int maxContext) {
        wellFormed(where, prompt);
        long bound = (long) maxContext * longestPiece(tok);
        if ((long) prompt.length() <= bound / 3) return; // at most 3 UTF-8 bytes per UTF-16 char: no need to encode
        long bytes = prompt.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > bound)
            throw new BadInputException(where + ": prompt is " + bytes + " bytes, more than the model's context of " + maxContext
                    + " tokens can hold (at most " + bound + " bytes); not tokenised");
    }

    /** False when {@code text} certainly has more than {@code maxContext} tokens (decided without tokenising it). */
    public static boolean mayFit(String text, Tokenizer tok, int maxContext) {
        long bound = (long) maxContext * longestPiece(tok);
        return (long) text.length() <= bound / 3 || text.getBytes(StandardCharsets.UTF_8).length <= bound;
    }

    /** @throws BadInputException naming {@code where} when {@code prompt} holds a lone UTF-16 surrogate */
    static void wellFormed(String where, String prompt) {
        try {
            dev.infercost.model.ByteLevelBpeTokenizer.requireWellFormed(prompt);
        } catch (BadInputException e) {
            throw new BadInputException(where + ": " + e.getMessage());
        }
    }

    static synchronized int longestPiece(Tokenizer tok) {
        return LONGEST.computeIfAbsent(tok, t -> {
            if (t instanceof dev.infercost.model.ByteLevelBpeTokenizer bl) return bl.longestPieceBytes();
            if (!(t instanceof BpeTokenizer b)) return 64;
            int m = 1;
            for (int i = 0; i < b.vocabSize(); i++) m = Math.max(m, b.pieceBytes(i).length);
            return m;
        });
    }
}
