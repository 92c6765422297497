package dev.infercost.measure.loadgen;

/** A clock that only moves when told to: {@link #advance} (a fake engine's step) or {@link #sleepUntil}. */
public final class ManualClock implements Clock {
    private long now;

    public ManualClock(long startNanos) { this.now = startNanos; }

    @Override public synchronized long nanoTime() { return now; }

    @Override public synchronized void sleepUntil(long deadline) { if (deadline > now) now = deadline; }

    /** Moves time forward by {@code nanos} (>= 0). */
    public synchronized void advance(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("time cannot go backwards: " + nanos);
        now += nanos;
    }
}
