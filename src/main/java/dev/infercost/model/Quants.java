package dev.infercost.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar dequantisers of GGML's block formats: line-by-line transcriptions of ggml/src/ggml-quants.c
 * {@code dequantize_row_q4_0 / q4_1 / q5_0 / q5_1 / q8_0 / q2_K / q3_K / q4_K / q5_K / q6_K / iq4_nl / iq4_xs} over
 * the structs of ggml/src/ggml-common.h (byte offsets inside a block are given at each method). They are the
 * reference the JVM engine's vector kernels are tested against, and serve {@link Tensor#get} and
 * {@link Tensor#dequantizeRow} (export, tests, norms), never the hot path.
 */
public final class Quants {
    private Quants() {}

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** ggml-common.h {@code kvalues_iq4nl}: the 16 levels of IQ4_NL and IQ4_XS. */
    public static final byte[] KVALUES_IQ4NL = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    static float h(MemorySegment s, long off) { return Float.float16ToFloat(s.get(I16, off)); }
    static int u8(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF; }

    /** bfloat16 bits to float: the bits are the upper half of an IEEE binary32 (ggml_compute_bf16_to_fp32). */
    public static float bf16(short bits) { return Float.intBitsToFloat((bits & 0xFFFF) << 16); }

    /**
     * Dequantises {@code n} elements (a multiple of the block size) starting at byte {@code off} of {@code s} (a
     * block boundary) into {@code dst[o .. o+n)}.
     */
    public static void dequantize(TensorType t, MemorySegment s, long off, int n, float[] dst, int o) {
        switch (t) {
            case F32 -> MemorySegment.copy(s, F32, off, dst, o, n);
            case F16 -> { for (int i = 0; i < n; i++) dst[o + i] = Float.float16ToFloat(s.get(I16, off + 2L * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) dst[o + i] = bf16(s.get(I16, off + 2L * i)); }
            default -> {
                for (int b = 0; b < n / t.blockSize; b++)
                    block(t, s, off + (long) b * t.blockBytes, dst, o + b * t.blockSize);
            }
        }
    }

    /** One block of a block type at byte offset {@code p} into {@code y[o ..)}. */
    static void block(TensorType t, MemorySegment s, long p, float[] y, int o) {
        switch (t) {
            case Q4_0 -> { // d @0, qs[16] @2
                float d = h(s, p);
                for (int j = 0; j < 16; j++) {
                    int q = u8(s, p + 2 + j);
                    y[o + j] = ((q & 0x0F) - 8) * d;
                    y[o + j + 16] = ((q >> 4) - 8) * d;
                }
            }
            case Q4_1 -> { // d @0, m @2, qs[16] @4
                float d = h(s, p), m = h(s, p + 2);
                for (int j = 0; j < 16; j++) {
                    int q = u8(s, p + 4 + j);
                    y[o + j] = (q & 0x0F) * d + m;
                    y[o + j + 16] = (q >> 4) * d + m;
                }
            }
            case Q5_0 -> { // d @0, qh[4] @2, qs[16] @6
                float d = h(s, p);
                int qh = s.get(I32, p + 2);
                for (int j = 0; j < 16; j++) {
                    int xh0 = ((qh >>> j) << 4) & 0x10, xh1 = (qh >>> (j + 12)) & 0x10;
                    int q = u8(s, p + 6 + j);
                    y[o + j] = (((q & 0x0F) | xh0) - 16) * d;
                    y[o + j + 16] = (((q >> 4) | xh1) - 16) * d;
                }
            }
            case Q5_1 -> { // d @0, m @2, qh[4] @4, qs[16] @8
                float d = h(s, p), m = h(s, p + 2);
                int qh = s.get(I32, p + 4);
                for (int j = 0; j < 16; j++) {
                    int xh0 = ((qh >>> j) << 4) & 0x10, xh1 = (qh >>> (j + 12)) & 0x10;
                    int q = u8(s, p + 8 + j);
                    y[o + j] = ((q & 0x0F) | xh0) * d + m;
                    y[o + j + 16] = ((q >> 4) | xh1) * d + m;
                }
            }
            case Q8_0 -> { // d @0, qs[32] @2
                float d = h(s, p);
                for (int j = 0; j < 32; j++) y[o + j] = s.get(ValueLayout.JAVA_BYTE, p + 2 + j) * d;
            }
            case IQ4_NL -> { // d @0, qs[16] @2
                float d = h(s, p);
                for (int j = 0; j < 16; j++) {
                    int q = u8(s, p + 2 + j);
                    y[o + j] = d * KVALUES_IQ4NL[q & 0xF];
                    y[o + j + 16] = d * KVALUES_IQ4NL[q >> 4];
                }
            }
            case Q2_K -> { // scales[16] @0, qs[64] @16, d @80, dmin @82
                float d = h(s, p + 80), min = h(s, p + 82);
                int is = 0, yi = o;
                for (int n = 0; n < 256; n += 128) {
                    long q = p + 16 + n / 4;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int half = 0; half < 2; half++) {
                            int sc = u8(s, p + is++);
                            float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                            for (int l = 0; l < 16; l++) y[yi++] = dl * ((u8(s, q + 16 * half + l) >> shift) & 3) - ml;
                        }
                    }
                }
            }
            case Q3_K -> { // hmask[32] @0, qs[64] @32, scales[12] @96, d @108
                float dAll = h(s, p + 108);
                int[] sc = q3Scales(s, p + 96);
                int is = 0, yi = o, m = 1;
                for (int n = 0; n < 256; n += 128) {
                    long q = p + 32 + n / 4;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int half = 0; half < 2; half++) {
                            float dl = dAll * (sc[is++] - 32);
                            for (int l = 0; l < 16; l++) {
                                int li = 16 * half + l;
                                y[yi++] = dl * (((u8(s, q + li) >> shift) & 3) - ((u8(s, p + li) & m) != 0 ? 0 : 4));
                            }
                        }
                        m <<= 1;
                    }
                }
            }
            case Q4_K -> { // d @0, dmin @2, scales[12] @4, qs[128] @16
                float d = h(s, p), min = h(s, p + 2);
                int yi = o;
                for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
                    long q = p + 16 + j / 2;
                    float d1 = d * scaleK4(s, p + 4, is), m1 = min * minK4(s, p + 4, is);
                    float d2 = d * scaleK4(s, p + 4, is + 1), m2 = min * minK4(s, p + 4, is + 1);
                    for (int l = 0; l < 32; l++) y[yi++] = d1 * (u8(s, q + l) & 0xF) - m1;
                    for (int l = 0; l < 32; l++) y[yi++] = d2 * (u8(s, q + l) >> 4) - m2;
                }
            }
            case Q5_K -> { // d @0, dmin @2, scales[12] @4, qh[32] @16, qs[128] @48
                float d = h(s, p), min = h(s, p + 2);
                int yi = o, u1 = 1, u2 = 2;
                for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
                    long ql = p + 48 + j / 2;
                    float d1 = d * scaleK4(s, p + 4, is), m1 = min * minK4(s, p + 4, is);
                    float d2 = d * scaleK4(s, p + 4, is + 1), m2 = min * minK4(s, p + 4, is + 1);
                    for (int l = 0; l < 32; l++) y[yi++] = d1 * ((u8(s, ql + l) & 0xF) + ((u8(s, p + 16 + l) & u1) != 0 ? 16 : 0)) - m1;
                    for (int l = 0; l < 32; l++) y[yi++] = d2 * ((u8(s, ql + l) >> 4) + ((u8(s, p + 16 + l) & u2) != 0 ? 16 : 0)) - m2;
                    u1 <<= 2; u2 <<= 2;
                }
            }
            case Q6_K -> { // ql[128] @0, qh[64] @128, scales[16] (int8) @192, d @208
                float d = h(s, p + 208);
                for (int n = 0; n < 256; n += 128) {
                    long ql = p + n / 2, qh = p + 128 + n / 4, sc = p + 192 + n / 16;
                    for (int l = 0; l < 32; l++) {
                        int is = l / 16;
                        int a = u8(s, ql + l), b = u8(s, ql + l + 32), hh = u8(s, qh + l);
                        int q1 = ((a & 0xF) | (((hh >> 0) & 3) << 4)) - 32;
                        int q2 = ((b & 0xF) | (((hh >> 2) & 3) << 4)) - 32;
                        int q3 = ((a >> 4) | (((hh >> 4) & 3) << 4)) - 32;
                        int q4 = ((b >> 4) | (((hh >> 6) & 3) << 4)) - 32;
                        y[o + n + l] = d * s.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                        y[o + n + l + 32] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                        y[o + n + l + 64] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                        y[o + n + l + 96] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                    }
                }
            }
            case IQ4_XS -> { // d @0, scales_h (u16) @2, scales_l[4] @4, qs[128] @8
                float d = h(s, p);
                int sh = s.get(I16, p + 2) & 0xFFFF;
                for (int ib = 0; ib < 8; ib++) {
                    int ls = ((u8(s, p + 4 + ib / 2) >> (4 * (ib % 2))) & 0xF) | (((sh >> (2 * ib)) & 3) << 4);
                    float dl = d * (ls - 32);
                    long q = p + 8 + 16L * ib;
                    for (int j = 0; j < 16; j++) {
                        int v = u8(s, q + j);
                        y[o + 32 * ib + j] = dl * KVALUES_IQ4NL[v & 0xF];
                        y[o + 32 * ib + j + 16] = dl * KVALUES_IQ4NL[v >> 4];
                    }
                }
            }
            default -> throw new IllegalArgumentException("not a block type: " + t);
        }
    }

    /** ggml-quants.c get_scale_min_k4, scale half: 6-bit scale j (0..7) of a Q4_K/Q5_K block's 12 scale bytes at q. */
    public static int scaleK4(MemorySegment s, long q, int j) {
        return j < 4 ? u8(s, q + j) & 63 : (u8(s, q + j + 4) & 0xF) | ((u8(s, q + j - 4) >> 6) << 4);
    }

    /** get_scale_min_k4, min half. */
    public static int minK4(MemorySegment s, long q, int j) {
        return j < 4 ? u8(s, q + j + 4) & 63 : (u8(s, q + j + 4) >> 4) | ((u8(s, q + j) >> 6) << 4);
    }

    /** dequantize_row_q3_K's unpacking of the 12 scale bytes at q into 16 6-bit scales (still offset by 32). */
    public static int[] q3Scales(MemorySegment s, long q) {
        int a0 = s.get(I32, q), a1 = s.get(I32, q + 4), tmp = s.get(I32, q + 8);
        int km1 = 0x03030303, km2 = 0x0f0f0f0f;
        int[] aux = {
                (a0 & km2) | (((tmp >>> 0) & km1) << 4),
                (a1 & km2) | (((tmp >>> 2) & km1) << 4),
                ((a0 >>> 4) & km2) | (((tmp >>> 4) & km1) << 4),
                ((a1 >>> 4) & km2) | (((tmp >>> 6) & km1) << 4)};
        int[] sc = new int[16];
        for (int i = 0; i < 16; i++) sc[i] = (byte) (aux[i / 4] >>> (8 * (i % 4)));
        return sc;
    }
}
