package dev.infercost.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.infercost.engine.jvm.Kernels.F32;
import static dev.infercost.engine.jvm.Kernels.L;
import static dev.infercost.engine.jvm.Kernels.LE;
import static dev.infercost.engine.jvm.Kernels.S;

/**
 * Batch-1 F32 products streaming four weight rows at once (four independent memory streams and 16 accumulator
 * chains in flight). Each row's sum is formed with exactly the operations and order of {@link Kernels#dotSeg}, so
 * results are bitwise those of the one-row kernel.
 */
final class F32Kernels {
    private F32Kernels() {}

    /** out[o + r] = w[r] . x[xo..xo+cols) for rows r in [r0, r1) of the F32 matrix at seg (rowBytes apart). */
    static void matvecRows(MemorySegment seg, long rowBytes, int cols, int r0, int r1, float[] x, int xo, float[] out, int o) {
        int r = r0;
        for (; r + 4 <= r1; r += 4) dot4Rows(seg, r * rowBytes, rowBytes, x, xo, cols, out, o + r);
        for (; r < r1; r++) out[o + r] = Kernels.dotSeg(seg, r * rowBytes, x, xo, cols);
    }

    private static void dot4Rows(MemorySegment w, long off, long rb, float[] x, int xo, int n, float[] out, int o) {
        long o0 = off, o1 = off + rb, o2 = o1 + rb, o3 = o2 + rb;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z, c0 = z, c1 = z, c2 = z, c3 = z, d0 = z, d1 = z, d2 = z, d3 = z;
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xo + i), x1 = FloatVector.fromArray(S, x, xo + i + L),
                    x2 = FloatVector.fromArray(S, x, xo + i + 2 * L), x3 = FloatVector.fromArray(S, x, xo + i + 3 * L);
            long e0 = 4L * i, e1 = 4L * (i + L), e2 = 4L * (i + 2 * L), e3 = 4L * (i + 3 * L);
            a0 = FloatVector.fromMemorySegment(S, w, o0 + e0, LE).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(S, w, o1 + e0, LE).fma(x0, b0);
            c0 = FloatVector.fromMemorySegment(S, w, o2 + e0, LE).fma(x0, c0);
            d0 = FloatVector.fromMemorySegment(S, w, o3 + e0, LE).fma(x0, d0);
            a1 = FloatVector.fromMemorySegment(S, w, o0 + e1, LE).fma(x1, a1);
            b1 = FloatVector.fromMemorySegment(S, w, o1 + e1, LE).fma(x1, b1);
            c1 = FloatVector.fromMemorySegment(S, w, o2 + e1, LE).fma(x1, c1);
            d1 = FloatVector.fromMemorySegment(S, w, o3 + e1, LE).fma(x1, d1);
            a2 = FloatVector.fromMemorySegment(S, w, o0 + e2, LE).fma(x2, a2);
            b2 = FloatVector.fromMemorySegment(S, w, o1 + e2, LE).fma(x2, b2);
            c2 = FloatVector.fromMemorySegment(S, w, o2 + e2, LE).fma(x2, c2);
            d2 = FloatVector.fromMemorySegment(S, w, o3 + e2, LE).fma(x2, d2);
            a3 = FloatVector.fromMemorySegment(S, w, o0 + e3, LE).fma(x3, a3);
            b3 = FloatVector.fromMemorySegment(S, w, o1 + e3, LE).fma(x3, b3);
            c3 = FloatVector.fromMemorySegment(S, w, o2 + e3, LE).fma(x3, c3);
            d3 = FloatVector.fromMemorySegment(S, w, o3 + e3, LE).fma(x3, d3);
        }
        // the rest of each row exactly as dotSeg continues after its 4-vector loop
        out[o] = tail(w, o0, x, xo, n, i, a0.add(a2), a1.add(a3));
        out[o + 1] = tail(w, o1, x, xo, n, i, b0.add(b2), b1.add(b3));
        out[o + 2] = tail(w, o2, x, xo, n, i, c0.add(c2), c1.add(c3));
        out[o + 3] = tail(w, o3, x, xo, n, i, d0.add(d2), d1.add(d3));
    }

    private static float tail(MemorySegment w, long off, float[] x, int xo, int n, int i, FloatVector a0, FloatVector a1) {
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE).fma(FloatVector.fromArray(S, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(S, w, off + 4L * (i + L), LE).fma(FloatVector.fromArray(S, x, xo + i + L), a1);
        }
        for (; i + L <= n; i += L)
            a0 = FloatVector.fromMemorySegment(S, w, off + 4L * i, LE).fma(FloatVector.fromArray(S, x, xo + i), a0);
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += w.get(F32, off + 4L * i) * x[xo + i];
        return s;
    }
}
