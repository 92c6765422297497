package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.model.Tensor;
import dev.infercost.model.TensorType;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

import java.lang.foreign.MemorySegment;

/**
 * A weight tensor in TornadoVM's off-heap array types, in its file layout (no dequantisation on the host):
 * F32 → {@link FloatArray}, F16 → {@link ShortArray} of raw half bits, Q8_0 → {@link ByteArray} of raw
 * 34-byte blocks. The kernels in {@link LlamaKernels} decode F16 and Q8_0 on the device.
 *
 * @param type  element type as stored
 * @param rows  output features
 * @param cols  input features
 * @param array the device-bound array
 */
record DeviceTensor(TensorType type, int rows, int cols, TornadoNativeArray array) {

    /**
     * Copies {@code t}'s raw bytes into a TornadoVM array.
     *
     * @throws BadInputException if the tensor has more elements (or bytes) than TornadoVM's int-indexed arrays hold
     */
    static DeviceTensor of(String name, Tensor t) {
        long elems = t.size();
        long bytes = t.type().bytesFor(elems);
        if (elems > Integer.MAX_VALUE || bytes > Integer.MAX_VALUE)
            throw new BadInputException("tensor " + name + " [" + t.rows() + ", " + t.cols() + "] " + t.type()
                    + " is too large for one TornadoVM array (" + bytes + " bytes; TornadoVM arrays are int-indexed)");
        MemorySegment seg = t.data();
        if (seg.byteSize() != bytes)
            throw new BadInputException("tensor " + name + ": " + seg.byteSize() + " bytes stored, expected " + bytes + " for " + t.type());
        TornadoNativeArray a = switch (t.type()) {
            case F32 -> FloatArray.fromSegment(seg);
            case F16 -> ShortArray.fromSegment(seg);
            case Q8_0 -> ByteArray.fromSegment(seg);
            default -> throw new BadInputException("tensor " + name + " has type " + t.type()
                    + ": the tornado backend runs F32, F16 and Q8_0 only; use --backend jvm for K-quants, legacy quants, IQ4 and BF16");
        };
        return new DeviceTensor(t.type(), t.rows(), t.cols(), a);
    }

    /** A 1-D tensor (norm weights) as fp32, dequantised on the host (tiny, read once per row by the norms). */
    static FloatArray vector(Tensor t) {
        return FloatArray.fromArray(t.toFloatArray());
    }

    FloatArray f32() { return (FloatArray) array; }

    ShortArray f16() { return (ShortArray) array; }

    ByteArray q8() { return (ByteArray) array; }

    long bytes() { return type.bytesFor((long) rows * cols); }
}
