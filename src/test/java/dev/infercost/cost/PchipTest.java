package dev.infercost.cost;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Goldens from SciPy 1.17.1 {@code scipy.interpolate.PchipInterpolator}. */
class PchipTest {
    static final double[] X = {1, 2, 4, 7, 8}, Y = {10, 9, 6, 2, 1.5};

    @Test
    void exactAtMeasuredPoints() {
        Pchip p = new Pchip(X, Y);
        for (int i = 0; i < X.length; i++) assertEquals(Y[i], p.value(X[i]), 1e-12);
    }

    @Test
    void betweenPointsMatchesScipy() {
        Pchip p = new Pchip(X, Y);
        assertEquals(9.542572463768117, p.value(1.5), 1e-12);
        assertEquals(7.560852447791852, p.value(3), 1e-12);
        assertEquals(3.7220250637684376, p.value(5.5), 1e-12);
        assertEquals(1.7019512910798122, p.value(7.5), 1e-12);
        Pchip q = new Pchip(new double[]{0, 1, 2, 3, 5}, new double[]{0, 1, 0.5, 2, 2});
        assertEquals(0.71875, q.value(0.5), 1e-12);
        assertEquals(0.75, q.value(1.5), 1e-12);
        assertEquals(1.25, q.value(2.5), 1e-12);
        assertEquals(2.0, q.value(4), 1e-12);
    }

    @Test
    void monotoneDataStaysMonotoneWithoutOvershoot() {
        Pchip p = new Pchip(X, Y);
        double prev = Double.POSITIVE_INFINITY;
        for (double t = 1; t <= 8; t += 0.01) {
            double v = p.value(t);
            assertTrue(v <= prev + 1e-12, "not monotone at " + t);
            assertTrue(v <= 10 + 1e-12 && v >= 1.5 - 1e-12, "overshoot at " + t);
            prev = v;
        }
    }

    @Test
    void refusesToExtrapolate() {
        Pchip p = new Pchip(X, Y);
        BadInputException e = assertThrows(BadInputException.class, () -> p.value(8.01));
        assertTrue(e.getMessage().contains("does not extrapolate"), e.getMessage());
        assertThrows(BadInputException.class, () -> p.value(0.99));
    }

    @Test
    void rejectsUnsortedOrTooFewPoints() {
        assertThrows(BadInputException.class, () -> new Pchip(new double[]{1}, new double[]{1}));
        assertThrows(BadInputException.class, () -> new Pchip(new double[]{1, 1}, new double[]{1, 2}));
    }
}
