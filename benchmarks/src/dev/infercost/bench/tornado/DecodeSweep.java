package dev.infercost.bench.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.results.CsvTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Greedy decode throughput of any backend through the Engine SPI, per batch size: a quick sweep for comparing
 * backends on one machine (e.g. tornado on PoCL or a GPU beside jvm) and for benchmarks/gpu-check.sh. Not a JMH
 * benchmark: one fork, a fixed warm-up, wall-clock time over the timed steps (JMH-grade figures come from
 * {@code infercost run}).
 *
 * <p>Per batch B: a session of B slots; every slot is prefilled with BOS and then decoded greedily
 * ({@link DecodeSession#decodeGreedy}, device-side argmax where the backend has one) for {@code warmup} steps,
 * repeated from position 1 until at least {@code --warmup-s} seconds (default 3) have passed, so the JIT has
 * compiled the JVM engine's hot loops (8 steps alone left the jvm backend interpreted: it measured 848 tok/s on
 * stories260K against JMH's 11,680), and then {@code steps} timed steps, repeated over the same positions until
 * at least {@code --min-time-s} seconds (default 1) have been timed. decode tok/s = B * steps / seconds. Bytes per step = weight bytes (as
 * stored) + KV cache read (2 * layers * B * mean context * kvDim * 4 bytes, fp32 cache); achieved bandwidth =
 * bytes per step / seconds per step; MBU = achieved bandwidth / {@code --peak-gbps} (when given), the
 * memory-bandwidth utilisation of decode as defined by Databricks' "LLM inference performance engineering"
 * (2023). greedy_tokens_crc32 is the CRC-32 of slot 0's greedy token ids over the timed steps: two runs of one
 * model with the same steps must print the same value (e.g. tornado with and without cuda_graph=true).
 *
 * <pre>java ... dev.infercost.bench.tornado.DecodeSweep --model M [--tokenizer T] --backend tornado --device 0:0
 *     --batch 1,8,32 --steps 64 --warmup 8 [--warmup-s 3] [--min-time-s 1] [--context 256] [--threads 0] [--peak-gbps 4800] [--extra wg=64]
 *     [--out sweep.csv]</pre>
 */
public final class DecodeSweep {
    private DecodeSweep() {}

    /** Columns of the CSV this writes. */
    public static final List<String> COLUMNS = List.of("backend", "device", "model", "weights", "dtype", "batch",
            "context_start", "steps", "decode [tok/s]", "step [ms]", "bytes_per_step [B]", "bandwidth [GB/s]", "mbu [fraction]",
            "greedy_tokens_crc32");

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        LlamaModel m = Models.load(req(a, "model"), a.containsKey("tokenizer") ? Path.of(a.get("tokenizer")) : null);
        CsvTable t = sweep(m, a.getOrDefault("backend", "jvm"), a.get("device"), Integer.parseInt(a.getOrDefault("threads", "0")),
                Arrays.stream(a.getOrDefault("batch", "1,8,32").split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray(),
                Integer.parseInt(a.getOrDefault("steps", "64")), Integer.parseInt(a.getOrDefault("warmup", "8")),
                Double.parseDouble(a.getOrDefault("warmup-s", "3")), Double.parseDouble(a.getOrDefault("min-time-s", "1")),
                Integer.parseInt(a.getOrDefault("context", "0")),
                a.containsKey("peak-gbps") ? Double.parseDouble(a.get("peak-gbps")) : Double.NaN, extra(a.get("extra")));
        if (a.containsKey("out")) Files.writeString(Path.of(a.get("out")), t.toCsv());
        System.out.print(t.toCsv());
    }

    /**
     * Runs the sweep.
     *
     * @param warmupSeconds minimum warm-up time [s]: the warm-up steps repeat from position 1 until it has passed
     * @param minSeconds minimum timed time [s]: the timed steps repeat over the same positions until it has passed;
     *                   figures are per pass (the mean)
     * @param context  session context length (0 = warmup + steps + 1)
     * @param peakGbps device peak memory bandwidth [GB/s] for MBU, NaN = leave MBU empty
     */
    public static CsvTable sweep(LlamaModel m, String backend, String device, int threads, int[] batches, int steps, int warmup,
                                 double warmupSeconds, double minSeconds, int context, double peakGbps, Map<String, String> extra) {
        LlamaConfig c = m.config();
        int ctx = context > 0 ? context : Math.min(c.seqLen(), warmup + steps + 1);
        if (warmup + steps + 1 > ctx) throw new BadInputException("warmup + steps + 1 = " + (warmup + steps + 1) + " exceeds context " + ctx);
        CsvTable t = new CsvTable(COLUMNS);
        long weightBytes = m.weights().storedBytes();
        try (Engine e = Engines.require(backend).open(m, new EngineOptions(threads, device, extra))) {
            for (int b : batches) {
                try (DecodeSession s = e.newSession(b, ctx)) {
                    int[] slots = new int[b], tokens = new int[b], pos = new int[b], next = new int[b];
                    float[] logits = new float[b * c.vocabSize()];
                    for (int i = 0; i < b; i++) {
                        slots[i] = i;
                        s.prefill(i, new int[]{1}, 0, logits);
                    }
                    long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                    do {
                        Arrays.fill(tokens, 1);
                        Arrays.fill(pos, 1);
                        for (int k = 0; k < warmup; k++) step(s, b, slots, tokens, pos, next, logits);
                    } while (System.nanoTime() < warmEnd);
                    int pos0 = pos[0];
                    int[] tokens0 = tokens.clone(), positions0 = pos.clone();
                    int[] row0 = new int[steps];
                    // timed passes over the same positions until minSeconds have been timed (one pass of a tiny
                    // model is a few ms: too short for the clock and the JIT's steady state)
                    long timedNs = 0;
                    int passes = 0;
                    do {
                        System.arraycopy(tokens0, 0, tokens, 0, b);
                        System.arraycopy(positions0, 0, pos, 0, b);
                        long t0 = System.nanoTime();
                        for (int k = 0; k < steps; k++) {
                            step(s, b, slots, tokens, pos, next, logits);
                            if (passes == 0) row0[k] = next[0];
                        }
                        timedNs += System.nanoTime() - t0;
                        passes++;
                    } while (timedNs < minSeconds * 1e9);
                    double secs = timedNs / 1e9 / passes;
                    CRC32 crc = new CRC32();
                    for (int id : row0) crc.update(java.nio.ByteBuffer.allocate(4).putInt(id).array());
                    double meanCtx = pos0 + (steps - 1) / 2.0 + 1;
                    double bytes = weightBytes + 2.0 * c.nLayers() * b * meanCtx * c.kvDim() * 4;
                    double gbps = bytes * steps / secs / 1e9;
                    t.add(backend, e.device(), m.info().name(), m.info().weightsLabel(), m.info().dtype(), b, pos0, steps,
                            String.format(Locale.ROOT, "%.2f", b * steps / secs), String.format(Locale.ROOT, "%.3f", secs * 1e3 / steps),
                            String.format(Locale.ROOT, "%.0f", bytes), String.format(Locale.ROOT, "%.2f", gbps),
                            Double.isNaN(peakGbps) ? "" : String.format(Locale.ROOT, "%.4f", gbps / peakGbps),
                            String.format(Locale.ROOT, "%08x", crc.getValue()));
                }
            }
        }
        return t;
    }

    private static void step(DecodeSession s, int b, int[] slots, int[] tokens, int[] pos, int[] next, float[] logits) {
        s.decodeGreedy(b, slots, tokens, pos, next, logits);
        for (int i = 0; i < b; i++) {
            tokens[i] = next[i];
            pos[i]++;
        }
    }

    private static final List<String> KNOWN = List.of("model", "tokenizer", "backend", "device", "batch", "steps", "warmup", "warmup-s", "min-time-s", "context", "threads", "peak-gbps", "extra", "out");

    private static Map<String, String> parse(String[] args) { return dev.infercost.bench.BenchArgs.parse("DecodeSweep", KNOWN, args); }

    private static Map<String, String> extra(String spec) { return dev.infercost.bench.BenchArgs.extra("DecodeSweep", spec); }

    private static String req(Map<String, String> a, String k) { return dev.infercost.bench.BenchArgs.req("DecodeSweep", a, k); }

}
