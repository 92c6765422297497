package dev.infercost.model;

import dev.infercost.BadInputException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A {@link Tensor} over a {@link MemorySegment} (a memory-mapped file region or off-heap memory) in
 * GGML's little-endian layouts: F32, F16 (IEEE 754 binary16) and Q8_0 (per 32 elements: fp16 scale d,
 * then 32 int8 quants q; value = d * q; ggml/src/ggml-common.h {@code block_q8_0}).
 * Shape {@code [rows, cols]} row-major; for Q8_0, cols must be a multiple of 32.
 */
public final class MappedTensor implements Tensor {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TensorType type;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    private final long rowBytes;

    /**
     * @throws BadInputException if cols is not a multiple of the type's block size or the segment size does
     *         not equal {@code type.bytesFor(rows*cols)}
     */
    public MappedTensor(TensorType type, int rows, int cols, MemorySegment data) {
        if (cols % type.blockSize != 0)
            throw new BadInputException("tensor of type " + type + " needs cols to be a multiple of " + type.blockSize + ", got " + cols);
        long need = type.bytesFor((long) rows * cols);
        if (data.byteSize() != need)
            throw new BadInputException("tensor [" + rows + ", " + cols + "] " + type + " needs " + need + " bytes, segment has " + data.byteSize());
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.rowBytes = type.bytesFor(cols);
    }

    @Override public TensorType type() { return type; }
    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public MemorySegment data() { return data; }

    /** Bytes of one row in this tensor's layout. */
    public long rowBytes() { return rowBytes; }

    @Override
    public float get(long index) {
        return switch (type) {
            case F32 -> data.get(F32, index * 4);
            case F16 -> Float.float16ToFloat(data.get(I16, index * 2));
            case Q8_0 -> {
                long block = index / 32;
                long off = block * 34;
                float d = Float.float16ToFloat(data.get(I16, off));
                yield d * data.get(ValueLayout.JAVA_BYTE, off + 2 + (index % 32));
            }
        };
    }

    @Override
    public void dequantizeRow(int row, float[] dst, int off) {
        long base = row * rowBytes;
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, base, dst, off, cols);
            case F16 -> {
                for (int c = 0; c < cols; c++) dst[off + c] = Float.float16ToFloat(data.get(I16, base + 2L * c));
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long bo = base + 34L * b;
                    float d = Float.float16ToFloat(data.get(I16, bo));
                    for (int i = 0; i < 32; i++) dst[off + b * 32 + i] = d * data.get(ValueLayout.JAVA_BYTE, bo + 2 + i);
                }
            }
        }
    }

    @Override
    public String toString() { return "MappedTensor[" + type + " " + rows + "x" + cols + "]"; }
}
