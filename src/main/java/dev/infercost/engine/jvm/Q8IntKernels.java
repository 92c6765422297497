package dev.infercost.engine.jvm;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.infercost.engine.jvm.Kernels.I16;
import static dev.infercost.engine.jvm.Kernels.LE;

/**
 * Batch-1 Q8_0 products with the activations quantised to 8 bits once per matmul and integer multiply-accumulate
 * per block, the scheme of llama.cpp's CPU backend (ggml/src/ggml-quants.c {@code quantize_row_q8_0_ref}: per
 * 32-element block {@code d = max|x| / 127}, {@code q = roundf(x / d)}, d kept as fp16; ggml-cpu's
 * {@code ggml_vec_dot_q8_0_q8_0}: {@code sum_blocks d_w * d_x * sum_i qw_i * qx_i} with the inner sum in integers).
 *
 * <p>Each block's 32 weight quants are widened to 16-bit lanes and multiplied by the activation quants (products fit
 * 16 bits: |q_w| <= 128, |q_x| <= 127), adjacent pairs are summed into 32-bit lanes as {@code (v + (v << 16)) >> 16}
 * (exact: a pair is at most 32512 in magnitude), converted to float once per block and scaled with
 * {@code d_w * d_x}; four weight rows per pass share each activation load and keep four independent accumulator
 * chains in flight. The integer part is exact, so the only difference from the fp32 kernels is the activation
 * rounding, bounded per row by {@link #errorBound}.
 *
 * <p>Needs 16-bit vectors of 16 or 32 lanes (AVX2 or AVX-512); {@link #SUPPORTED} is false elsewhere and the callers
 * keep the fp32 path.
 */
final class Q8IntKernels {
    private Q8IntKernels() {}

    /** 16-bit lanes of the preferred vector width (32 on AVX-512, 16 on AVX2). */
    static final VectorSpecies<Short> SS = ShortVector.SPECIES_PREFERRED;
    static final int LS = SS.length();
    /** Bytes widened into one SS vector. */
    static final VectorSpecies<Byte> SB = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LS * 8)));
    static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    /** True when one block is one or two SS vectors and the int/float species have LS / 2 lanes. */
    static final boolean SUPPORTED = (LS == 16 || LS == 32) && SI.length() == LS / 2 && SF.length() == LS / 2;
    /**
     * Whether the engine's batch-1 Q8_0 products take this path: opt-in with {@code -Dinfercost.jvm.q8int=true}.
     * Not the default: C2 has no widening multiply-add to map it to (it emits vpmullw and shift/add pair sums, where
     * llama.cpp uses one VNNI instruction), and on the stories110M shape (Q8_0, batch 1, context 64, 1 thread) it ran
     * at 46-47 tokens per CPU-second against 50-53 for the fp32 kernel (3 paired rounds; Q8KernelBenchmark shows the
     * same out of cache). It does bring the results closer to llama.cpp's, which quantises activations the same way.
     */
    static final boolean ENABLED = SUPPORTED && Boolean.getBoolean("infercost.jvm.q8int");

    /**
     * Quantises x[xo .. xo+cols) (cols a multiple of 32) to Q8_0 blocks: quants into q[0..cols) (as 16-bit values,
     * widened once here rather than once per weight row), each block's scale (fp16-rounded, as GGML stores it) into
     * d[0..cols/32).
     */
    static void quantize(float[] x, int xo, int cols, short[] q, float[] d) {
        for (int b = 0; b < cols / 32; b++) {
            int o = xo + 32 * b;
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[o + i]));
            float s = amax / 127f, id = s != 0 ? 1f / s : 0f;
            d[b] = Float.float16ToFloat(Float.floatToFloat16(s));
            for (int i = 0; i < 32; i++) {
                float v = x[o + i] * id;
                // roundf: half away from zero
                q[32 * b + i] = (short) (v >= 0 ? (int) (v + 0.5f) : -(int) (-v + 0.5f));
            }
        }
    }

    /**
     * {@code out[o + r] = sum_blocks d_w d_x sum_i qw_i qx_i} for rows r in [r0, r1) of the Q8_0 matrix at seg
     * (rowBytes = cols / 32 * 34 apart), with (q, d) from {@link #quantize}.
     */
    static void matvecRows(MemorySegment seg, long rowBytes, int cols, int r0, int r1, short[] q, float[] d, float[] out, int o) {
        int r = r0;
        for (; r + 4 <= r1; r += 4) dot4(seg, r * rowBytes, rowBytes, cols, q, d, out, o + r);
        for (; r < r1; r++) out[o + r] = dot1(seg, r * rowBytes, cols, q, d);
    }

    /** Sum of the int products of 32 weight quants at w (SS.length() per vector) and activation quants at q[qi..]. */
    private static IntVector block(MemorySegment seg, long w, short[] q, int qi) {
        ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(SB, seg, w, LE).convertShape(VectorOperators.B2S, SS, 0))
                .mul(ShortVector.fromArray(SS, q, qi));
        if (LS == 16) {
            ShortVector p2 = ((ShortVector) ByteVector.fromMemorySegment(SB, seg, w + 16, LE).convertShape(VectorOperators.B2S, SS, 0))
                    .mul(ShortVector.fromArray(SS, q, qi + 16));
            return pairs(p).add(pairs(p2));
        }
        return pairs(p);
    }

    /** Adjacent 16-bit lanes summed into 32-bit lanes (sign-extended halves). */
    private static IntVector pairs(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
    }

    private static void dot4(MemorySegment seg, long base, long rb, int cols, short[] q, float[] d, float[] out, int o) {
        if (LS != 32) { dot4Generic(seg, base, rb, cols, q, d, out, o); return; }
        // AVX-512: one block = one 32-lane short vector; everything written out so that nothing is left to inlining
        // heuristics (a vector returned from a call that is not inlined is boxed)
        FloatVector a0 = FloatVector.zero(SF), a1 = a0, a2 = a0, a3 = a0;
        long p0 = base, p1 = base + rb, p2 = p1 + rb, p3 = p2 + rb;
        int blocks = cols / 32;
        for (int blk = 0; blk < blocks; blk++) {
            long bo = 34L * blk;
            int qi = 32 * blk;
            float dx = d[blk];
            ShortVector xq = ShortVector.fromArray(SS, q, qi);
            IntVector v0 = ((ShortVector) ByteVector.fromMemorySegment(SB, seg, p0 + bo + 2, LE).convertShape(VectorOperators.B2S, SS, 0)).mul(xq).reinterpretAsInts();
            IntVector v1 = ((ShortVector) ByteVector.fromMemorySegment(SB, seg, p1 + bo + 2, LE).convertShape(VectorOperators.B2S, SS, 0)).mul(xq).reinterpretAsInts();
            IntVector v2 = ((ShortVector) ByteVector.fromMemorySegment(SB, seg, p2 + bo + 2, LE).convertShape(VectorOperators.B2S, SS, 0)).mul(xq).reinterpretAsInts();
            IntVector v3 = ((ShortVector) ByteVector.fromMemorySegment(SB, seg, p3 + bo + 2, LE).convertShape(VectorOperators.B2S, SS, 0)).mul(xq).reinterpretAsInts();
            v0 = v0.add(v0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            v1 = v1.add(v1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            v2 = v2.add(v2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            v3 = v3.add(v3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            float s0 = dx * Float.float16ToFloat(seg.get(I16, p0 + bo)), s1 = dx * Float.float16ToFloat(seg.get(I16, p1 + bo)),
                    s2 = dx * Float.float16ToFloat(seg.get(I16, p2 + bo)), s3 = dx * Float.float16ToFloat(seg.get(I16, p3 + bo));
            a0 = ((FloatVector) v0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(SF, s0), a0);
            a1 = ((FloatVector) v1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(SF, s1), a1);
            a2 = ((FloatVector) v2.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(SF, s2), a2);
            a3 = ((FloatVector) v3.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(SF, s3), a3);
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = a1.reduceLanes(VectorOperators.ADD);
        out[o + 2] = a2.reduceLanes(VectorOperators.ADD);
        out[o + 3] = a3.reduceLanes(VectorOperators.ADD);
    }

    private static void dot4Generic(MemorySegment seg, long base, long rb, int cols, short[] q, float[] d, float[] out, int o) {
        for (int k = 0; k < 4; k++) out[o + k] = dot1(seg, base + k * rb, cols, q, d);
    }

    /** One row; per row the same operations and order as {@link #dot4} (bitwise equal). */
    private static float dot1(MemorySegment seg, long base, int cols, short[] q, float[] d) {
        FloatVector a0 = FloatVector.zero(SF);
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = base + 34L * blk;
            float s0 = d[blk] * Float.float16ToFloat(seg.get(I16, bo));
            a0 = ((FloatVector) block(seg, bo + 2, q, 32 * blk).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(SF, s0), a0);
        }
        return a0.reduceLanes(VectorOperators.ADD);
    }

    /** Scalar reference: the same integer sums per block, in double. */
    static double dotScalar(MemorySegment seg, long base, int cols, short[] q, float[] d) {
        double s = 0;
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = base + 34L * blk;
            int acc = 0;
            for (int i = 0; i < 32; i++) acc += seg.get(ValueLayout.JAVA_BYTE, bo + 2 + i) * q[32 * blk + i];
            s += (double) d[blk] * Float.float16ToFloat(seg.get(I16, bo)) * acc;
        }
        return s;
    }

    /**
     * Bound on |integer-path result - result with the fp32 activations| for one row, from the activation rounding:
     * per block {@code |d_w| * sum_i |qw_i| * (d32 / 2 + 127 |d_x - d32|)}, where {@code d32 = max|x| / 127} is
     * the unrounded scale the quants were rounded with ({@code |x_i - d32 q_i| <= d32 / 2}) and d_x its fp16 rounding
     * used in the product ({@code |q_i| <= 127}). Excludes the fp32 rounding of the sums (relative ~1e-6).
     */
    static double errorBound(MemorySegment seg, long base, int cols, float[] x, int xo, float[] d) {
        double e = 0;
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = base + 34L * blk;
            double sw = 0;
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                sw += Math.abs(seg.get(ValueLayout.JAVA_BYTE, bo + 2 + i));
                amax = Math.max(amax, Math.abs(x[xo + 32 * blk + i]));
            }
            double d32 = amax / 127f;
            e += Math.abs(Float.float16ToFloat(seg.get(I16, bo))) * sw * (d32 / 2 + 127 * Math.abs(d[blk] - d32));
        }
        return e;
    }
}
