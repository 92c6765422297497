package dev.infercost.engine.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fork-join for the step loop: {@link #run} splits [0, count) into one contiguous chunk per thread;
 * the caller runs chunk 0, daemon workers the rest. Workers spin briefly (so back-to-back matmuls of one step
 * do not pay a wake-up), then park, so an idle engine costs no CPU. No allocation per call.
 */
final class WorkerPool implements AutoCloseable {
    /** Work over rows [from, to) run by thread {@code worker} (0 = the caller). */
    interface Body { void run(int from, int to, int worker); }

    private static final int SPIN = 20_000;

    private final int threads;
    private final Thread[] workers;
    private volatile Body body;
    private volatile int count;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private final AtomicInteger pending = new AtomicInteger();
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

    WorkerPool(int threads, String name) {
        this.threads = Math.max(1, threads);
        this.workers = new Thread[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            final int id = i + 1;
            Thread t = new Thread(() -> loop(id), name + "-" + id);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int threads() { return threads; }

    /**
     * Runs {@code b} over [0, count), split across the threads when {@code parallel} (else on the caller only).
     */
    void run(int count, boolean parallel, Body b) {
        if (!parallel || threads == 1 || count < threads) {
            b.run(0, count, 0);
            return;
        }
        // sessions of one engine may be driven by different threads: one parallel job at a time
        lock.lock();
        try {
            runLocked(count, b);
        } finally {
            lock.unlock();
        }
    }

    private void runLocked(int count, Body b) {
        this.body = b;
        this.count = count;
        pending.set(threads - 1);
        generation = generation + 1; // publishes body and count
        for (Thread w : workers) LockSupport.unpark(w);
        int n = threads;
        RuntimeException mine = null;
        try {
            b.run(0, count / n, 0);
        } catch (RuntimeException e) {
            mine = e; // still wait for the workers, so no job outlives this call
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPIN) Thread.onSpinWait();
            else Thread.yield();
        }
        this.body = null;
        if (mine != null) { failure = null; throw mine; }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw new IllegalStateException("worker thread failed: " + f, f);
        }
    }

    private void loop(int id) {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < SPIN) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            Body b = body;
            int c = count, n = threads;
            try {
                b.run((int) ((long) c * id / n), (int) ((long) c * (id + 1) / n), id);
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
