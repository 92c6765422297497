package dev.infercost.engine.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.infercost.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens DJL Hugging Face tokenizers without any network access. DJL's {@code LibUtils} would download a
 * CUDA flavour of its native library when it sees a GPU; with {@code ai.djl.offline=true} it always uses
 * the CPU library shipped inside the {@code ai.djl.huggingface:tokenizers} jar (extracted to DJL's cache dir).
 */
public final class Djl {
    private Djl() {}

    static {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    }

    /** A tokenizer from a {@code tokenizer.json} file. @throws BadInputException if it cannot be read or parsed */
    public static HuggingFaceTokenizer fromFile(Path tokenizerJson, Map<String, String> options) {
        if (!Files.isRegularFile(tokenizerJson))
            throw new BadInputException(tokenizerJson + ": tokenizer.json not found (expected a Hugging Face tokenizers JSON file)");
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(tokenizerJson + ": not a Hugging Face tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** A tokenizer from a class-path resource. */
    public static HuggingFaceTokenizer fromResource(String resource, Map<String, String> options) {
        try (InputStream in = Djl.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new BadInputException("class-path resource " + resource + " not found");
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException e) {
            throw new BadInputException("class-path resource " + resource + ": " + e.getMessage(), e);
        }
    }
}
