package dev.infercost.model;

/**
 * Where a model came from, for every result row that uses it.
 *
 * @param name           short name (file stem or preset name), e.g. "stories260K", "llama-3.2-1b"
 * @param format         "llama2c", "gguf", "preset", "onnx"
 * @param source         absolute file path, or "preset:NAME"
 * @param syntheticWeights true for presets (deterministic synthetic weights: valid for cost work, not accuracy)
 * @param dtype          weight element type as stored ("F32", "F16", "Q8_0", "mixed")
 * @param weightBytes    bytes of weights as held in memory by the engine's source model
 */
public record ModelInfo(String name, String format, String source, boolean syntheticWeights, String dtype, long weightBytes) {
    /** "real" or "synthetic", the value of the weights column in result tables. */
    public String weightsLabel() { return syntheticWeights ? "synthetic" : "real"; }
}
