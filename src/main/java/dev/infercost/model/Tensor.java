package dev.infercost.model;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D (or 1-D, rows = 1) weight tensor in row-major {@code [rows, cols]} order, i.e. PyTorch's
 * {@code [out_features, in_features]} for a linear layer, stored in {@link #type()}'s layout.
 * Quantised tensors are blocked along a row (cols must be a multiple of the block size).
 */
public interface Tensor {
    TensorType type();
    int rows();
    int cols();

    /** Element {@code index} (row * cols + col) as float, dequantised. */
    float get(long index);

    /** Dequantises row {@code row} into {@code dst[off .. off+cols)}. */
    void dequantizeRow(int row, float[] dst, int off);

    /** The raw bytes in {@link #type()}'s layout (little-endian), {@code type().bytesFor(rows*cols)} long. */
    MemorySegment data();

    default long size() { return (long) rows() * cols(); }

    /** Whole tensor dequantised to fp32, row-major. Allocates; for export and tests, not hot paths. */
    default float[] toFloatArray() {
        if (size() > Integer.MAX_VALUE) throw new IllegalStateException("tensor too large for one array: " + size());
        float[] out = new float[(int) size()];
        for (int r = 0; r < rows(); r++) dequantizeRow(r, out, r * cols());
        return out;
    }
}
