package dev.infercost.cost;

import dev.infercost.hardware.CatalogValue;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The throughput-vs-interactivity Pareto frontier of a serving sweep (as InferenceX plots throughput per GPU
 * against tok/s/user): points not beaten on both throughput per device and tok/s/user, interpolated
 * monotonically (PCHIP, {@link Pchip}) between measured points and never extrapolated beyond them.
 */
public final class Frontier {

    /**
     * One measured serving point.
     *
     * @param userTokPerS      tok/s/user (interactivity, x)
     * @param deviceTokPerS    throughput per device [tok/s/device] (y)
     * @param inputTokPerS     input tok/s
     * @param outputTokPerS    output tok/s
     * @param prefillShare     fraction of busy device time in prefill (NaN if unknown)
     * @param ttftP99Ms        TTFT p99 [ms]
     * @param tpotP99Ms        TPOT p99 [ms]
     * @param label            operating point label
     */
    public record Point(double userTokPerS, double deviceTokPerS, double inputTokPerS, double outputTokPerS,
                        double prefillShare, double ttftP99Ms, double tpotP99Ms, String label) {}

    /** An interpolated operating point and how it was obtained. */
    public record At(Point point, String method) {}

    private final List<Point> points;

    /** @throws BadInputException when there are no points with positive x and y */
    public Frontier(List<Point> sweep) {
        List<Point> ok = sweep.stream().filter(p -> p.userTokPerS() > 0 && p.deviceTokPerS() > 0).sorted(Comparator.comparingDouble(Point::userTokPerS).reversed()).toList();
        if (ok.isEmpty()) throw new BadInputException("serving sweep has no point with positive tok/s/user and throughput per device");
        List<Point> f = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : ok) {
            if (p.deviceTokPerS() > best) {
                if (!f.isEmpty() && f.get(f.size() - 1).userTokPerS() == p.userTokPerS()) f.remove(f.size() - 1);
                f.add(p);
                best = p.deviceTokPerS();
            }
        }
        f.sort(Comparator.comparingDouble(Point::userTokPerS));
        this.points = List.copyOf(f);
    }

    /** Frontier points, tok/s/user ascending (throughput per device descending). */
    public List<Point> points() { return points; }

    private double[] xs() { return points.stream().mapToDouble(Point::userTokPerS).toArray(); }

    /**
     * The frontier at a target tok/s/user (a minimum interactivity): interpolated between the points around it; a
     * target at or below the slowest frontier point is met by that point, which has the frontier's highest throughput
     * (returned as is, its own tok/s/user above the target: nothing slower and cheaper was measured).
     *
     * @throws BadInputException when the target lies above the fastest measured tok/s/user (no extrapolation)
     */
    public At atUserSpeed(double target) {
        double[] x = xs();
        if (target <= x[0]) {
            Point p = points.get(0);
            if (target == x[0]) return new At(p, "measured point " + p.label());
            // relabelled, so that a row made from it reads as the target's row (e.g. "serving target 8 tok/s/user (met by ...)")
            Point met = new Point(p.userTokPerS(), p.deviceTokPerS(), p.inputTokPerS(), p.outputTokPerS(), p.prefillShare(), p.ttftP99Ms(), p.tpotP99Ms(),
                    "target " + fmt(target) + " tok/s/user (met by " + p.label() + ")");
            return new At(met, "slowest frontier point " + p.label() + " (" + fmt(x[0]) + " tok/s/user) meets the target " + fmt(target)
                    + " tok/s/user at the frontier's highest throughput (no slower point measured)");
        }
        if (points.size() == 1)
            throw new BadInputException("target " + fmt(target) + " tok/s/user: only one frontier point (" + fmt(x[0]) + " tok/s/user) was measured, slower than the target; infercost does not extrapolate");
        if (target > x[x.length - 1])
            throw new BadInputException("target " + fmt(target) + " tok/s/user lies above the fastest point of the measured range [" + fmt(x[0]) + ", " + fmt(x[x.length - 1]) + "] tok/s/user; infercost does not extrapolate beyond measured points");
        for (Point p : points) if (p.userTokPerS() == target) return new At(p, "measured point " + p.label());
        double y = interp(x, Point::deviceTokPerS, target);
        double in = interp(x, Point::inputTokPerS, target);
        double out = interp(x, Point::outputTokPerS, target);
        double share = interp(x, Point::prefillShare, target);
        double ttft = interp(x, Point::ttftP99Ms, target);
        double tpot = interp(x, Point::tpotP99Ms, target);
        return new At(new Point(target, y, in, out, share, ttft, tpot, "target " + fmt(target) + " tok/s/user"),
                "PCHIP (Fritsch-Carlson) between " + points.size() + " measured frontier points");
    }

    /**
     * The highest-throughput frontier point meeting p99 TTFT and/or TPOT limits (null = no limit). A TPOT limit
     * L means at least 1000/L tok/s/user; a TTFT limit is located on the PCHIP of TTFT p99 along the frontier.
     *
     * @throws BadInputException when no measured point meets the limits, or meeting them needs extrapolation
     */
    public At atLimits(Double ttftMs, Double tpotMs) {
        double[] x = xs();
        double need = x[0];
        List<String> why = new ArrayList<>();
        if (tpotMs != null) {
            if (!(tpotMs > 0)) throw new BadInputException("--tpot-ms " + tpotMs + ": expected > 0");
            double u = 1000.0 / tpotMs;
            if (u > x[x.length - 1]) throw new BadInputException("TPOT <= " + fmt(tpotMs) + " ms needs >= " + fmt(u) + " tok/s/user, beyond the fastest measured point (" + fmt(x[x.length - 1]) + "); not extrapolated");
            need = Math.max(need, u);
            why.add("TPOT p99 <= " + fmt(tpotMs) + " ms -> >= " + fmt(u) + " tok/s/user");
        }
        if (ttftMs != null) {
            if (!(ttftMs > 0)) throw new BadInputException("--ttft-ms " + ttftMs + ": expected > 0");
            double u = userSpeedForTtft(ttftMs, x);
            need = Math.max(need, u);
            why.add("TTFT p99 <= " + fmt(ttftMs) + " ms -> >= " + fmt(u) + " tok/s/user");
        }
        At at = atUserSpeed(need);
        String label = "SLO " + String.join(", ", why);
        Point p = at.point();
        return new At(new Point(p.userTokPerS(), p.deviceTokPerS(), p.inputTokPerS(), p.outputTokPerS(), p.prefillShare(), p.ttftP99Ms(), p.tpotP99Ms(), label), at.method());
    }

    private double userSpeedForTtft(double limit, double[] x) {
        double[] t = points.stream().mapToDouble(Point::ttftP99Ms).toArray();
        for (double v : t) if (Double.isNaN(v)) throw new BadInputException("serving.csv: a frontier point lacks ttft_p99 [ms]; cannot apply a TTFT limit");
        if (t[0] <= limit) return x[0];
        boolean monotone = true;
        for (int i = 1; i < t.length; i++) if (t[i] > t[i - 1]) monotone = false;
        int k = -1;
        for (int i = 0; i < t.length; i++) if (t[i] <= limit) { k = i; break; }
        if (k < 0) throw new BadInputException("TTFT p99 <= " + fmt(limit) + " ms: no measured point meets it (best " + fmt(java.util.Arrays.stream(t).min().getAsDouble()) + " ms); not extrapolated");
        if (!monotone || points.size() < 2) return x[k];
        Pchip p = new Pchip(x, t);
        double lo = x[k - 1], hi = x[k];
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (p.value(mid) <= limit) hi = mid; else lo = mid;
        }
        return hi;
    }

    private double interp(double[] x, java.util.function.ToDoubleFunction<Point> f, double t) {
        double[] y = points.stream().mapToDouble(f).toArray();
        for (double v : y) if (Double.isNaN(v)) return Double.NaN;
        return new Pchip(x, y).value(t);
    }

    static String fmt(double d) { return CatalogValue.fmt(d); }
}
