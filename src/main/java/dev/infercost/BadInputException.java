package dev.infercost;

/**
 * A user-facing input problem (missing or corrupt model file, tokenizer that does not match the model,
 * invalid price, batch too large for memory ...). The CLI prints {@link #getMessage()} as a single line
 * and exits with status 2; nothing half-written is left in a results folder.
 *
 * <p>Messages must name the file, field or value and say what was expected, e.g.
 * {@code "models/x.bin: header says vocab_size=512 but tokenizer tok.bin has 32000 entries"}.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) { super(message); }
    public BadInputException(String message, Throwable cause) { super(message, cause); }
}
