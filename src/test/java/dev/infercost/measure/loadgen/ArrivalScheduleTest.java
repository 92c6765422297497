package dev.infercost.measure.loadgen;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ArrivalScheduleTest {
    @Test
    void coversMinimumCountAndDuration() {
        long[] a = ArrivalSchedule.offsets(2.0, 1.0, 10, 60, 42);
        assertTrue(a.length >= 10);
        assertTrue(a[a.length - 1] >= 60e9);
        assertTrue(a[a.length - 2] < 60e9, "stops at the first arrival past the minimum duration");
        long[] b = ArrivalSchedule.offsets(2.0, 1.0, 500, 0, 42);
        assertEquals(500, b.length);
        assertArrayEquals(ArrivalSchedule.offsets(2.0, 1.0, 10, 60, 42), a, "seeded");
    }

    @Test
    void gapsHaveTheRequestedMeanAndCv() {
        for (double cv : new double[]{1.0, 0.5, 2.0}) {
            long[] a = ArrivalSchedule.offsets(4.0, cv, 20_000, 0, 7);
            double sum = 0, sq = 0;
            long prev = 0;
            for (long t : a) { double g = (t - prev) / 1e9; sum += g; sq += g * g; prev = t; }
            double mean = sum / a.length, sd = Math.sqrt(sq / a.length - mean * mean);
            assertEquals(0.25, mean, 0.25 * 0.03, "mean gap at cv " + cv);
            assertEquals(cv, sd / mean, cv * 0.05, "cv");
        }
    }
}
