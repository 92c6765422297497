package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A Q8_0 weight matrix repacked once at engine load for the batch-1 kernels of {@link Q8Kernels}: the int8 quants
 * of all blocks contiguous (a heap {@code byte[rows x cols]}, row-major, so a block's 32 quants start at a multiple of 32) and the per-block fp16 scales converted to a {@code float[rows * cols / 32]}.
 * Still one byte per weight (nothing is dequantised to F32); the values are exactly GGML's {@code block_q8_0}
 * values {@code d * q} (ggml/src/ggml-common.h), only laid out differently: GGML interleaves 2 scale bytes with
 * each 32 quants (34-byte blocks), which puts every 16-byte vector load at an odd offset and costs a scalar fp16
 * load and conversion per block inside the dot product.
 */
final class RepackedQ8 {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final int rows, cols;
    /** Quants: row r, column c at index {@code r * cols + c}. */
    final byte[] q;
    /** Scale of row r, block b (columns 32b..32b+31) at {@code r * (cols / 32) + b}. */
    final float[] d;

    private RepackedQ8(int rows, int cols, byte[] q, float[] d) {
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.d = d;
    }

    /**
     * @param t a Q8_0 tensor (cols a multiple of 32, as {@link MappedTensor} guarantees)
     * @throws IllegalArgumentException if t is not Q8_0 or its scales do not fit one Java array
     */
    static RepackedQ8 of(MappedTensor t) {
        if (t.type() != TensorType.Q8_0) throw new IllegalArgumentException("not Q8_0: " + t.type());
        int rows = t.rows(), cols = t.cols(), bpr = cols / 32;
        long nBlocks = (long) rows * bpr;
        if (nBlocks > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor [" + rows + ", " + cols + "] has too many blocks to repack");
        MemorySegment src = t.data();
        if ((long) rows * cols > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor [" + rows + ", " + cols + "] too large to repack");
        byte[] q = new byte[rows * cols];
        float[] d = new float[(int) nBlocks];
        for (long blk = 0; blk < nBlocks; blk++) {
            long so = 34L * blk;
            d[(int) blk] = Float.float16ToFloat(src.get(I16, so));
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, so + 2, q, (int) (32 * blk), 32);
        }
        return new RepackedQ8(rows, cols, q, d);
    }
}
