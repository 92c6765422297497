package dev.infercost.hardware;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which catalog chip an engine ran on, read from the engine's device string, so that each measured row carries
 * the right {@code device_class}, the right peak figures (the denominators of MBU/MFU) and the right price.
 *
 * <p>Device strings come from the engines: the JVM engine ("cpu (2 threads)"), TornadoVM ("tornado 0:0 NVIDIA H200
 * (PTX, GPU, wg 128)", "tornado 0:0 cpu-haswell-AMD EPYC 9R14 (OPENCL, CPU, wg 1)"), ONNX Runtime ("onnxruntime
 * 1.23.2 cuda (...)", with the execution provider), or NVML / nvidia-smi names ("NVIDIA H100 80GB HBM3",
 * "NVIDIA A100-SXM4-80GB", "NVIDIA H100 PCIe"). Rules, in order:
 * <ol>
 *   <li>an override ({@code --device-class NAME}) wins; a name the catalog lacks keeps the name and has no peaks;</li>
 *   <li>a CPU device (JVM engine, TornadoVM/OpenCL device of type CPU such as PoCL, ORT's CPU provider) is the
 *       catalog's {@code cpu-host} entry, whose figures are labelled assumptions; the CPU model from
 *       {@code /proc/cpuinfo} is shown beside it;</li>
 *   <li>a GPU device is matched by the chip's model token (the first word of the catalog name, e.g. "H200" of
 *       "H200 SXM", "MI300X"), which must appear as a whole word in the device string; where the catalog has
 *       several form factors of one model (H100 SXM / PCIe / NVL), the device's own form-factor word (PCIe, NVL,
 *       SXM) picks one, and no form-factor word means SXM (NVML names SXM parts without a suffix, e.g.
 *       "NVIDIA H100 80GB HBM3"); a form factor the catalog lacks (e.g. "H200 NVL") is not guessed;</li>
 *   <li>anything else that looks like a GPU is {@value #UNKNOWN_GPU}: no peaks (MBU/MFU left empty) and priced
 *       only with {@code --usd-per-hour} (the cost stage finds no catalog chip for it).</li>
 * </ol>
 *
 * @param device      the engine's device string as reported (for CPUs with the CPU model appended when missing)
 * @param deviceClass catalog name of the matched chip ("H200 SXM", "cpu-host"), the override, or {@value #UNKNOWN_GPU}
 * @param gpu         whether the device executes as a GPU / accelerator (false for CPUs, including OpenCL CPU devices)
 * @param how         one line saying how the match was made (shown in peak_basis, the manifest and the console)
 * @param peaks       peak figures for MBU/MFU (NaN where the catalog has none, with the basis saying so)
 */
public record DeviceMatch(String device, String deviceClass, boolean gpu, String how, PeakFigures peaks) {

    /** device_class of a GPU that matches no catalog chip. */
    public static final String UNKNOWN_GPU = "unknown-gpu";

    /** Words in a device string that mark a GPU or accelerator (lower case, whole words). */
    static final Set<String> GPU_WORDS = Set.of("gpu", "cuda", "tensorrt", "ptx", "nvidia", "geforce", "quadro", "tesla",
            "radeon", "instinct", "rocm", "hip", "accelerator", "gaudi", "tpu");
    /** Form-factor words of data-centre GPUs. */
    static final List<String> FORM_FACTORS = List.of("sxm", "pcie", "nvl");

    /**
     * Matches a device string against the catalog.
     *
     * @param device   the engine's device string (null or blank = this CPU host)
     * @param dtype    the engine's weight precision (F32, F16, BF16, Q8_0 ...): which peak FLOP/s to use
     * @param catalog  the catalog (bundled plus any user file)
     * @param override {@code --device-class} value, or null
     * @throws BadInputException never for an unmatched device (that is {@value #UNKNOWN_GPU}); only for a catalog
     *                           figure in a unit it cannot convert
     */
    public static DeviceMatch of(String device, String dtype, Catalog catalog, String override) {
        return of(device, dtype, catalog, override, DeviceMatch::nvidiaSmiName);
    }

    /**
     * As {@link #of(String, String, Catalog, String)}, with the source of GPU names for device strings that name
     * only a provider (ONNX Runtime's "cuda"): {@code gpuName} maps a CUDA device index to its name, or null.
     */
    public static DeviceMatch of(String device, String dtype, Catalog catalog, String override, java.util.function.IntFunction<String> gpuName) {
        String dev = device == null ? "" : device.trim();
        boolean gpu = looksLikeGpu(dev);
        if (override != null && !override.isBlank()) {
            Accelerator chip = catalog.find(override);
            boolean ovGpu = chip == null ? !override.toLowerCase(Locale.ROOT).startsWith("cpu") : !chip.name().equals(Accelerator.CPU_HOST);
            if (chip == null) {
                return new DeviceMatch(dev, override.trim(), ovGpu, "--device-class " + override.trim() + " (not in the catalog: no peaks; priced only with --usd-per-hour or a catalog row)",
                        new PeakFigures(override.trim(), Double.NaN, Double.NaN, "--device-class " + override.trim() + " is not in the catalog: no peak figures (serve-bench: pass --peak-bandwidth/--peak-tflops)"));
            }
            String how = "--device-class " + override.trim() + " -> catalog " + chip.name() + " (override; device reported '" + dev + "')";
            return new DeviceMatch(dev, chip.name(), ovGpu, how, chip.name().equals(Accelerator.CPU_HOST) ? cpuPeaks(how) : peaks(chip, dtype, how));
        }
        if (!gpu) {
            String model = cpuModel();
            String shown = dev.isEmpty() ? "cpu" : dev;
            if (!model.isEmpty() && !shown.toLowerCase(Locale.ROOT).contains(model.toLowerCase(Locale.ROOT))) shown += " [" + model + "]";
            String how = "CPU device '" + (dev.isEmpty() ? "cpu" : dev) + "'" + (model.isEmpty() ? "" : " (" + model + ")") + " -> catalog cpu-host (assumed figures)";
            return new DeviceMatch(shown, Accelerator.CPU_HOST, false, how, cpuPeaks(how));
        }
        Set<String> words = words(dev);
        List<Accelerator> candidates = new ArrayList<>();
        for (Accelerator a : catalog.chips()) {
            if (a.name().equals(Accelerator.CPU_HOST)) continue;
            List<String> cw = new ArrayList<>(words(a.name()));
            if (!cw.isEmpty() && words.contains(cw.getFirst())) candidates.add(a);
        }
        String ff = FORM_FACTORS.stream().filter(words::contains).findFirst().orElse(null);
        Accelerator chip = null;
        String rule;
        if (candidates.isEmpty() && gpuName != null) {
            java.util.regex.Matcher ix = java.util.regex.Pattern.compile("(?:cuda|gpu)[:#]?(\\d+)").matcher(dev.toLowerCase(Locale.ROOT));
            String n = gpuName.apply(ix.find() ? Integer.parseInt(ix.group(1)) : 0);
            if (n != null && !n.isBlank()) return of(dev + " [" + n.trim() + "]", dtype, catalog, null, null);
        }
        if (candidates.isEmpty()) {
            rule = "no catalog chip's model word appears in it";
        } else {
            String model = new ArrayList<>(words(candidates.getFirst().name())).getFirst();
            List<Accelerator> pick = candidates;
            if (ff != null) {
                // the device names its form factor: only that one (a chip without form-factor words accepts any)
                pick = candidates.stream().filter(a -> words(a.name()).contains(ff) || !hasAnyFormFactor(a)).toList();
                rule = "model word '" + model + "', form factor " + ff.toUpperCase(Locale.ROOT);
            } else if (candidates.size() > 1) {
                pick = candidates.stream().filter(a -> words(a.name()).contains("sxm")).toList();
                rule = "model word '" + model + "', form factor SXM (no form-factor word in the device name)";
            } else {
                rule = "model word '" + model + "'";
            }
            if (pick.size() > 1) {
                // several left (e.g. TPU v5e / v5p): the one with most of its name's words in the device string, if unique
                int best = -1, n = 0;
                for (Accelerator a : pick) {
                    int sc = 0;
                    for (String w : words(a.name())) if (words.contains(w)) sc++;
                    if (sc > best) { best = sc; chip = a; n = 1; } else if (sc == best) n++;
                }
                if (n > 1) chip = null;
                rule += ", most name words";
            } else if (pick.size() == 1) {
                chip = pick.getFirst();
            }
        }
        if (chip == null) {
            String why = candidates.isEmpty() ? rule
                    : rule + ": no single catalog chip among " + candidates.stream().map(Accelerator::name).toList();
            String how = "GPU '" + dev + "' -> " + UNKNOWN_GPU + " (" + why + "; pass --device-class NAME, or --peak-bandwidth/--peak-tflops (serve-bench) and --usd-per-hour)";
            return new DeviceMatch(dev, UNKNOWN_GPU, true, how,
                    new PeakFigures(UNKNOWN_GPU, Double.NaN, Double.NaN, "no catalog chip matches '" + dev + "': no peak figures (MBU/MFU empty; pass --device-class, or serve-bench --peak-bandwidth/--peak-tflops)"));
        }
        String how = "GPU '" + dev + "' -> catalog " + chip.name() + " (" + rule + ")";
        return new DeviceMatch(dev, chip.name(), true, how, peaks(chip, dtype, how));
    }

    /** Whether the device string names a GPU/accelerator (see {@link #GPU_WORDS}); OpenCL CPU devices say CPU. */
    public static boolean looksLikeGpu(String device) {
        if (device == null || device.isBlank()) return false;
        Set<String> w = words(device);
        if (w.contains("cpu") && !w.contains("gpu")) return false;
        for (String g : GPU_WORDS) if (w.contains(g)) return true;
        return false;
    }

    /** Manifest entry: device, class, gpu flag, rule, peaks and their basis. */
    public Map<String, Object> manifestEntry() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        m.put("device_class", deviceClass);
        m.put("gpu", gpu);
        m.put("match", how);
        m.put("peak_bandwidth_gbps", Double.isNaN(peaks.peakGBps()) ? null : peaks.peakGBps());
        m.put("peak_tflops", Double.isNaN(peaks.peakTflops()) ? null : peaks.peakTflops());
        m.put("peak_basis", peaks.basis());
        return m;
    }

    /** Matches devices once each and keeps what it matched, for the run's manifest ("device_match"). */
    public static final class Matcher {
        private final Catalog catalog;
        private final String override;
        private final Map<String, DeviceMatch> seen = new LinkedHashMap<>();

        /** @param override {@code --device-class}, or null */
        public Matcher(Catalog catalog, String override) { this.catalog = catalog; this.override = override; }

        /** The match of {@code device} at precision {@code dtype} (computed once per pair). */
        public synchronized DeviceMatch match(String device, String dtype) {
            return seen.computeIfAbsent(device + "|" + dtype, k -> {
                DeviceMatch m = of(device, dtype, catalog, override);
                System.err.println("infercost: device " + m.how());
                return m;
            });
        }

        /** One manifest entry per matched device and precision. */
        public synchronized List<Map<String, Object>> manifest() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (DeviceMatch m : seen.values()) out.add(m.manifestEntry());
            return out;
        }
    }

    private static boolean hasAnyFormFactor(Accelerator a) {
        Set<String> w = words(a.name());
        for (String f : FORM_FACTORS) if (w.contains(f)) return true;
        return false;
    }

    private static PeakFigures cpuPeaks(String how) {
        PeakFigures p = PeakFigures.cpuHostDefault();
        return new PeakFigures(p.deviceClass(), p.peakGBps(), p.peakTflops(), how + "; " + p.basis());
    }

    /** Bandwidth and the dtype's dense FLOP/s from the chip (bf16_dense when the dtype's own figure is missing). */
    static PeakFigures peaks(Accelerator chip, String dtype, String how) {
        CatalogValue bw = chip.get("memory_bandwidth");
        String metric = Accelerator.flopsMetric(dtype == null || dtype.isBlank() ? "bf16" : dtype);
        CatalogValue fl = chip.get(metric);
        if (fl == null && !metric.equals("bf16_dense")) { metric = "bf16_dense"; fl = chip.get(metric); }
        String basis = how + ": bandwidth " + (bw == null ? "missing in the catalog" : bw.describe()) + "; " + metric + " "
                + (fl == null ? "missing in the catalog" : fl.describe());
        return new PeakFigures(chip.name(), bw == null ? Double.NaN : Accelerator.toSi(bw) / 1e9,
                fl == null ? Double.NaN : Accelerator.toSi(fl) / 1e12, basis);
    }

    /** Lower-case alphanumeric words, in order ("NVIDIA A100-SXM4-80GB" -> nvidia, a100, sxm4 -> also sxm, 80gb). */
    static Set<String> words(String s) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : s.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (w.isEmpty()) continue;
            out.add(w);
            // "sxm4", "sxm5", "pcie4": the form factor with a generation number
            for (String f : FORM_FACTORS) if (w.startsWith(f) && w.length() > f.length() && w.substring(f.length()).chars().allMatch(Character::isDigit)) out.add(f);
        }
        return out;
    }

    /** GPU {@code index}'s name from {@code nvidia-smi --query-gpu=name}, or null where nvidia-smi is absent or fails. */
    public static String nvidiaSmiName(int index) {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", Integer.toString(index))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) { p.destroyForcibly(); return null; }
            return p.exitValue() == 0 && !out.isEmpty() && !out.contains("\n") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static volatile String cpuModel;

    /** The CPU model from /proc/cpuinfo ("model name"), or "" where it is not readable (not Linux). */
    public static String cpuModel() {
        String m = cpuModel;
        if (m != null) return m;
        m = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) { m = line.substring(line.indexOf(':') + 1).trim(); break; }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux or not readable: the row shows the engine's string alone
        }
        cpuModel = m;
        return m;
    }
}
