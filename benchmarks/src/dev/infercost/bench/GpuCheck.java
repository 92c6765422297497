package dev.infercost.bench;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.Engines;
import dev.infercost.engine.FallbackGuard;
import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.DeviceMatch;
import dev.infercost.measure.EngineBench;
import dev.infercost.measure.EngineBenchTable;
import dev.infercost.measure.energy.EnergyMeasurement;
import dev.infercost.measure.energy.EnergyMeters;
import dev.infercost.measure.energy.EnergyWindow;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.results.CsvTable;
import dev.infercost.results.Manifest;
import dev.infercost.results.ResultSchemas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The decode part of {@code gpu-check.sh}: greedy decode throughput per batch size of one model on one backend
 * and device, with an energy window around every point, written into a results folder as {@code engine_bench.csv}
 * and {@code energy.csv} (the tables {@code infercost cost} and {@code infercost report} read) and
 * {@code manifest.json}. Each finished point is appended and the tables are rewritten atomically, so a run cut
 * short keeps its finished points; several calls (F16, Q8_0, with and without CUDA graphs) append to one folder.
 *
 * <p>Per batch B: a session of B slots prefilled with BOS, {@code --warmup} greedy steps (repeated for at least
 * {@code --warmup-s} seconds), then {@code --steps} timed steps repeated over the same positions until at least
 * {@code --min-time-s} seconds have been timed (NVML's energy counter needs windows of 5 s or more). decode tok/s
 * = B x steps / seconds per pass; bytes per step and MBU as in {@link EngineBenchTable} (weights once per step
 * plus every sequence's KV cache), MBU against the peak of the catalog chip the device matched
 * ({@link DeviceMatch}); J/token = window energy / tokens decoded in it. This is a wall-clock loop, not JMH:
 * {@code throughput_error} is left empty and the manifest says so. The run refuses a configuration that opened on
 * a CPU while a GPU was expected ({@link FallbackGuard}, {@code --expect-device gpu}).
 *
 * <pre>java ... dev.infercost.bench.GpuCheck --out DIR --model llama-3.2-1b:f16 --backend tornado --device 0:0
 *     --batch 1,8,32,128 --steps 32 --warmup 4 --warmup-s 2 --min-time-s 5 [--context 256] [--extra cuda_graph=true]
 *     [--label f16-cudagraph] [--expect-device auto|gpu|cpu] [--energy-meter auto] [--device-class NAME]
 *     [--accuracy pass|fail] [--same-tokens-as f16]</pre>
 * {@code --accuracy} is the verdict of the accuracy step for this backend and device (the rows' accuracy_verdict);
 * {@code --same-tokens-as LABEL} marks a point {@code fail} when its greedy tokens (CRC-32 of slot 0's timed
 * tokens) differ from the same batch of an earlier call with that label (e.g. the CUDA-graph replay must decode
 * what the plain run decoded).
 */
public final class GpuCheck {
    private GpuCheck() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--summary")) { summary(Path.of(args[1])); return; }
        Map<String, String> a = parse(args);
        Path out = Path.of(req(a, "out"));
        Files.createDirectories(out);
        String spec = req(a, "model");
        String backend = a.getOrDefault("backend", "tornado");
        String device = a.get("device");
        Map<String, String> extra = extra(a.get("extra"));
        int[] batches = Arrays.stream(a.getOrDefault("batch", "1,8,32,128").split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int steps = Integer.parseInt(a.getOrDefault("steps", "32")), warmup = Integer.parseInt(a.getOrDefault("warmup", "4"));
        double warmupS = Double.parseDouble(a.getOrDefault("warmup-s", "2")), minS = Double.parseDouble(a.getOrDefault("min-time-s", "5"));
        String label = a.getOrDefault("label", spec);
        String runId = out.getFileName().toString();
        LlamaModel m = Models.load(spec, a.containsKey("tokenizer") ? Path.of(a.get("tokenizer")) : null);
        LlamaConfig c = m.config();
        int ctx = Integer.parseInt(a.getOrDefault("context", "0"));
        if (ctx <= 0) ctx = Math.min(c.seqLen(), warmup + steps + 1);
        if (warmup + steps + 1 > ctx) throw new BadInputException("GpuCheck: warmup + steps + 1 = " + (warmup + steps + 1) + " exceeds --context " + ctx);
        Catalog cat = Catalog.bundled();
        String accuracy = a.getOrDefault("accuracy", "unchecked");
        Map<Integer, String> reference = referenceTokens(out, a.get("same-tokens-as"));
        String requested = FallbackGuard.requested(FallbackGuard.Expect.parse(a.get("expect-device")), backend, device, extra);

        Map<String, Object> section = new LinkedHashMap<>();
        section.put("label", label);
        section.put("model", spec);
        section.put("backend", backend);
        section.put("extra", extra);
        section.put("method", "wall-clock greedy decode loop (not JMH): " + steps + " timed steps per pass, >= " + minS + " s timed per point, warm-up "
                + warmup + " steps for >= " + warmupS + " s; throughput_error empty");
        List<Map<String, Object>> points = new ArrayList<>();
        section.put("points", points);
        try (Engine e = Engines.require(backend).open(m, new EngineOptions(0, device, extra))) {
            FallbackGuard.Evidence ev = FallbackGuard.check(requested, e);
            section.put("device_guard", ev.manifestEntry());
            DeviceMatch dm = DeviceMatch.of(e.device(), m.info().dtype(), cat, a.get("device-class"));
            section.put("device_match", dm.manifestEntry());
            System.err.println("gpu-check: " + ev.detail() + "; " + dm.how());
            ev.requireOk();
            EnergyMeters.Selection sel = EnergyMeters.select(a.getOrDefault("energy-meter", "auto"), EnergyMeters.Target.parse(e.device()), EnergyMeters.system());
            section.put("energy_meter", sel.describe());
            System.err.println("gpu-check: energy meter " + sel.describe());
            try {
                for (int b : batches) {
                    Map<String, Object> pt = new LinkedHashMap<>();
                    pt.put("batch", b);
                    try {
                        point(e, m, dm, sel, b, ctx, steps, warmup, warmupS, minS, runId, label, out, pt, accuracy, reference, a.get("same-tokens-as"));
                    } catch (RuntimeException ex) {
                        pt.put("failed", String.valueOf(ex.getMessage() == null ? ex.toString() : ex.getMessage()));
                        System.err.println("gpu-check: " + label + " batch " + b + " failed: " + pt.get("failed") + " (next point)");
                    }
                    points.add(pt);
                    writeManifest(out, label, section, args);
                }
            } finally {
                if (sel.meter() != null) sel.meter().close();
            }
        } catch (RuntimeException ex) {
            section.put("failed", String.valueOf(ex.getMessage()));
            writeManifest(out, label, section, args);
            throw ex;
        }
        writeManifest(out, label, section, args);
    }

    private static void point(Engine e, LlamaModel m, DeviceMatch dm, EnergyMeters.Selection sel, int b, int ctx, int steps, int warmup,
                              double warmupS, double minS, String runId, String label, Path out, Map<String, Object> pt,
                              String accuracy, Map<Integer, String> reference, String refLabel) {
        LlamaConfig c = m.config();
        try (DecodeSession s = e.newSession(b, ctx)) {
            int[] slots = new int[b], tokens = new int[b], pos = new int[b], next = new int[b];
            float[] logits = new float[b * c.vocabSize()];
            for (int i = 0; i < b; i++) { slots[i] = i; s.prefill(i, new int[]{1}, 0, logits); }
            long warmEnd = System.nanoTime() + (long) (warmupS * 1e9);
            do {
                Arrays.fill(tokens, 1);
                Arrays.fill(pos, 1);
                for (int k = 0; k < warmup; k++) step(s, b, slots, tokens, pos, next, logits);
            } while (System.nanoTime() < warmEnd);
            int pos0 = pos[0];
            int[] tokens0 = tokens.clone(), positions0 = pos.clone(), row0 = new int[steps];
            EnergyWindow w = sel.meter() == null ? null : EnergyWindow.start(sel.meter(), 100);
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
            } while (timedNs < minS * 1e9);
            EnergyMeasurement em = w == null ? null : w.stop(Double.NaN, Double.NaN);
            double secs = timedNs / 1e9 / passes, tokS = b * steps / secs;
            CRC32 crc = new CRC32();
            for (int id : row0) crc.update(java.nio.ByteBuffer.allocate(4).putInt(id).array());
            String crcHex = String.format(Locale.ROOT, "%08x", crc.getValue());
            String verdict = accuracy;
            if (refLabel != null) {
                String want = reference.get(b);
                if (want == null) verdict = "unchecked";
                else if (!want.equals(crcHex)) {
                    verdict = "fail";
                    pt.put("tokens_differ_from", refLabel + " (" + want + " vs " + crcHex + ")");
                }
            }
            Map<String, Double> secondary = new LinkedHashMap<>();
            if (em != null) {
                double tokens1 = (double) b * steps * passes;
                secondary.put("energy.power", em.avgPowerW());
                secondary.put("energy.J/token", em.energyJ() / tokens1);
                secondary.put("energy.valid", em.valid() ? 1.0 : 0.0);
                secondary.put("energy.estimated", em.estimated() ? 1.0 : 0.0);
            }
            EngineBench.Outcome o = new EngineBench.Outcome("GpuCheck " + label, Map.of(), tokS, Double.NaN, passes, 1, passes, secondary, null);
            // context: mean position over the timed steps, as the decode benchmark's "context" (positions before the step)
            int meanCtx = (int) Math.round(pos0 + (steps - 1) / 2.0);
            Map<String, Object> row = new LinkedHashMap<>();
            EngineBenchTable.row(runId, new EngineBenchTable.Point(e.backend(), e.device(), m.info(), c, "decode", b,
                    0, meanCtx, 0, o, verdict), dm.peaks()).forEach((k, v) -> row.put(k.header(), v));
            row.put(dev.infercost.results.EngineBenchColumn.DEVICE.header(), dm.device());
            row.put(dev.infercost.results.EngineBenchColumn.THREADS.header(), null);
            if (em != null) {
                row.put(dev.infercost.results.EngineBenchColumn.ENERGY_METER.header(), em.meter());
                row.put(dev.infercost.results.EngineBenchColumn.ENERGY_BOUNDARY.header(), em.boundary());
            }
            append(out.resolve(ResultSchemas.ENGINE_BENCH), EngineBenchTable.newTable(), row);
            if (em != null) {
                Map<String, Object> er = em.energyRow(runId, label + " decode batch=" + b);
                append(out.resolve(ResultSchemas.ENERGY), new CsvTable(ResultSchemas.ENERGY_COLUMNS), er);
            }
            pt.put("decode_tok_s", tokS);
            pt.put("step_ms", secs * 1e3 / steps);
            pt.put("mbu", row.get(dev.infercost.results.EngineBenchColumn.MBU.header()));
            pt.put("j_per_token", secondary.get("energy.J/token"));
            pt.put("energy_valid", em == null ? null : em.valid());
            pt.put("energy_reasons", em == null ? "no energy meter" : em.reasonsText());
            pt.put("greedy_tokens_crc32", crcHex);
            pt.put("accuracy_verdict", verdict);
            System.err.printf(Locale.ROOT, "gpu-check: %s batch %d: %.1f tok/s, MBU %s, J/token %s%s%n", label, b, tokS, row.get("mbu"),
                    secondary.get("energy.J/token"), em == null ? "" : (em.valid() ? " (valid)" : " (NOT valid: " + em.reasonsText() + ")"));
        }
    }

    /** batch -> greedy-token CRC of the points of {@code label} already in the folder's manifest (empty when none). */
    @SuppressWarnings("unchecked")
    static Map<Integer, String> referenceTokens(Path out, String label) throws IOException {
        Map<Integer, String> m = new LinkedHashMap<>();
        Path f = out.resolve("manifest.json");
        if (label == null || !Files.exists(f)) return m;
        Map<String, Object> all = new com.fasterxml.jackson.databind.ObjectMapper().readValue(f.toFile(), LinkedHashMap.class);
        Map<String, Object> checks = (Map<String, Object>) all.getOrDefault("gpu_check", Map.of());
        Map<String, Object> sec = (Map<String, Object>) checks.get(label);
        if (sec == null) return m;
        for (Map<String, Object> p : (List<Map<String, Object>>) sec.getOrDefault("points", List.of()))
            if (p.get("greedy_tokens_crc32") != null) m.put(((Number) p.get("batch")).intValue(), (String) p.get("greedy_tokens_crc32"));
        return m;
    }

    /** Prints the folder's engine_bench.csv as the GPU check's table (device, dtype, batch, tok/s, MBU, J/token, accuracy). */
    static void summary(Path out) {
        Path f = out.resolve(ResultSchemas.ENGINE_BENCH);
        if (!Files.exists(f)) { System.out.println("no engine_bench.csv in " + out); return; }
        System.out.printf(Locale.ROOT, "%-12s %-6s %-6s %12s %8s %10s %-6s %-10s%n", "device_class", "dtype", "batch", "decode tok/s", "MBU", "J/token", "valid", "accuracy");
        for (Map<String, String> r : CsvTable.read(f))
            System.out.printf(Locale.ROOT, "%-12s %-6s %-6s %12s %8s %10s %-6s %-10s%n", r.get("device_class"), r.get("dtype"), r.get("batch_size"),
                    r.get("throughput [tok/s]"), r.get("mbu"), r.get("energy_per_token [J/tok]"), r.get("energy_valid"), r.get("accuracy_verdict"));
    }

    private static void step(DecodeSession s, int b, int[] slots, int[] tokens, int[] pos, int[] next, float[] logits) {
        s.decodeGreedy(b, slots, tokens, pos, next, logits);
        for (int i = 0; i < b; i++) { tokens[i] = next[i]; pos[i]++; }
    }

    /** Appends one row to a CSV table file (read back, row added, rewritten through a temp file and an atomic move). */
    static synchronized void append(Path file, CsvTable empty, Map<String, Object> row) {
        CsvTable t = empty;
        if (Files.exists(file)) {
            for (Map<String, String> r : CsvTable.read(file)) {
                Map<String, Object> o = new LinkedHashMap<>();
                for (String col : t.columns()) {
                    String v = r.get(col);
                    o.put(col, v == null || v.isEmpty() ? null : v);
                }
                t.add(o);
            }
        }
        t.add(row);
        writeAtomic(file, t.toCsv());
    }

    private static void writeManifest(Path out, String label, Map<String, Object> section, String[] args) {
        Path f = out.resolve("manifest.json");
        Map<String, Object> all = new LinkedHashMap<>();
        try {
            if (Files.exists(f)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> prev = new com.fasterxml.jackson.databind.ObjectMapper().readValue(f.toFile(), LinkedHashMap.class);
                all.putAll(prev);
            }
        } catch (IOException e) {
            throw new BadInputException(f + ": unreadable manifest: " + e.getMessage(), e);
        }
        if (!all.containsKey("run_id")) {
            Manifest base = Manifest.forThisProcess(out.getFileName().toString(), List.of("gpu-check"));
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> bm = new com.fasterxml.jackson.databind.ObjectMapper().readValue(base.toJson(), LinkedHashMap.class);
                bm.forEach(all::putIfAbsent);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> checks = (Map<String, Object>) all.computeIfAbsent("gpu_check", k -> new LinkedHashMap<>());
        Map<String, Object> s = new LinkedHashMap<>(section);
        s.put("args", List.of(args));
        s.put("updated_utc", Instant.now().toString());
        checks.put(label, s);
        try {
            writeAtomic(f, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(all));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeAtomic(Path file, String text) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static final List<String> KNOWN = List.of("out", "model", "tokenizer", "backend", "device", "batch", "steps", "warmup", "warmup-s", "min-time-s",
                "context", "extra", "label", "expect-device", "energy-meter", "device-class", "accuracy", "same-tokens-as");

    private static Map<String, String> parse(String[] args) { return dev.infercost.bench.BenchArgs.parse("GpuCheck", KNOWN, args); }

    private static Map<String, String> extra(String spec) { return dev.infercost.bench.BenchArgs.extra("GpuCheck", spec); }

    private static String req(Map<String, String> a, String k) { return dev.infercost.bench.BenchArgs.req("GpuCheck", a, k); }
}
