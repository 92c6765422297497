package dev.infercost.engine.jvm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both split modes cover [0, count) exactly once per call, over many back-to-back jobs, and pass failures on. */
class WorkerPoolTest {

    @Test
    void everyIndexRunsExactlyOnceInBothModes() {
        for (boolean dynamic : new boolean[] {false, true})
            for (int threads : new int[] {2, 3}) {
                try (WorkerPool pool = new WorkerPool(threads, "test-pool", dynamic)) {
                    for (int job = 0; job < 2000; job++) {
                        int count = 1 + (job * 37) % 500;
                        AtomicIntegerArray hits = new AtomicIntegerArray(count);
                        pool.run(count, true, (from, to, worker) -> {
                            assertTrue(worker >= 0 && worker < threads);
                            for (int i = from; i < to; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < count; i++)
                            assertEquals(1, hits.get(i), (dynamic ? "dynamic" : "static") + " threads=" + threads + " job " + job + " index " + i);
                    }
                }
            }
    }

    @Test
    void aFailingChunkIsReportedAndThePoolStaysUsable() {
        for (boolean dynamic : new boolean[] {false, true})
            try (WorkerPool pool = new WorkerPool(2, "test-pool", dynamic)) {
                assertThrows(RuntimeException.class, () -> pool.run(400, true, (from, to, w) -> {
                    if (from <= 399 && 399 < to) throw new IllegalArgumentException("boom");
                }));
                AtomicIntegerArray hits = new AtomicIntegerArray(100);
                pool.run(100, true, (from, to, w) -> { for (int i = from; i < to; i++) hits.incrementAndGet(i); });
                for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
            }
    }
}
