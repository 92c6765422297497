package dev.infercost.measure.loadgen;

import java.util.concurrent.locks.LockSupport;

/**
 * Monotonic time for the load generator. {@link #system()} is {@link System#nanoTime()}; tests use
 * {@link ManualClock}, which a fake engine advances by the time each step would take, so latency accounting is
 * exact and fast.
 */
public interface Clock {
    /** Monotonic time, ns. */
    long nanoTime();

    /** Blocks (or, for a manual clock, jumps) until {@code nanoTime() >= deadline}. */
    void sleepUntil(long deadline);

    /** The system clock. */
    static Clock system() {
        return new Clock() {
            @Override public long nanoTime() { return System.nanoTime(); }

            @Override public void sleepUntil(long deadline) {
                long w;
                while ((w = deadline - System.nanoTime()) > 0) LockSupport.parkNanos(w);
            }
        };
    }
}
