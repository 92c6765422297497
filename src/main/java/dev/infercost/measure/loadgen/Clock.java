package dev.infercost.measure.loadgen;

import java.util.concurrent.locks.LockSupport;

/**
 * Monotonic time for the load generator. {@link #system()} is {@link System#nanoTime()}; tests use
 * {@link ManualClock}, which a fake engine advances by the time each step would take, so latency accounting is
 * exact and fast.
 */
public interface Clock {
    /** The system clock spins for the last this-many ns of a sleep. */
    long SPIN_NANOS = 50_000;

    /** Monotonic time, ns. */
    long nanoTime();

    /** Blocks (or, for a manual clock, jumps) until {@code nanoTime() >= deadline}. */
    void sleepUntil(long deadline);

    /** The system clock. */
    static Clock system() {
        return new Clock() {
            @Override public long nanoTime() { return System.nanoTime(); }

            /** Parks until 50 us before the deadline, then spins (parkNanos alone overshoots by ~50-100 us on Linux). */
            @Override public void sleepUntil(long deadline) {
                long w;
                while ((w = deadline - System.nanoTime()) > SPIN_NANOS) LockSupport.parkNanos(w - SPIN_NANOS);
                while (deadline - System.nanoTime() > 0) Thread.onSpinWait();
            }
        };
    }
}
