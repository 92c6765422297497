package dev.infercost.cost;

import dev.infercost.BadInputException;

/**
 * Monotone piecewise-cubic Hermite interpolation (PCHIP) after Fritsch &amp; Carlson, "Monotone Piecewise
 * Cubic Interpolation", SIAM J. Numer. Anal. 17(2), 1980, with the derivative choice of SciPy's
 * {@code PchipInterpolator} (weighted harmonic mean of neighbouring secants, zero at local extrema,
 * shape-preserving three-point end slopes). Between measured points it never overshoots the data, so an
 * interpolated throughput is never better than its measured neighbours. It refuses to extrapolate.
 */
public final class Pchip {
    private final double[] x, y, m;

    /**
     * @param x strictly increasing abscissae (at least 2)
     * @param y ordinates, same length
     * @throws BadInputException when the points are fewer than 2, not strictly increasing, or not finite
     */
    public Pchip(double[] x, double[] y) {
        if (x.length != y.length) throw new BadInputException("PCHIP: " + x.length + " x values but " + y.length + " y values");
        if (x.length < 2) throw new BadInputException("PCHIP: need at least 2 measured points, have " + x.length);
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) throw new BadInputException("PCHIP: point " + i + " is not finite");
            if (i > 0 && !(x[i] > x[i - 1])) throw new BadInputException("PCHIP: x must be strictly increasing, x[" + (i - 1) + "]=" + x[i - 1] + " x[" + i + "]=" + x[i]);
        }
        this.x = x.clone();
        this.y = y.clone();
        this.m = slopes(this.x, this.y);
    }

    private static double[] slopes(double[] x, double[] y) {
        int n = x.length;
        double[] h = new double[n - 1], d = new double[n - 1], m = new double[n];
        for (int k = 0; k < n - 1; k++) { h[k] = x[k + 1] - x[k]; d[k] = (y[k + 1] - y[k]) / h[k]; }
        if (n == 2) { m[0] = m[1] = d[0]; return m; }
        for (int k = 1; k < n - 1; k++) {
            if (d[k - 1] == 0 || d[k] == 0 || Math.signum(d[k - 1]) != Math.signum(d[k])) { m[k] = 0; continue; }
            double w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1];
            m[k] = (w1 + w2) / (w1 / d[k - 1] + w2 / d[k]);
        }
        m[0] = endSlope(h[0], h[1], d[0], d[1]);
        m[n - 1] = endSlope(h[n - 2], h[n - 3], d[n - 2], d[n - 3]);
        return m;
    }

    private static double endSlope(double h0, double h1, double d0, double d1) {
        double s = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
        if (Math.signum(s) != Math.signum(d0)) return 0;
        if (Math.signum(d0) != Math.signum(d1) && Math.abs(s) > Math.abs(3 * d0)) return 3 * d0;
        return s;
    }

    public double minX() { return x[0]; }

    public double maxX() { return x[x.length - 1]; }

    /** True when {@code t} lies within the measured range (inclusive). */
    public boolean covers(double t) { return t >= x[0] && t <= x[x.length - 1]; }

    /**
     * Value at {@code t}.
     *
     * @throws BadInputException when {@code t} lies outside [minX, maxX]: infercost never extrapolates beyond
     *                           measured points
     */
    public double value(double t) {
        if (!covers(t))
            throw new BadInputException("target " + t + " lies outside the measured range [" + x[0] + ", " + x[x.length - 1] + "]; infercost does not extrapolate beyond measured points");
        int k = 0;
        while (k < x.length - 2 && t > x[k + 1]) k++;
        double h = x[k + 1] - x[k], s = (t - x[k]) / h;
        double h00 = (1 + 2 * s) * (1 - s) * (1 - s), h10 = s * (1 - s) * (1 - s), h01 = s * s * (3 - 2 * s), h11 = s * s * (s - 1);
        return h00 * y[k] + h10 * h * m[k] + h01 * y[k + 1] + h11 * h * m[k + 1];
    }
}
