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
 * MODEL as {@link DecoderState#load} (a llama2.c .bin's tokenizer via {@code -Dinfercost.bench.tokenizer=FILE} when it is not
 * beside the model) (a GGUF/llama2.c path or a preset such as {@code stories110M:q8_0}); the session
 * is pre-filled to CONTEXT positions and every step decodes at position CONTEXT (as DecodeBenchmark does); with
 * {@code prefill} each operation is instead a CONTEXT-token prompt prefilled from position 0 (as PrefillBenchmark
 * with isl = CONTEXT) and the figures count prompt tokens. Prints one
 * CSV line: {@code threads,tok_per_s [tok/s],tok_per_caller_cpu_s [tok/CPU-s],tok_per_process_cpu_s [tok/CPU-s],load1}.
 * With 1 thread the caller does all the work; with more, the process figure counts the workers (including their
 * spinning), and the wall figure is the one that shows scaling.
 */
public final class CpuTimeDecode {
    private CpuTimeDecode() {}

    public static void main(String[] a) throws Exception {
        if (a.length != 5 && !(a.length == 6 && a[5].equals("prefill"))) {
            System.err.println("usage: CpuTimeDecode MODEL THREADS CONTEXT WARMUP_S MEASURE_S [prefill]");
            System.exit(2);
        }
        DecoderState s = new DecoderState();
        s.model = a[0];
        s.threads = Integer.parseInt(a[1]);
        s.context = Integer.parseInt(a[2]);
        boolean prefill = a.length == 6;
        s.isl = prefill ? s.context : 1;
        if (prefill) s.context = 0;
        s.tokenizer = System.getProperty("infercost.bench.tokenizer", ""); // for a .bin without tokenizer.bin beside it
        s.backend = "jvm";
        s.device = "";
        s.extra = "";
        double warm = Double.parseDouble(a[3]), measure = Double.parseDouble(a[4]);
        s.open(1);
        try {
            ThreadMXBean tm = ManagementFactory.getThreadMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long end = System.nanoTime() + (long) (warm * 1e9);
            Runnable op = prefill ? () -> s.session.prefill(0, s.prompt, 0, s.logits) : s::step;
            int perOp = prefill ? s.prompt.length : 1;
            while (System.nanoTime() < end) op.run();
            long w0 = System.nanoTime(), c0 = tm.getCurrentThreadCpuTime(), p0 = os.getProcessCpuTime();
            long steps = 0;
            end = w0 + (long) (measure * 1e9);
            while (System.nanoTime() < end) { op.run(); steps += perOp; }
            long w1 = System.nanoTime(), c1 = tm.getCurrentThreadCpuTime(), p1 = os.getProcessCpuTime();
            System.out.printf(java.util.Locale.ROOT, "%d,%.2f,%.2f,%.2f,%.2f%n", s.threads, steps / ((w1 - w0) / 1e9),
                    steps / ((c1 - c0) / 1e9), steps / ((p1 - p0) / 1e9), os.getSystemLoadAverage());
        } finally {
            s.close();
        }
    }
}
