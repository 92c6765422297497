package dev.infercost.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Batch-1 decode speed per CPU-second as well as per wall-second, for comparing kernel variants on a shared machine
 * where wall-clock figures swing with other tenants' load: time-slicing by the OS stops a thread's CPU clock as well
 * as its work, so tokens per CPU-second of the decoding thread stay comparable while tok/s (wall) does not (cache and
 * memory-bandwidth contention still show in both).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/infercost.jar:target/lib/* dev.infercost.bench.CpuTimeDecode \
 *     MODEL THREADS CONTEXT WARMUP_S MEASURE_S</pre>
 *
 * MODEL as {@link DecoderState#load} (a GGUF/llama2.c path or a preset such as {@code stories110M:q8_0}); the session
 * is pre-filled to CONTEXT positions and every step decodes at position CONTEXT (as DecodeBenchmark does). Prints one
 * CSV line: {@code threads,tok_per_s [tok/s],tok_per_caller_cpu_s [tok/CPU-s],tok_per_process_cpu_s [tok/CPU-s],load1}.
 * With 1 thread the caller does all the work; with more, the process figure counts the workers (including their
 * spinning), and the wall figure is the one that shows scaling.
 */
public final class CpuTimeDecode {
    private CpuTimeDecode() {}

    public static void main(String[] a) throws Exception {
        if (a.length != 5) {
            System.err.println("usage: CpuTimeDecode MODEL THREADS CONTEXT WARMUP_S MEASURE_S");
            System.exit(2);
        }
        DecoderState s = new DecoderState();
        s.model = a[0];
        s.threads = Integer.parseInt(a[1]);
        s.context = Integer.parseInt(a[2]);
        s.isl = 1;
        s.tokenizer = "";
        s.backend = "jvm";
        s.device = "";
        s.extra = "";
        double warm = Double.parseDouble(a[3]), measure = Double.parseDouble(a[4]);
        s.open(1);
        try {
            ThreadMXBean tm = ManagementFactory.getThreadMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long end = System.nanoTime() + (long) (warm * 1e9);
            while (System.nanoTime() < end) s.step();
            long w0 = System.nanoTime(), c0 = tm.getCurrentThreadCpuTime(), p0 = os.getProcessCpuTime();
            long steps = 0;
            end = w0 + (long) (measure * 1e9);
            while (System.nanoTime() < end) { s.step(); steps++; }
            long w1 = System.nanoTime(), c1 = tm.getCurrentThreadCpuTime(), p1 = os.getProcessCpuTime();
            System.out.printf(java.util.Locale.ROOT, "%d,%.2f,%.2f,%.2f,%.2f%n", s.threads, steps / ((w1 - w0) / 1e9),
                    steps / ((c1 - c0) / 1e9), steps / ((p1 - p0) / 1e9), os.getSystemLoadAverage());
        } finally {
            s.close();
        }
    }
}
