package dev.infercost.model;

/**
 * Element types of weight tensors, with GGML's block layouts (ggml/src/ggml-common.h):
 * F32 = 4 bytes/element; F16 = IEEE half, 2 bytes/element; Q8_0 = blocks of 32 elements stored as one
 * fp16 scale d followed by 32 int8 quants q, value = d * q (34 bytes per 32 elements).
 */
public enum TensorType {
    F32(1, 4), F16(1, 2), Q8_0(32, 34);

    /** Elements per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;

    TensorType(int blockSize, int blockBytes) { this.blockSize = blockSize; this.blockBytes = blockBytes; }

    /** Bytes needed for {@code elements} elements (must be a multiple of {@link #blockSize}). */
    public long bytesFor(long elements) { return elements / blockSize * blockBytes; }
}
