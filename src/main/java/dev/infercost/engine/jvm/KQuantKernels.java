package dev.infercost.engine.jvm;

import dev.infercost.model.Quants;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.infercost.engine.jvm.Kernels.I16;
import static dev.infercost.engine.jvm.Kernels.LE;

/**
 * Batch-1 Q4_K and Q6_K products fused with the unpacking (no dequantised row goes through memory): per 256-element
 * super-block ({@code block_q4_K} in ggml/src/ggml-common.h: fp16 d @0, fp16 dmin @2, 12 bytes of 6-bit scales and mins
 * @4, 128 bytes of nibbles @16), each 32-element sub-block s contributes
 * {@code d * sc_s * sum_i q_i x_i - dmin * m_s * sum_i x_i} (dequantize_row_q4_K's {@code d1 * q - m1}, distributed
 * over the dot product). The nibbles are widened to float in registers and multiplied with the fp32 activations;
 * {@code sum_i x_i} per 32 elements is formed once per call. Same value as dequantising with {@link Quants} and
 * taking the dot product, up to fp32 rounding (KQuantKernelsTest).
 *
 * <p>Needs 8 or 16 float lanes (AVX2 or AVX-512); {@link #SUPPORTED} is false elsewhere and the callers keep the
 * dequantising path.
 */
final class KQuantKernels {
    private KQuantKernels() {}

    static final VectorSpecies<Float> S = Kernels.S;
    static final int L = S.length();
    static final VectorSpecies<Byte> SB = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** True for 8 or 16 float lanes, unless {@code -Dinfercost.jvm.fusedK=false} (then the dequantising path runs). */
    static final boolean SUPPORTED = (L == 8 || L == 16) && !"false".equals(System.getProperty("infercost.jvm.fusedK"));

    /**
     * {@code out[o + r] = row(r) . x[xo .. xo+cols)} for rows r in [r0, r1) of the Q4_K matrix at seg (rowBytes apart,
     * cols a multiple of 256).
     *
     * @param scratch at least cols / 32 floats (the activation sums per 32 elements)
     */
    static void matvecQ4K(MemorySegment seg, long rowBytes, int cols, int r0, int r1, float[] x, int xo, float[] out, int o, float[] scratch) {
        int subs = cols / 32;
        for (int s = 0; s < subs; s++) {
            FloatVector a = FloatVector.zero(S);
            for (int i = 0; i < 32; i += L) a = a.add(FloatVector.fromArray(S, x, xo + 32 * s + i));
            scratch[s] = a.reduceLanes(VectorOperators.ADD);
        }
        for (int r = r0; r < r1; r++) out[o + r] = dotQ4K(seg, r * rowBytes, cols, x, xo, scratch);
    }

    private static float dotQ4K(MemorySegment seg, long base, int cols, float[] x, int xo, float[] xsum) {
        FloatVector acc = FloatVector.zero(S);
        float mins = 0;
        for (int blk = 0; blk < cols / 256; blk++) {
            long p = base + 144L * blk;
            // the block's header read as 4 ints (one scalar segment access each; per-byte reads cost a session check
            // apiece): d | dmin << 16, then the 12 scale bytes; get_scale_min_k4 done on the words in registers
            int dd = seg.get(QuantKernels.I32, p), a0 = seg.get(QuantKernels.I32, p + 4), a1 = seg.get(QuantKernels.I32, p + 8),
                    a2 = seg.get(QuantKernels.I32, p + 12);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            int xb = xo + 256 * blk;
            for (int j = 0; j < 4; j++) {
                int is = 2 * j;
                long q = p + 16 + 32L * j;
                int xj = xb + 64 * j;
                FloatVector lo = FloatVector.zero(S), hi = lo;
                for (int l = 0; l < 32; l += L) {
                    ByteVector b = ByteVector.fromMemorySegment(SB, seg, q + l, LE);
                    lo = ((FloatVector) b.and((byte) 0x0F).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.fromArray(S, x, xj + l), lo);
                    hi = ((FloatVector) b.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.fromArray(S, x, xj + 32 + l), hi);
                }
                acc = lo.fma(FloatVector.broadcast(S, d * scale(a0, a1, a2, is)), acc);
                acc = hi.fma(FloatVector.broadcast(S, d * scale(a0, a1, a2, is + 1)), acc);
                int sub = 8 * blk + is;
                mins += dmin * (min(a0, a1, a2, is) * xsum[sub] + min(a0, a1, a2, is + 1) * xsum[sub + 1]);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    /**
     * {@code out[o + r] = row(r) . x[xo .. xo+cols)} for rows r in [r0, r1) of the Q6_K matrix at seg ({@code block_q6_K}:
     * ql[128] @0, qh[64] @128, int8 scales[16] @192, fp16 d @208; dequantize_row_q6_K's value
     * {@code d * scales[16-element group] * ((4 low bits | 2 high bits << 4) - 32)}), fused as {@link #matvecQ4K}.
     */
    static void matvecQ6K(MemorySegment seg, long rowBytes, int cols, int r0, int r1, float[] x, int xo, float[] out, int o) {
        for (int r = r0; r < r1; r++) out[o + r] = dotQ6K(seg, r * rowBytes, cols, x, xo);
    }

    private static float dotQ6K(MemorySegment seg, long base, int cols, float[] x, int xo) {
        FloatVector c1 = FloatVector.zero(S), c2 = c1, c3 = c1, c4 = c1;
        for (int blk = 0; blk < cols / 256; blk++) {
            long p = base + 210L * blk;
            float d = Float.float16ToFloat(seg.get(I16, p + 208));
            int w0 = seg.get(QuantKernels.I32, p + 192), w1 = seg.get(QuantKernels.I32, p + 196),
                    w2 = seg.get(QuantKernels.I32, p + 200), w3 = seg.get(QuantKernels.I32, p + 204);
            for (int h = 0; h < 2; h++) {
                long ql = p + 64L * h, qh = p + 128 + 32L * h;
                for (int l = 0; l < 32; l += L) {
                    int is = 8 * h + l / 16;
                    ByteVector a = ByteVector.fromMemorySegment(SB, seg, ql + l, LE), b = ByteVector.fromMemorySegment(SB, seg, ql + l + 32, LE),
                            hh = ByteVector.fromMemorySegment(SB, seg, qh + l, LE);
                    ByteVector q1 = a.and((byte) 0x0F).or(hh.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q2 = b.and((byte) 0x0F).or(hh.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hh.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q4 = b.lanewise(VectorOperators.LSHR, 4).or(hh.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    int xi = xo + 256 * blk + 128 * h + l;
                    c1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, S, 0)).mul(FloatVector.fromArray(S, x, xi)).fma(FloatVector.broadcast(S, d * sc(w0, w1, w2, w3, is)), c1);
                    c2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, S, 0)).mul(FloatVector.fromArray(S, x, xi + 32)).fma(FloatVector.broadcast(S, d * sc(w0, w1, w2, w3, is + 2)), c2);
                    c3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, S, 0)).mul(FloatVector.fromArray(S, x, xi + 64)).fma(FloatVector.broadcast(S, d * sc(w0, w1, w2, w3, is + 4)), c3);
                    c4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, S, 0)).mul(FloatVector.fromArray(S, x, xi + 96)).fma(FloatVector.broadcast(S, d * sc(w0, w1, w2, w3, is + 6)), c4);
                }
            }
        }
        return c1.add(c2).add(c3.add(c4)).reduceLanes(VectorOperators.ADD);
    }

    /** Signed scale k (0..15) of the 16 int8 scales held as little-endian words w0..w3. */
    private static int sc(int w0, int w1, int w2, int w3, int k) {
        int w = k < 8 ? (k < 4 ? w0 : w1) : (k < 12 ? w2 : w3);
        return (byte) (w >>> (8 * (k & 3)));
    }

    /** Byte k (0..3) of w. */
    private static int b(int w, int k) { return (w >>> (8 * k)) & 0xFF; }

    /** get_scale_min_k4's scale j (0..7) from the 12 scale bytes as little-endian words a0, a1, a2. */
    static int scale(int a0, int a1, int a2, int j) {
        return j < 4 ? b(a0, j) & 63 : (b(a2, j - 4) & 0xF) | ((b(a0, j - 4) >> 6) << 4);
    }

    /** get_scale_min_k4's min j (0..7). */
    static int min(int a0, int a1, int a2, int j) {
        return j < 4 ? b(a1, j) & 63 : (b(a2, j - 4) >> 4) | ((b(a1, j - 4) >> 6) << 4);
    }
}
