package dev.infercost.measure;

import dev.infercost.BadInputException;
import dev.infercost.engine.Engines;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;

import java.nio.file.Path;
import java.util.List;

/**
 * What the measure stage runs: engine-level JMH benchmarks (decode per batch size, prefill, the MiniLM encoder)
 * with energy per token, and optionally a serving sweep.
 *
 * @param model        decoder spec: a .bin (llama2.c) or .gguf file, or a preset name
 * @param tokenizer    llama2.c tokenizer for a .bin model, or null (look beside the model)
 * @param loaded       the model already loaded from {@code model} (see {@link #prepare()}), or null to load it in the stage
 * @param backends     backends to measure, in order; the first also serves the serving sweep
 * @param device       backend device selector (e.g. "0:0" for TornadoVM) or null
 * @param threads      engine worker threads (0 = all processors)
 * @param batches      decode batch sizes, each 1..{@link #MAX_BATCH}, no repeats, each fitting the benchmark JVM's heap
 *                     (1, 8 and 32 have their own JMH methods; others run {@code decodeBatchN})
 * @param context      KV-cache positions before each measured decode step [tok], >= 1
 * @param isl          prompt length of the prefill benchmark [tok], >= 1
 * @param encoder      whether to run the MiniLM encoder benchmark
 * @param serving      whether to run the serving sweep (Server scenario, continuous batching)
 * @param quick        short JMH settings ({@link EngineBench.Settings#quick()}) and the quick serving sweep
 * @param energyMeter  energy meter spec (auto, rapl, nvml, nvidia-smi, estimate:...)
 * @param catalog      catalog file overriding the bundled one (device matching), or null
 * @param deviceClass  catalog chip the engines ran on, overriding the match of their device strings, or null
 * @param expectDevice auto, gpu or cpu: a backend that opens on another kind of device is reported failed
 *                     ({@link dev.infercost.engine.FallbackGuard})
 * @param percentiles  latency percentiles of the serving sweep (null = {@link dev.infercost.results.Percentiles#STANDARD})
 * @param hostPeakGBps   peak memory bandwidth of the CPU host [GB/s] for the MBU of engine rows on the cpu-host
 *                       chip ({@code --host-peak-bandwidth}), or null for the catalog's assumed figure
 * @param hostPeakTflops peak FP32 TFLOP/s of the CPU host for MFU ({@code --host-peak-tflops}), or null
 */
public record MeasureOptions(String model, Path tokenizer, LlamaModel loaded, List<String> backends, String device, int threads,
                             List<Integer> batches, int context, int isl, boolean encoder, boolean serving, boolean quick,
                             String energyMeter, Path catalog, String deviceClass, String expectDevice,
                             List<Double> percentiles, Double hostPeakGBps, Double hostPeakTflops) {
    public MeasureOptions {
        if (expectDevice == null) expectDevice = "auto";
        backends = List.copyOf(backends);
        batches = List.copyOf(batches);
        percentiles = percentiles == null ? dev.infercost.results.Percentiles.STANDARD : List.copyOf(percentiles);
    }

    /** Options with the standard percentiles and the catalog's host peaks. */
    public MeasureOptions(String model, Path tokenizer, LlamaModel loaded, List<String> backends, String device, int threads,
                          List<Integer> batches, int context, int isl, boolean encoder, boolean serving, boolean quick,
                          String energyMeter, Path catalog, String deviceClass, String expectDevice) {
        this(model, tokenizer, loaded, backends, device, threads, batches, context, isl, encoder, serving, quick, energyMeter,
                catalog, deviceClass, expectDevice, null, null, null);
    }

    /** Largest decode batch size accepted. */
    public static final int MAX_BATCH = 4096;

    /**
     * Heap bytes the decode benchmark's state takes at batch {@code b}: the weights as loaded, an F32 KV cache
     * (K and V) of {@code min(seq_len, max(context, isl) + 1)} positions per slot (as {@code DecoderState} sizes
     * it) and one F32 logits row per slot.
     */
    static long decodeBytes(LlamaModel m, int b, int context, int isl) {
        int positions = Math.min(m.config().seqLen(), Math.max(context, isl) + 1);
        long kv = (long) positions * dev.infercost.model.Footprint.kvBytesPerPosition(m.config(), 4);
        return m.info().weightBytes() + (long) b * (kv + 4L * m.config().vocabSize());
    }

    /** Default decode batch sizes: 1 and 8 for a quick run, else 1, 8 and 32. */
    public static List<Integer> defaultBatches(boolean quick) { return quick ? List.of(1, 8) : List.of(1, 8, 32); }

    /**
     * Checks every option and loads the model, before anything is measured or written.
     *
     * @return these options with {@link #loaded()} set
     * @throws BadInputException naming the option and value that is wrong, the model file that cannot be read, or
     *                           the backend that does not exist
     */
    public MeasureOptions prepare() {
        if (context < 1 || isl < 1) throw new BadInputException("--context and --isl must be >= 1 (got " + context + ", " + isl + ")");
        if (threads < 0) throw new BadInputException("--threads " + threads + ": expected >= 0");
        if (backends.isEmpty()) throw new BadInputException("--backend: at least one backend is needed");
        if (batches.isEmpty()) throw new BadInputException("--batch: at least one decode batch size is needed");
        for (int b : batches) if (b < 1 || b > MAX_BATCH) throw new BadInputException("--batch " + b + ": expected a decode batch size 1.." + MAX_BATCH);
        if (new java.util.HashSet<>(batches).size() != batches.size()) throw new BadInputException("--batch " + batches + ": a batch size is listed twice");
        LlamaModel m = loaded != null ? loaded : Models.load(model, tokenizer);
        for (int b : batches) {
            long need = decodeBytes(m, b, context, isl), heap = EngineBench.forkHeapBytes();
            if (need > heap * 0.9)
                throw new BadInputException(String.format(java.util.Locale.ROOT,
                        "--batch %d: the decode benchmark needs about %.1f GiB (weights + KV cache of %d slots x %d positions + logits), more than 90%% of the benchmark JVM's %.1f GiB heap (-Xmx of this JVM)",
                        b, need / 1073741824.0, b, Math.min(m.config().seqLen(), Math.max(context, isl) + 1), heap / 1073741824.0));
        }
        for (String b : backends) Engines.require(b);
        dev.infercost.engine.FallbackGuard.Expect.parse(expectDevice);
        return new MeasureOptions(model, tokenizer, m, backends, device, threads, batches, context, isl, encoder, serving, quick, energyMeter,
                catalog, deviceClass, expectDevice, percentiles, hostPeakGBps, hostPeakTflops);
    }

    /** JMH settings of this run. */
    public EngineBench.Settings settings() { return quick ? EngineBench.Settings.quick() : EngineBench.Settings.full(); }

    /** Progress steps the stage reports: one per benchmark point, the encoder and the serving sweep. */
    public int steps() { return backends.size() * (batches.size() + 1) + (encoder ? 1 : 0) + (serving ? 1 : 0); }
}
