package dev.infercost.model;

import dev.infercost.BadInputException;

import java.nio.file.Path;

/** Entry point for loading any supported model. */
public final class Models {
    private Models() {}

    /**
     * Loads a model.
     *
     * @param spec      a file path ({@code .bin} llama2.c checkpoint, {@code .gguf}) or a preset name
     *                  ({@code preset:NAME} or bare {@code NAME} of a known preset)
     * @param tokenizer llama2.c tokenizer file for {@code .bin} checkpoints (null: look beside the model for
     *                  tokenizer.bin / tok&lt;vocab&gt;.bin); ignored for GGUF (metadata) and presets
     * @throws BadInputException missing/corrupt file, unknown preset, tokenizer/model vocab mismatch
     */
    public static LlamaModel load(String spec, Path tokenizer) {
        throw new BadInputException("model loading not implemented yet: " + spec);
    }
}
