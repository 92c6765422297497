package dev.infercost.engine.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fork-join for the step loop. {@link #run} splits [0, count) and the caller takes part; daemon workers
 * spin briefly ({@link #SPIN}, so back-to-back matmuls of one step do not pay a wake-up), then park, so an idle
 * engine costs no CPU. No allocation per call.
 *
 * <p>Two ways to split, chosen by {@code -Dinfercost.jvm.split} (default {@code dynamic}):
 * <ul>
 *   <li>{@code static}: one contiguous chunk per thread; the call returns when the slowest thread is done, so a
 *       worker that the OS has not scheduled yet (a shared or oversubscribed machine) stalls the whole product.</li>
 *   <li>{@code dynamic}: contiguous chunks of about count / (4 x threads) rows (a multiple of the body's
 *       {@link Body#grain}, so the row-group kernels keep whole passes) handed out from one atomic counter; whichever threads are running take the
 *       next chunk, so a late worker only means the caller takes more of the rows. Chunks are disjoint and
 *       contiguous, so threads still stream disjoint weight rows.</li>
 * </ul>
 */
final class WorkerPool implements AutoCloseable {
    /** Work over rows [from, to) run by thread {@code worker} (0 = the caller). */
    interface Body {
        void run(int from, int to, int worker);

        /** Chunks of the dynamic split are a multiple of this many rows (4: the 4-row kernels keep whole passes). */
        default int grain() { return 4; }
    }

    /**
     * Spin-wait iterations ({@link Thread#onSpinWait}) before an idle worker parks, and before a waiting caller starts
     * yielding: {@code -Dinfercost.jvm.spin=N} (default 2000, of the order of 0.1 ms, which covers the serial gaps
     * between the parallel products of one step; 0 parks at once, so every parallel product pays an unpark).
     * Measured on a 2-core machine oversubscribed by other work (load average 11-15, stories110M shape Q8_0, batch-1
     * decode at context 64, 2 threads, wall tok/s of two alternating rounds; benchmarks/src/.../CpuTimeDecode):
     * 20000 spins 19.4 / 22.3, 2000 spins 29.9 / 32.5, 0 spins 32.2 / 18.9, against 21.8 / 21.3 with 1 thread:
     * long spins hold a core while the thread being waited for is descheduled, and cost 1 to 2 threads its gain.
     */
    static final int SPIN = Math.max(0, Integer.getInteger("infercost.jvm.spin", 2_000));
    /** Chunks per thread in dynamic mode. */
    private static final int CHUNKS_PER_THREAD = 4;
    /** ticket's low 32 bits when a job is closed to late workers. */
    private static final long CLOSED = Integer.MAX_VALUE;

    private final int threads;
    private final boolean dynamic;
    private final Thread[] workers;
    private volatile Body body;
    private volatile int count, chunk;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private final AtomicInteger pending = new AtomicInteger();
    /** dynamic mode: (job generation << 32) | next row to hand out. */
    private final AtomicLong ticket = new AtomicLong();
    /** dynamic mode: rows finished in the current job. */
    private final AtomicInteger done = new AtomicInteger();
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

    WorkerPool(int threads, String name) {
        this(threads, name, !"static".equals(System.getProperty("infercost.jvm.split")));
    }

    WorkerPool(int threads, String name, boolean dynamic) {
        this.threads = Math.max(1, threads);
        this.dynamic = dynamic;
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
            if (dynamic) runDynamic(count, b);
            else runLocked(count, b);
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
        finish(mine);
    }

    private void finish(RuntimeException mine) {
        if (mine != null) { failure = null; throw mine; }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw new IllegalStateException("worker thread failed: " + f, f);
        }
    }

    private void runDynamic(int count, Body b) {
        long g = generation + 1;
        // close the previous job to workers still holding its generation before its body is replaced
        ticket.set((g << 32) | CLOSED);
        this.body = b;
        this.count = count;
        int c = (count + CHUNKS_PER_THREAD * threads - 1) / (CHUNKS_PER_THREAD * threads);
        int grain = b.grain();
        this.chunk = Math.max(grain, (c + grain - 1) / grain * grain);
        done.set(0);
        ticket.set(g << 32);
        generation = g; // publishes body, count, chunk and the open ticket
        for (Thread w : workers) LockSupport.unpark(w);
        RuntimeException mine = null;
        try {
            take(g, b, count, chunk, 0);
        } catch (RuntimeException e) {
            mine = e;
        }
        int spins = 0;
        while (done.get() < count) {
            if (++spins < SPIN) Thread.onSpinWait();
            else Thread.yield();
        }
        finish(mine);
    }

    /** Runs chunks of job g until none is left; every chunk taken is counted in {@link #done}, even if it throws. */
    private void take(long g, Body b, int count, int chunk, int id) {
        while (true) {
            long t = ticket.get();
            if ((t >>> 32) != g) return;
            int from = (int) t;
            if (from >= count) return;
            int to = Math.min(count, from + chunk);
            if (!ticket.compareAndSet(t, (g << 32) | to)) continue;
            try {
                b.run(from, to, id);
            } catch (Throwable e) {
                if (id == 0) throw e; // the caller rethrows once the other chunks are done
                failure = e; // recorded before the chunk counts as done, so the caller sees it
            } finally {
                done.addAndGet(to - from);
            }
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
            if (dynamic) {
                take(seen, b, c, chunk, id);
                continue;
            }
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
