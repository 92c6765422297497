package dev.infercost.model;

/**
 * Element types of weight tensors, with GGML's type ids (ggml/include/ggml.h {@code enum ggml_type}) and block
 * layouts (ggml/src/ggml-common.h {@code block_*}; dequantisation formulas in ggml/src/ggml-quants.c
 * {@code dequantize_row_*}, transcribed in {@link Quants}). Sizes per block:
 * <ul>
 * <li>F32 4 bytes/element; F16 IEEE binary16 and BF16 (bfloat16, the upper half of an fp32) 2 bytes/element.</li>
 * <li>32-element blocks: Q4_0 (fp16 d, 16 bytes of nibbles; 18 B), Q4_1 (d, m, nibbles; 20 B), Q5_0 (d, 4 bytes of
 *     fifth bits, nibbles; 22 B), Q5_1 (d, m, fifth bits, nibbles; 24 B), Q8_0 (d, 32 int8; 34 B),
 *     IQ4_NL (d, nibbles indexing the non-linear table kvalues_iq4nl; 18 B).</li>
 * <li>256-element super-blocks (QK_K): Q2_K (84 B), Q3_K (110 B), Q4_K (144 B), Q5_K (176 B), Q6_K (210 B),
 *     IQ4_XS (136 B).</li>
 * </ul>
 */
public enum TensorType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34),
    Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176), Q6_K(14, 256, 210),
    IQ4_NL(20, 32, 18), IQ4_XS(23, 256, 136), BF16(30, 1, 2);

    /** ggml_type id as stored in GGUF tensor infos. */
    public final int ggmlId;
    /** Elements per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;

    TensorType(int ggmlId, int blockSize, int blockBytes) { this.ggmlId = ggmlId; this.blockSize = blockSize; this.blockBytes = blockBytes; }

    /** Bytes needed for {@code elements} elements (must be a multiple of {@link #blockSize}). */
    public long bytesFor(long elements) { return elements / blockSize * blockBytes; }

    /** The type with ggml id {@code id}, or null when this project does not read it. */
    public static TensorType ofGgml(int id) {
        for (TensorType t : values()) if (t.ggmlId == id) return t;
        return null;
    }

    /**
     * ggml's name for a type id (ggml.c {@code type_traits[].type_name}, upper-cased), for error messages about
     * types that are not read here.
     */
    public static String ggmlName(int id) {
        TensorType t = ofGgml(id);
        if (t != null) return t.name();
        return switch (id) {
            case 4 -> "Q4_2 (removed)"; case 5 -> "Q4_3 (removed)"; case 9 -> "Q8_1"; case 15 -> "Q8_K";
            case 16 -> "IQ2_XXS"; case 17 -> "IQ2_XS"; case 18 -> "IQ3_XXS"; case 19 -> "IQ1_S"; case 21 -> "IQ3_S";
            case 22 -> "IQ2_S"; case 24 -> "I8"; case 25 -> "I16"; case 26 -> "I32"; case 27 -> "I64"; case 28 -> "F64";
            case 29 -> "IQ1_M"; case 34 -> "TQ1_0"; case 35 -> "TQ2_0"; case 39 -> "MXFP4"; case 40 -> "NVFP4";
            default -> "type";
        };
    }
}
