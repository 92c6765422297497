package dev.infercost.cost;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FrontierTest {
    static Frontier.Point p(double user, double dev, double ttft, double tpot) {
        return new Frontier.Point(user, dev, dev, dev, 0.1, ttft, tpot, "u=" + user);
    }

    static final List<Frontier.Point> SWEEP = List.of(p(11.0, 10.2, 900, 95), p(10.1, 18.9, 1500, 105), p(8.9, 33.0, 2600, 120),
            p(7.2, 52.0, 4300, 150), p(4.9, 70.5, 7800, 220), p(6.0, 45.0, 5200, 180) /* dominated by 7.2/52 */);

    @Test
    void paretoDropsDominatedPoints() {
        Frontier f = new Frontier(SWEEP);
        assertEquals(5, f.points().size());
        assertTrue(f.points().stream().noneMatch(q -> q.userTokPerS() == 6.0));
        assertEquals(4.9, f.points().get(0).userTokPerS());
    }

    @Test
    void interpolatesThroughputAtTargetWithPchip() {
        Frontier f = new Frontier(SWEEP);
        // SciPy PchipInterpolator([4.9,7.2,8.9,10.1,11.0], [70.5,52.0,33.0,18.9,10.2])(8.0)
        assertEquals(43.50909678870766, f.atUserSpeed(8.0).point().deviceTokPerS(), 1e-9);
        assertEquals(52.0, f.atUserSpeed(7.2).point().deviceTokPerS(), 0);
    }

    @Test
    void aTargetBelowTheSlowestPointIsMetByIt() {
        Frontier f = new Frontier(SWEEP);
        // the slowest frontier point (4.9 tok/s/user, 70.5 tok/s/device: the highest throughput) already gives every user
        // more than 3 tok/s, so a 3 tok/s/user target is met there, not refused as an extrapolation
        Frontier.At at = f.atUserSpeed(3.0);
        assertEquals(4.9, at.point().userTokPerS(), 0);
        assertEquals(70.5, at.point().deviceTokPerS(), 0);
        assertTrue(at.method().contains("meets the target"), at.method());
        assertEquals("target 3 tok/s/user (met by u=4.9)", at.point().label());
        // one point: a slower target is met, a faster one is refused
        Frontier one = new Frontier(List.of(p(10.0, 20.0, 100, 100)));
        assertEquals(20.0, one.atUserSpeed(5.0).point().deviceTokPerS(), 0);
        assertThrows(BadInputException.class, () -> one.atUserSpeed(12.0));
    }

    @Test
    void refusesTargetsOutsideTheMeasuredRange() {
        Frontier f = new Frontier(SWEEP);
        BadInputException e = assertThrows(BadInputException.class, () -> f.atUserSpeed(20));
        assertTrue(e.getMessage().contains("does not extrapolate"), e.getMessage());
        assertThrows(BadInputException.class, () -> f.atLimits(null, 50.0)); // needs 20 tok/s/user
        assertThrows(BadInputException.class, () -> f.atLimits(500.0, null)); // best TTFT p99 is 900 ms
    }

    @Test
    void sloLimitsPickTheFastestFeasibleThroughput() {
        Frontier f = new Frontier(SWEEP);
        Frontier.At tpot = f.atLimits(null, 150.0); // >= 6.667 tok/s/user
        assertEquals(1000.0 / 150, tpot.point().userTokPerS(), 1e-12);
        assertTrue(tpot.point().deviceTokPerS() < 70.5 && tpot.point().deviceTokPerS() > 52.0);
        Frontier.At ttft = f.atLimits(4300.0, null); // exactly the 7.2 tok/s/user point
        assertEquals(7.2, ttft.point().userTokPerS(), 1e-6);
        assertEquals(52.0, ttft.point().deviceTokPerS(), 1e-4);
        Frontier.At none = f.atLimits(10000.0, null); // not binding: highest-throughput point
        assertEquals(70.5, none.point().deviceTokPerS(), 0);
    }
}
