package dev.infercost.model;

import dev.infercost.BadInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Entry point for loading any supported model. */
public final class Models {
    private Models() {}

    /**
     * Loads a model.
     *
     * <p>Spec forms: a path to a {@code .gguf} file (GGUF v3, detected by its magic), any other path is read
     * as a llama2.c checkpoint; a preset {@code NAME}, {@code preset:NAME}, {@code NAME:DTYPE} or
     * {@code preset:NAME:DTYPE} with NAME one of {@link PresetShapes#names()} (case-insensitive) and DTYPE one of
     * f32, f16, q8_0 (default: q8_0 for llama-*, f32 for stories*). An existing file always wins over a preset
     * name.
     *
     * @param spec      a file path ({@code .bin} llama2.c checkpoint, {@code .gguf}) or a preset name
     * @param tokenizer llama2.c tokenizer file for {@code .bin} checkpoints (null: look beside the model for
     *                  tok&lt;vocab&gt;.bin, then tokenizer.bin); for presets, replaces the synthetic vocabulary
     *                  (its size must equal the preset's vocab_size); ignored for GGUF (metadata)
     * @throws BadInputException missing/corrupt file, unknown preset, tokenizer/model vocab mismatch
     */
    public static LlamaModel load(String spec, Path tokenizer) {
        if (spec == null || spec.isBlank()) throw new BadInputException("no model given (a .bin/.gguf path or a preset name)");
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) return loadFile(p, tokenizer);
        String s = spec.startsWith("preset:") ? spec.substring(7) : spec;
        String name = s, dtype = null;
        int colon = s.lastIndexOf(':');
        if (colon > 0) { name = s.substring(0, colon); dtype = s.substring(colon + 1); }
        String canon = PresetShapes.canonical(name);
        if (canon == null) {
            if (spec.startsWith("preset:") || !(spec.contains("/") || spec.contains(".")))
                PresetShapes.config(name); // throws with the list of presets
            throw new BadInputException(spec + ": model file not found (and not a preset; presets: " + String.join(", ", PresetShapes.names()) + ")");
        }
        TensorType type = dtype == null ? SyntheticModels.defaultType(canon) : parseType(spec, dtype);
        LlamaModel m = SyntheticModels.create(canon, type);
        if (tokenizer == null) return m;
        // a real vocabulary of the preset's size (e.g. tokenizer.bin for the stories presets) replaces the synthetic one
        BpeTokenizer t = Llama2cFormat.readTokenizerFor(Path.of("preset:" + canon), tokenizer, m.config().vocabSize());
        return m.withTokenizer(t);
    }

    private static TensorType parseType(String spec, String dtype) {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> TensorType.F32;
            case "f16" -> TensorType.F16;
            case "q8_0", "q8" -> TensorType.Q8_0;
            default -> throw new BadInputException(spec + ": unknown dtype '" + dtype + "'; expected f32, f16 or q8_0");
        };
    }

    /** Loads a model file: GGUF when the file starts with "GGUF", else a llama2.c checkpoint. */
    public static LlamaModel loadFile(Path file, Path tokenizer) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": model file not found");
        byte[] magic = new byte[4];
        try (var in = Files.newInputStream(file)) {
            int n = in.readNBytes(magic, 0, 4);
            if (n == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F') return ModelFileValidator.requireFiniteWeights(GgufLoader.load(file));
        } catch (java.io.IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (file.toString().endsWith(".gguf")) return GgufLoader.load(file); // reports the bad magic
        return ModelFileValidator.requireFiniteWeights(Llama2cFormat.load(file, tokenizer));
    }

    /**
     * A copy of {@code m} with another context length (llama.cpp's {@code -c}): for GGUF files whose
     * {@code llama.context_length} is smaller than the positions a run needs. RoPE extrapolates beyond the
     * trained length; results there are the model's behaviour, not an error.
     */
    public static LlamaModel withContextLength(LlamaModel m, int seqLen) {
        LlamaConfig c = m.config();
        return m.withConfig(c.withSeqLen(seqLen));
    }
}
