package dev.infercost.model;

import dev.infercost.BadInputException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A {@link Tensor} over a {@link MemorySegment} (a memory-mapped file region or off-heap memory) in one of
 * GGML's little-endian layouts ({@link TensorType}; e.g. Q8_0: per 32 elements an fp16 scale d, then 32 int8
 * quants q, value = d * q, ggml/src/ggml-common.h {@code block_q8_0}). Shape {@code [rows, cols]} row-major;
 * cols must be a multiple of the type's block size (32 or 256). Element access dequantises through the scalar
 * {@link Quants} reference.
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
            case BF16 -> Quants.bf16(data.get(I16, index * 2));
            default -> {
                float[] blk = new float[type.blockSize];
                Quants.block(type, data, index / type.blockSize * type.blockBytes, blk, 0);
                yield blk[(int) (index % type.blockSize)];
            }
        };
    }

    @Override
    public void dequantizeRow(int row, float[] dst, int off) {
        Quants.dequantize(type, data, row * rowBytes, cols, dst, off);
    }

    @Override
    public String toString() { return "MappedTensor[" + type + " " + rows + "x" + cols + "]"; }
}
