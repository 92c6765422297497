package dev.infercost.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.infercost.engine.jvm.Kernels.I16;
import static dev.infercost.engine.jvm.Kernels.LE;

/**
 * Batch-1 BF16 products read in place, the bf16 to fp32 conversion done in registers with no widening instruction:
 * a bf16 value is the upper half of an IEEE binary32 (ggml_compute_bf16_to_fp32 in ggml/src/ggml-impl.h), so an int
 * lane holding two adjacent bf16 values w[2i] (low half) and w[2i+1] (high half) gives w[2i] as {@code lane << 16}
 * and w[2i+1] as {@code lane & 0xFFFF0000}, each reinterpreted as a float. The activations are de-interleaved once
 * per call to match (per chunk of 2L elements: the L even elements, then the L odd ones), so every 2L weights cost
 * one load, a shift, an and and two fused multiply-adds; four weight rows per pass share each activation load. The
 * sums are in a different order from a sequential dot product (fp32 rounding only; KQuantKernelsTest).
 *
 * <p>Needs 8 or 16 float lanes; {@link #SUPPORTED} is false elsewhere and the callers keep the dequantising path.
 */
final class Bf16Kernels {
    private Bf16Kernels() {}

    static final VectorSpecies<Float> S = Kernels.S;
    static final int L = S.length();
    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
    static final boolean SUPPORTED = L == 8 || L == 16;

    /**
     * {@code out[o + r] = row(r) . x[xo .. xo+cols)} for rows r in [r0, r1) of the BF16 matrix at seg (rowBytes apart).
     *
     * @param scratch at least cols floats (the de-interleaved activations)
     */
    static void matvecRows(MemorySegment seg, long rowBytes, int cols, int r0, int r1, float[] x, int xo, float[] out, int o, float[] scratch) {
        int main = cols - cols % (2 * L);
        for (int c = 0; c < main; c += 2 * L)
            for (int i = 0; i < L; i++) {
                scratch[c + i] = x[xo + c + 2 * i];
                scratch[c + L + i] = x[xo + c + 2 * i + 1];
            }
        int r = r0;
        for (; r + 4 <= r1; r += 4) dot4(seg, r * rowBytes, rowBytes, main, scratch, out, o + r);
        for (; r < r1; r++) out[o + r] = dot1(seg, r * rowBytes, main, scratch);
        if (main < cols)
            for (r = r0; r < r1; r++) {
                float s = 0;
                for (int c = main; c < cols; c++) s += dev.infercost.model.Quants.bf16(seg.get(I16, r * rowBytes + 2L * c)) * x[xo + c];
                out[o + r] += s;
            }
    }

    private static FloatVector lo(IntVector v) { return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(); }

    private static FloatVector hi(IntVector v) { return v.and(0xFFFF0000).reinterpretAsFloats(); }

    private static void dot4(MemorySegment w, long p0, long rb, int n, float[] xp, float[] out, int o) {
        long p1 = p0 + rb, p2 = p1 + rb, p3 = p2 + rb;
        FloatVector z = FloatVector.zero(S), a0 = z, b0 = z, a1 = z, b1 = z, a2 = z, b2 = z, a3 = z, b3 = z;
        for (int c = 0; c < n; c += 2 * L) {
            FloatVector xe = FloatVector.fromArray(S, xp, c), xd = FloatVector.fromArray(S, xp, c + L);
            long e = 2L * c;
            IntVector v0 = IntVector.fromMemorySegment(SI, w, p0 + e, LE), v1 = IntVector.fromMemorySegment(SI, w, p1 + e, LE),
                    v2 = IntVector.fromMemorySegment(SI, w, p2 + e, LE), v3 = IntVector.fromMemorySegment(SI, w, p3 + e, LE);
            a0 = lo(v0).fma(xe, a0); b0 = hi(v0).fma(xd, b0);
            a1 = lo(v1).fma(xe, a1); b1 = hi(v1).fma(xd, b1);
            a2 = lo(v2).fma(xe, a2); b2 = hi(v2).fma(xd, b2);
            a3 = lo(v3).fma(xe, a3); b3 = hi(v3).fma(xd, b3);
        }
        out[o] = a0.add(b0).reduceLanes(VectorOperators.ADD);
        out[o + 1] = a1.add(b1).reduceLanes(VectorOperators.ADD);
        out[o + 2] = a2.add(b2).reduceLanes(VectorOperators.ADD);
        out[o + 3] = a3.add(b3).reduceLanes(VectorOperators.ADD);
    }

    private static float dot1(MemorySegment w, long p, int n, float[] xp) {
        FloatVector a = FloatVector.zero(S), b = a;
        for (int c = 0; c < n; c += 2 * L) {
            IntVector v = IntVector.fromMemorySegment(SI, w, p + 2L * c, LE);
            a = lo(v).fma(FloatVector.fromArray(S, xp, c), a);
            b = hi(v).fma(FloatVector.fromArray(S, xp, c + L), b);
        }
        return a.add(b).reduceLanes(VectorOperators.ADD);
    }
}
