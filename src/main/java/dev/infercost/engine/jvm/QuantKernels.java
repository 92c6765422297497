package dev.infercost.engine.jvm;

import dev.infercost.model.Quants;
import dev.infercost.model.TensorType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Vector API dequantisation of GGML's packed blocks (layouts: ggml/src/ggml-common.h {@code block_q4_0, block_q4_1,
 * block_q5_0, block_q5_1, block_q2_K, block_q3_K, block_q4_K, block_q5_K, block_q6_K, block_iq4_nl, block_iq4_xs};
 * formulas: ggml/src/ggml-quants.c {@code dequantize_row_*}), a chunk of one row at a time into a small float buffer
 * that the matmul tiles read while it is in cache (the weights stay packed in memory; nothing is dequantised ahead
 * of use). Quants are unpacked L bytes at a time (nibble masks, shifts, high-bit planes, IQ4 table lookups by a
 * two-vector select), widened to float lanes and scaled with the block's scales. Results equal {@link Quants}'s
 * scalar reference up to the rounding of one fused multiply-add (QuantKernelsTest).
 *
 * <p>Needs 8 or 16 float lanes (AVX2 or AVX-512 on x86); other widths use the scalar reference.
 */
final class QuantKernels {
    private QuantKernels() {}

    static final VectorSpecies<Float> S = Kernels.S;
    static final int L = S.length();
    static final VectorSpecies<Byte> SB = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** True when the lane count suits the 16-byte half blocks (L in {8, 16}). */
    static final boolean VECTOR = (L == 8 || L == 16) && SI.length() == L;

    private static final ByteVector IQ4_LO, IQ4_HI;
    private static final IntVector IOTA;
    static {
        byte[] t0 = new byte[SB.length()], t1 = new byte[SB.length()];
        for (int i = 0; i < 16; i++) {
            if (i < t0.length) t0[i] = Quants.KVALUES_IQ4NL[i];
            else if (i - t0.length < t1.length) t1[i - t0.length] = Quants.KVALUES_IQ4NL[i];
        }
        IQ4_LO = ByteVector.fromArray(SB, t0, 0);
        IQ4_HI = ByteVector.fromArray(SB, t1, 0);
        int[] io = new int[SI.length()];
        for (int i = 0; i < io.length; i++) io[i] = i;
        IOTA = IntVector.fromArray(SI, io, 0);
    }

    /** Types this class dequantises (the others are F32, F16, Q8_0, which {@link Kernels} handles itself). */
    static boolean handles(TensorType t) {
        return t != TensorType.F32 && t != TensorType.F16 && t != TensorType.Q8_0;
    }

    /**
     * Dequantises {@code n} elements (whole blocks) starting at byte {@code off} (a block boundary) into
     * {@code dst[o .. o+n)}.
     */
    static void dequant(TensorType t, MemorySegment s, long off, int n, float[] dst, int o) {
        if (!VECTOR) { Quants.dequantize(t, s, off, n, dst, o); return; }
        if (t == TensorType.BF16) { bf16(s, off, n, dst, o); return; }
        int bs = t.blockSize, bb = t.blockBytes;
        for (int b = 0; b < n / bs; b++) {
            long p = off + (long) b * bb;
            int y = o + b * bs;
            switch (t) {
                case Q4_0 -> q4_0(s, p, dst, y);
                case Q4_1 -> q4_1(s, p, dst, y);
                case Q5_0 -> q5(s, p, dst, y, false);
                case Q5_1 -> q5(s, p, dst, y, true);
                case IQ4_NL -> iq4(s, p + 2, h(s, p), dst, y);
                case Q2_K -> q2_k(s, p, dst, y);
                case Q3_K -> q3_k(s, p, dst, y);
                case Q4_K -> q4_k(s, p, dst, y);
                case Q5_K -> q5_k(s, p, dst, y);
                case Q6_K -> q6_k(s, p, dst, y);
                case IQ4_XS -> iq4_xs(s, p, dst, y);
                default -> Quants.dequantize(t, s, p, bs, dst, y);
            }
        }
    }

    private static float h(MemorySegment s, long off) { return Float.float16ToFloat(s.get(Kernels.I16, off)); }
    private static int u8(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF; }
    private static ByteVector bytes(MemorySegment s, long off) { return ByteVector.fromMemorySegment(SB, s, off, LE); }
    private static FloatVector f(ByteVector b) { return (FloatVector) b.convertShape(VectorOperators.B2F, S, 0); }

    /** bf16 -> f32: widen the 16 bits and shift them into the upper half of an int (ggml_compute_bf16_to_fp32). */
    private static void bf16(MemorySegment s, long off, int n, float[] dst, int o) {
        int i = 0;
        for (; i + L <= n; i += L) {
            IntVector v = (IntVector) ShortVector.fromMemorySegment(SS, s, off + 2L * i, LE).convertShape(VectorOperators.S2I, SI, 0);
            v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, o + i);
        }
        for (; i < n; i++) dst[o + i] = Quants.bf16(s.get(Kernels.I16, off + 2L * i));
    }

    // block_q4_0: d @0, qs[16] @2; x = (nibble - 8) * d, low nibbles are elements 0..15, high 16..31
    private static void q4_0(MemorySegment s, long p, float[] y, int o) {
        FloatVector d = FloatVector.broadcast(S, h(s, p));
        for (int j = 0; j < 16; j += L) {
            ByteVector b = bytes(s, p + 2 + j);
            f(b.and((byte) 0x0F)).sub(8f).mul(d).intoArray(y, o + j);
            f(b.lanewise(VectorOperators.LSHR, 4)).sub(8f).mul(d).intoArray(y, o + 16 + j);
        }
    }

    // block_q4_1: d @0, m @2, qs[16] @4; x = nibble * d + m
    private static void q4_1(MemorySegment s, long p, float[] y, int o) {
        FloatVector d = FloatVector.broadcast(S, h(s, p)), m = FloatVector.broadcast(S, h(s, p + 2));
        for (int j = 0; j < 16; j += L) {
            ByteVector b = bytes(s, p + 4 + j);
            f(b.and((byte) 0x0F)).fma(d, m).intoArray(y, o + j);
            f(b.lanewise(VectorOperators.LSHR, 4)).fma(d, m).intoArray(y, o + 16 + j);
        }
    }

    // block_q5_0: d @0, qh (u32) @2, qs[16] @6; block_q5_1: d @0, m @2, qh @4, qs @8. Bit j of qh is the fifth bit
    // of element j, bit j+16 that of element j+16 (dequantize_row_q5_0: (qh >> (j+12)) & 0x10). Q5_0 is computed as
    // (q - 16) * d exactly as the reference (no fma: the scalar code rounds the product once).
    private static void q5(MemorySegment s, long p, float[] y, int o, boolean withMin) {
        float d = h(s, p);
        long qhOff = withMin ? p + 4 : p + 2, qs = withMin ? p + 8 : p + 6;
        IntVector qh = IntVector.broadcast(SI, s.get(I32, qhOff));
        FloatVector dv = FloatVector.broadcast(S, d);
        FloatVector mv = withMin ? FloatVector.broadcast(S, h(s, p + 2)) : null;
        for (int j = 0; j < 16; j += L) {
            ByteVector b = bytes(s, qs + j);
            FloatVector hi0 = (FloatVector) qh.lanewise(VectorOperators.LSHR, IOTA.add(j)).and(1).lanewise(VectorOperators.LSHL, 4)
                    .convert(VectorOperators.I2F, 0);
            FloatVector hi1 = (FloatVector) qh.lanewise(VectorOperators.LSHR, IOTA.add(j + 16)).and(1).lanewise(VectorOperators.LSHL, 4)
                    .convert(VectorOperators.I2F, 0);
            FloatVector v0 = f(b.and((byte) 0x0F)).add(hi0), v1 = f(b.lanewise(VectorOperators.LSHR, 4)).add(hi1);
            if (withMin) {
                v0.fma(dv, mv).intoArray(y, o + j);
                v1.fma(dv, mv).intoArray(y, o + 16 + j);
            } else {
                v0.sub(16f).mul(dv).intoArray(y, o + j);
                v1.sub(16f).mul(dv).intoArray(y, o + 16 + j);
            }
        }
    }

    /** 32 IQ4 elements from 16 bytes at qs: d * kvalues_iq4nl[nibble]. */
    private static void iq4(MemorySegment s, long qs, float d, float[] y, int o) {
        FloatVector dv = FloatVector.broadcast(S, d);
        for (int j = 0; j < 16; j += L) {
            ByteVector b = bytes(s, qs + j);
            f(b.and((byte) 0x0F).selectFrom(IQ4_LO, IQ4_HI)).mul(dv).intoArray(y, o + j);
            f(b.lanewise(VectorOperators.LSHR, 4).selectFrom(IQ4_LO, IQ4_HI)).mul(dv).intoArray(y, o + 16 + j);
        }
    }

    // block_iq4_xs: d @0, scales_h (u16) @2, scales_l[4] @4, qs[128] @8; 8 sub-blocks of 32 with 6-bit scales - 32
    private static void iq4_xs(MemorySegment s, long p, float[] y, int o) {
        float d = h(s, p);
        int sh = s.get(Kernels.I16, p + 2) & 0xFFFF;
        for (int ib = 0; ib < 8; ib++) {
            int ls = ((u8(s, p + 4 + ib / 2) >> (4 * (ib % 2))) & 0xF) | (((sh >> (2 * ib)) & 3) << 4);
            iq4(s, p + 8 + 16L * ib, d * (ls - 32), y, o + 32 * ib);
        }
    }

    // block_q4_K: d @0, dmin @2, scales[12] @4, qs[128] @16; per 64 elements: low nibbles * d1 - m1, high * d2 - m2
    private static void q4_k(MemorySegment s, long p, float[] y, int o) {
        float d = h(s, p), min = h(s, p + 2);
        for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
            FloatVector d1 = FloatVector.broadcast(S, d * Quants.scaleK4(s, p + 4, is)), m1 = FloatVector.broadcast(S, -(min * Quants.minK4(s, p + 4, is)));
            FloatVector d2 = FloatVector.broadcast(S, d * Quants.scaleK4(s, p + 4, is + 1)), m2 = FloatVector.broadcast(S, -(min * Quants.minK4(s, p + 4, is + 1)));
            long q = p + 16 + j / 2;
            for (int l = 0; l < 32; l += L) {
                ByteVector b = bytes(s, q + l);
                f(b.and((byte) 0x0F)).fma(d1, m1).intoArray(y, o + j + l);
                f(b.lanewise(VectorOperators.LSHR, 4)).fma(d2, m2).intoArray(y, o + j + 32 + l);
            }
        }
    }

    // block_q5_K: d @0, dmin @2, scales[12] @4, qh[32] @16, qs[128] @48; the fifth bits of 64-element group g are
    // bits 2g (low nibbles) and 2g+1 (high nibbles) of qh[l]
    private static void q5_k(MemorySegment s, long p, float[] y, int o) {
        float d = h(s, p), min = h(s, p + 2);
        for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
            FloatVector d1 = FloatVector.broadcast(S, d * Quants.scaleK4(s, p + 4, is)), m1 = FloatVector.broadcast(S, -(min * Quants.minK4(s, p + 4, is)));
            FloatVector d2 = FloatVector.broadcast(S, d * Quants.scaleK4(s, p + 4, is + 1)), m2 = FloatVector.broadcast(S, -(min * Quants.minK4(s, p + 4, is + 1)));
            long q = p + 48 + j / 2;
            int sh = j / 32;
            for (int l = 0; l < 32; l += L) {
                ByteVector b = bytes(s, q + l), qh = bytes(s, p + 16 + l);
                ByteVector lo = b.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHR, sh).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                ByteVector hi = b.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, sh + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                f(lo).fma(d1, m1).intoArray(y, o + j + l);
                f(hi).fma(d2, m2).intoArray(y, o + j + 32 + l);
            }
        }
    }

    // block_q6_K: ql[128] @0, qh[64] @128, scales[16] (int8) @192, d @208; per 128 elements four 32-runs, each value
    // (4 low bits | 2 high bits << 4) - 32, times d * scales[16-element group]. The conversions are written out: in this
    // large body C2 left f() out of line, boxing the vector and converting it in Java (AbstractVector.convert0 in JFR)
    private static void q6_k(MemorySegment s, long p, float[] y, int o) {
        float d = h(s, p + 208);
        for (int n = 0; n < 256; n += 128) {
            long ql = p + n / 2, qhp = p + 128 + n / 4, sc = p + 192 + n / 16;
            for (int l = 0; l < 32; l += L) {
                int is = l / 16;
                ByteVector a = bytes(s, ql + l), b = bytes(s, ql + l + 32), hh = bytes(s, qhp + l);
                ByteVector q1 = a.and((byte) 0x0F).or(hh.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                ByteVector q2 = b.and((byte) 0x0F).or(hh.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hh.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                ByteVector q4 = b.lanewise(VectorOperators.LSHR, 4).or(hh.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                ((FloatVector) q1.convertShape(VectorOperators.B2F, S, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is)).intoArray(y, o + n + l);
                ((FloatVector) q2.convertShape(VectorOperators.B2F, S, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2)).intoArray(y, o + n + l + 32);
                ((FloatVector) q3.convertShape(VectorOperators.B2F, S, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4)).intoArray(y, o + n + l + 64);
                ((FloatVector) q4.convertShape(VectorOperators.B2F, S, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6)).intoArray(y, o + n + l + 96);
            }
        }
    }

    // block_q2_K: scales[16] @0 (4-bit scale | 4-bit min << 4), qs[64] @16, d @80, dmin @82; 16-element groups of
    // ((q >> shift) & 3) * d*scale - dmin*min
    private static void q2_k(MemorySegment s, long p, float[] y, int o) {
        float d = h(s, p + 80), min = h(s, p + 82);
        int is = 0, yi = o;
        for (int n = 0; n < 256; n += 128) {
            long q = p + 16 + n / 4;
            for (int shift = 0; shift < 8; shift += 2)
                for (int half = 0; half < 2; half++) {
                    int sc = u8(s, p + is++);
                    FloatVector dl = FloatVector.broadcast(S, d * (sc & 0xF)), ml = FloatVector.broadcast(S, -(min * (sc >> 4)));
                    for (int l = 0; l < 16; l += L)
                        f(bytes(s, q + 16 * half + l).lanewise(VectorOperators.LSHR, shift).and((byte) 3)).fma(dl, ml).intoArray(y, yi + l);
                    yi += 16;
                }
        }
    }

    // block_q3_K: hmask[32] @0, qs[64] @32, scales[12] @96, d @108; value ((q >> shift) & 3) - (hmask bit set ? 0 : 4)
    private static void q3_k(MemorySegment s, long p, float[] y, int o) {
        float dAll = h(s, p + 108);
        int[] sc = Quants.q3Scales(s, p + 96);
        int is = 0, yi = o, m = 1;
        for (int n = 0; n < 256; n += 128) {
            long q = p + 32 + n / 4;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    float dl = dAll * (sc[is++] - 32);
                    for (int l = 0; l < 16; l += L) {
                        int li = 16 * half + l;
                        ByteVector v = bytes(s, q + li).lanewise(VectorOperators.LSHR, shift).and((byte) 3);
                        VectorMask<Byte> noHigh = bytes(s, p + li).and((byte) m).compare(VectorOperators.EQ, (byte) 0);
                        f(v.sub((byte) 4, noHigh)).mul(dl).intoArray(y, yi + l);
                    }
                    yi += 16;
                }
                m <<= 1;
            }
        }
    }
}
