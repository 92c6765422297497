package dev.infercost.engine.jvm;

import dev.infercost.model.Quants;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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
 * over the dot product). The quants are widened to float in registers and multiplied with the fp32 activations;
 * the activation sums that carry the mins (and Q6_K's -32 offset) are formed once per call. Same value as dequantising with {@link Quants} and
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

    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
    /** 2^23: {@code Float.intBitsToFloat(0x4B000000 | q) - 2^23 == q} exactly for 0 <= q < 2^23 (no convert instruction). */
    private static final float MAGIC = 8388608f;
    /** Lanes 0-7 of {@link #scalesMins}: the scales; 8-15: the mins. */
    private static final VectorMask<Integer> SCALES, PLAIN;
    private static final VectorShuffle<Integer> IA, IB;
    /** 1 for the scale lanes of even sub-blocks and the min lanes, 1/16 for odd sub-blocks (their quants are read as 16 q). */
    private static final FloatVector HI16;
    static {
        if (L == 16) {
            SCALES = VectorMask.fromLong(SI, 0x00FFL);
            PLAIN = VectorMask.fromLong(SI, 0x0F0FL);
            IA = VectorShuffle.fromValues(SI, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11);
            IB = VectorShuffle.fromValues(SI, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7);
            float[] f = new float[16];
            for (int k = 0; k < 16; k++) f[k] = k < 8 && k % 2 == 1 ? 1f / 16 : 1f;
            HI16 = FloatVector.fromArray(S, f, 0);
        } else {
            SCALES = null; PLAIN = null; IA = null; IB = null; HI16 = null;
        }
    }

    /**
     * {@code out[o + r] = row(r) . x[xo .. xo+cols)} for rows r in [r0, r1) of the Q4_K matrix at seg (rowBytes apart,
     * cols a multiple of 256).
     *
     * <p>Per super-block the 8 scales and 8 mins (get_scale_min_k4) are unpacked together (16 int lanes: two lane
     * permutations of the 12 bytes, masks and a blend; a scalar loop where vectors are not 16 lanes) and multiplied by
     * d and dmin in one vector, and the mins' term {@code dmin * sum_s m_s * sum_i x_i} is one fused multiply-add
     * against the activation sums laid out to meet the min lanes. Quants are widened bytes to int lanes, the low nibble
     * read as {@code q} and the high one, in place, as {@code 16 q} (its scale carries the 1/16), both turned into
     * floats by the 2^23 bit trick. The loops call no helper methods: a non-inlined helper ("callee uses too much
     * stack") makes C2 box every vector and ran 3x slower.
     *
     * @param scratch at least cols / 16 + 16 floats (the activation sums, then one block's scales)
     */
    static void matvecQ4K(MemorySegment seg, long rowBytes, int cols, int r0, int r1, float[] x, int xo, float[] out, int o, float[] scratch) {
        int subs = cols / 32, sm = cols / 16;
        for (int s = 0; s < subs; s++) {
            FloatVector a = FloatVector.zero(S);
            for (int i = 0; i < 32; i += L) a = a.add(FloatVector.fromArray(S, x, xo + 32 * s + i));
            // per super-block 16 floats: lanes 0..7 zero (the scale lanes), 8..15 the 8 sub-block sums (the min lanes)
            scratch[16 * (s / 8) + s % 8] = 0f;
            scratch[16 * (s / 8) + 8 + s % 8] = a.reduceLanes(VectorOperators.ADD);
        }
        for (int r = r0; r < r1; r++) out[o + r] = dotQ4K(seg, r * rowBytes, cols, x, xo, scratch, sm);
    }

    private static float dotQ4K(MemorySegment seg, long base, int cols, float[] x, int xo, float[] xs, int sm) {
        FloatVector acc = FloatVector.zero(S), acc2 = acc, corr = acc;
        float mins = 0;
        for (int blk = 0; blk < cols / 256; blk++) {
            long p = base + 144L * blk;
            int dd = seg.get(QuantKernels.I32, p);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            if (L == 16) {
                IntVector b = ((IntVector) ByteVector.fromMemorySegment(SB, seg, p + 4, LE).convertShape(VectorOperators.B2I, SI, 0)).and(0xFF);
                IntVector a = b.rearrange(IA), hb = b.rearrange(IB).lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4);
                IntVector packed = a.and(0xF).blend(a.lanewise(VectorOperators.LSHR, 4), SCALES.not()).or(hb).blend(a.and(63), PLAIN);
                FloatVector v = ((FloatVector) packed.convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(S, d).blend(dmin, SCALES.cast(S).not()));
                corr = v.fma(FloatVector.fromArray(S, xs, 16 * blk), corr);
                v.mul(HI16).intoArray(xs, sm);
            } else {
                int a0 = seg.get(QuantKernels.I32, p + 4), a1 = seg.get(QuantKernels.I32, p + 8), a2 = seg.get(QuantKernels.I32, p + 12);
                for (int k = 0; k < 8; k++) {
                    xs[sm + k] = d * scale(a0, a1, a2, k) * (k % 2 == 1 ? 1f / 16 : 1f);
                    mins += dmin * min(a0, a1, a2, k) * xs[16 * blk + 8 + k];
                }
            }
            int xb = xo + 256 * blk;
            for (int j = 0; j < 4; j++) {
                long q = p + 16 + 32L * j;
                int xj = xb + 64 * j;
                FloatVector lo = FloatVector.zero(S), hi = lo;
                for (int l = 0; l < 32; l += L) {
                    IntVector b = (IntVector) ByteVector.fromMemorySegment(SB, seg, q + l, LE).convertShape(VectorOperators.B2I, SI, 0);
                    lo = b.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(MAGIC).fma(FloatVector.fromArray(S, x, xj + l), lo);
                    hi = b.and(0xF0).or(0x4B000000).reinterpretAsFloats().sub(MAGIC).fma(FloatVector.fromArray(S, x, xj + 32 + l), hi);
                }
                acc = lo.fma(FloatVector.broadcast(S, xs[sm + 2 * j]), acc);
                acc2 = hi.fma(FloatVector.broadcast(S, xs[sm + 2 * j + 1]), acc2);
            }
        }
        return acc.add(acc2).reduceLanes(VectorOperators.ADD) - corr.reduceLanes(VectorOperators.ADD) - mins;
    }

    /**
     * {@code out[o + r] = row(r) . x[xo .. xo+cols)} for rows r in [r0, r1) of the Q6_K matrix at seg ({@code block_q6_K}:
     * ql[128] @0, qh[64] @128, int8 scales[16] @192, fp16 d @208; dequantize_row_q6_K's value
     * {@code d * scales[16-element group] * ((4 low bits | 2 high bits << 4) - 32)}). The 16 scales of a super-block
     * are widened and multiplied by d in one vector, the -32 offset is taken out of the loop as
     * {@code 32 * sum_g d sc_g sum_{i in g} x_i} (one fused multiply-add per super-block against per-16 activation
     * sums), and the 6-bit quants are assembled in int lanes (no byte-lane shifts, which x86 lacks). No helper calls
     * in the loops (see {@link #matvecQ4K}).
     *
     * @param scratch at least cols / 16 + 16 floats
     */
    static void matvecQ6K(MemorySegment seg, long rowBytes, int cols, int r0, int r1, float[] x, int xo, float[] out, int o, float[] scratch) {
        int groups = cols / 16;
        for (int g = 0; g < groups; g++) {
            float s = 0;
            for (int i = 0; i < 16; i++) s += x[xo + 16 * g + i];
            scratch[g] = 32f * s;
        }
        for (int r = r0; r < r1; r++) out[o + r] = dotQ6K(seg, r * rowBytes, cols, x, xo, scratch, groups);
    }

    private static float dotQ6K(MemorySegment seg, long base, int cols, float[] x, int xo, float[] xs, int sc) {
        FloatVector c1 = FloatVector.zero(S), c2 = c1, c3 = c1, c4 = c1, corr = c1;
        for (int blk = 0; blk < cols / 256; blk++) {
            long p = base + 210L * blk;
            float d = Float.float16ToFloat(seg.get(I16, p + 208));
            for (int k = 0; k < 16; k += L) {
                FloatVector v = ((FloatVector) ByteVector.fromMemorySegment(SB, seg, p + 192 + k, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d);
                v.intoArray(xs, sc + k);
                corr = v.fma(FloatVector.fromArray(S, xs, 16 * blk + k), corr);
            }
            for (int h = 0; h < 2; h++) {
                long ql = p + 64L * h, qh = p + 128 + 32L * h;
                for (int l = 0; l < 32; l += L) {
                    int is = sc + 8 * h + l / 16;
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(SB, seg, ql + l, LE).convertShape(VectorOperators.B2I, SI, 0),
                            b = (IntVector) ByteVector.fromMemorySegment(SB, seg, ql + l + 32, LE).convertShape(VectorOperators.B2I, SI, 0),
                            hh = (IntVector) ByteVector.fromMemorySegment(SB, seg, qh + l, LE).convertShape(VectorOperators.B2I, SI, 0);
                    IntVector q1 = a.and(0xF).or(hh.lanewise(VectorOperators.LSHL, 4).and(0x30));
                    IntVector q2 = b.and(0xF).or(hh.lanewise(VectorOperators.LSHL, 2).and(0x30));
                    IntVector q3 = a.lanewise(VectorOperators.LSHR, 4).and(0xF).or(hh.and(0x30));
                    IntVector q4 = b.lanewise(VectorOperators.LSHR, 4).and(0xF).or(hh.lanewise(VectorOperators.LSHR, 2).and(0x30));
                    int xi = xo + 256 * blk + 128 * h + l;
                    c1 = ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(S, x, xi)).fma(FloatVector.broadcast(S, xs[is]), c1);
                    c2 = ((FloatVector) q2.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(S, x, xi + 32)).fma(FloatVector.broadcast(S, xs[is + 2]), c2);
                    c3 = ((FloatVector) q3.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(S, x, xi + 64)).fma(FloatVector.broadcast(S, xs[is + 4]), c3);
                    c4 = ((FloatVector) q4.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(S, x, xi + 96)).fma(FloatVector.broadcast(S, xs[is + 6]), c4);
                }
            }
        }
        return c1.add(c2).add(c3.add(c4)).reduceLanes(VectorOperators.ADD) - corr.reduceLanes(VectorOperators.ADD);
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
