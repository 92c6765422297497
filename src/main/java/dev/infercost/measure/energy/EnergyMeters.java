package dev.infercost.measure.energy;

import dev.infercost.BadInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses an {@link EnergyMeter} for a device, and says which and why.
 *
 * <p>Meter specs (the {@code --energy-meter} option and the profiler's {@code meter=} option):
 * <pre>
 *   auto                          best available for the target device (below)
 *   none                          no energy figures
 *   nvml[:INDEX]                  NVML counter of GPU INDEX (default: the target's index)
 *   nvidia-smi[:INDEX]            sampled nvidia-smi power.draw
 *   rapl[:ROOT]                   powercap RAPL packages under ROOT (default /sys/class/powercap)
 *   estimate:watts=W              stated constant wattage (boundary: the target's)
 *   estimate:tdp=W[,util=U|cpu]   TDP x utilisation (stated U in [0,1], or this process's CPU utilisation)
 *   estimate:ccf[,min=W,max=W]    Cloud Carbon Footprint per-vCPU model (defaults 0.74 / 3.5 W per vCPU)
 * </pre>
 * Auto order: GPU targets nvml, then nvidia-smi, then {@code estimate:watts=}/{@code tdp=} if the
 * environment states one (otherwise no meter); CPU targets rapl, then the CCF per-vCPU estimate.
 */
public final class EnergyMeters {
    private EnergyMeters() {}

    /**
     * The chosen meter (null when none could be used), why it was chosen, and why each better one was not.
     */
    public record Selection(EnergyMeter meter, String reason, List<String> rejected) {
        /** One line: "nvml (gpu:0 ...): reason; not used: rapl: ..." */
        public String describe() {
            String head = meter == null ? "no energy meter: " + reason : meter.name() + " (" + meter.device() + "): " + reason;
            return rejected.isEmpty() ? head : head + "; not used: " + String.join("; ", rejected);
        }
    }

    /**
     * What the selection may use; production values from {@link #system()}, tests substitute fakes.
     *
     * @param powercapRoot  root of the powercap tree
     * @param nvml          opens NVML (throws BadInputException with the reason when absent)
     * @param smiCommand    the nvidia-smi command for a GPU index
     * @param smiIntervalMs nvidia-smi sampling interval
     * @param gpuEstimate   estimate spec for GPUs without a meter (e.g. "estimate:tdp=700,util=0.8"), or null
     * @param clock         monotonic ns clock
     * @param cpuTimeNanos  this process's CPU time, ns
     * @param cpus          logical CPUs of this host
     */
    public record Environment(Path powercapRoot, Supplier<NvmlApi> nvml, IntFunction<List<String>> smiCommand,
                              long smiIntervalMs, String gpuEstimate, LongSupplier clock, LongSupplier cpuTimeNanos, int cpus) {
        public Environment withGpuEstimate(String spec) {
            return new Environment(powercapRoot, nvml, smiCommand, smiIntervalMs, spec, clock, cpuTimeNanos, cpus);
        }
    }

    /** The real machine: /sys/class/powercap, libnvidia-ml.so.1, nvidia-smi, System.nanoTime. */
    public static Environment system() {
        return new Environment(RaplMeter.DEFAULT_ROOT, () -> NvmlNative.load("libnvidia-ml.so.1"),
                i -> NvidiaSmiMeter.command(i, 100), 100, null, System::nanoTime, EstimateMeter::processCpuTimeNanos,
                Runtime.getRuntime().availableProcessors());
    }

    /** A measured device: a GPU with its index, or the CPU host. */
    public record Target(boolean gpu, int index) {
        public static final Target CPU = new Target(false, 0);

        /** "cpu", "gpu", "gpu:1", "cuda:0", or an engine's device string ("cpu (2 threads)", "opencl:0:0 NVIDIA ..."). */
        public static Target parse(String device) {
            if (device == null) return CPU;
            String d = device.toLowerCase(Locale.ROOT);
            Matcher m = Pattern.compile("(?:gpu|cuda)[:#]?(\\d+)").matcher(d);
            if (m.find()) return new Target(true, Integer.parseInt(m.group(1)));
            if (d.contains("gpu") || d.contains("cuda") || d.contains("nvidia")) return new Target(true, 0);
            return CPU;
        }

        @Override public String toString() { return gpu ? "gpu:" + index : "cpu"; }
    }

    /** Auto-selects a meter for {@code device} (see {@link Target#parse}) on this machine. */
    public static Selection autoSelect(String device) { return autoSelect(Target.parse(device), system()); }

    /** Auto-selects the best available meter for {@code target}. Never throws: failures become rejections. */
    public static Selection autoSelect(Target target, Environment env) {
        List<String> rejected = new ArrayList<>();
        if (target.gpu()) {
            try {
                return new Selection(new NvmlMeter(env.nvml().get(), target.index(), env.clock()),
                        "NVML total-energy counter available (preferred: a hardware counter, cross-checked by power)", rejected);
            } catch (RuntimeException e) {
                rejected.add("nvml: " + e.getMessage());
            }
            try {
                return new Selection(new NvidiaSmiMeter(env.smiCommand().apply(target.index()), target.index(), env.smiIntervalMs(), env.clock()),
                        "nvidia-smi power samples (no energy counter: integrated power)", rejected);
            } catch (RuntimeException e) {
                rejected.add("nvidia-smi: " + e.getMessage());
            }
            if (env.gpuEstimate() != null) {
                return new Selection(fromSpec(env.gpuEstimate(), target, env), "no GPU meter: estimate as configured", rejected);
            }
            return new Selection(null, "no GPU meter available and no estimate configured (pass e.g. estimate:tdp=700,util=0.8)", rejected);
        }
        try {
            return new Selection(RaplMeter.open(env.powercapRoot(), env.clock()), "RAPL package energy counters readable", rejected);
        } catch (RuntimeException e) {
            rejected.add("rapl: " + e.getMessage());
        }
        return new Selection(EstimateMeter.perVcpu(env.cpus(), EstimateMeter.CCF_MIN_W, EstimateMeter.CCF_MAX_W, env.clock(), env.cpuTimeNanos()),
                "no CPU energy counter: Cloud Carbon Footprint per-vCPU estimate (labelled estimated)", rejected);
    }

    /**
     * Selects by spec ("auto" or an explicit meter, see the class doc).
     *
     * @throws BadInputException for a malformed spec, or an explicit meter that cannot be opened (with why)
     */
    public static Selection select(String spec, Target target, Environment env) {
        String s = spec == null ? "auto" : spec.trim();
        if (s.equalsIgnoreCase("auto")) return autoSelect(target, env);
        if (s.equalsIgnoreCase("none")) return new Selection(null, "energy measurement disabled (meter=none)", List.of());
        return new Selection(fromSpec(s, target, env), "requested explicitly (" + s + ")", List.of());
    }

    /**
     * Opens the meter named by an explicit spec.
     *
     * @throws BadInputException malformed spec or meter unavailable
     */
    public static EnergyMeter fromSpec(String spec, Target target, Environment env) {
        String kind = spec, arg = null;
        int c = spec.indexOf(':');
        if (c >= 0) { kind = spec.substring(0, c); arg = spec.substring(c + 1); }
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "nvml": return new NvmlMeter(env.nvml().get(), arg == null ? target.index() : parseInt(spec, arg), env.clock());
            case "nvidia-smi": {
                int i = arg == null ? target.index() : parseInt(spec, arg);
                return new NvidiaSmiMeter(env.smiCommand().apply(i), i, env.smiIntervalMs(), env.clock());
            }
            case "rapl": return RaplMeter.open(arg == null ? env.powercapRoot() : Path.of(arg), env.clock());
            case "estimate": return estimate(spec, arg, target, env);
            default: throw new BadInputException("energy meter '" + spec + "': unknown kind '" + kind
                    + "'; expected auto, none, nvml[:i], nvidia-smi[:i], rapl[:root], estimate:watts=W, estimate:tdp=W[,util=U|cpu], estimate:ccf");
        }
    }

    private static EnergyMeter estimate(String spec, String arg, Target target, Environment env) {
        if (arg == null || arg.isBlank()) throw new BadInputException("energy meter '" + spec + "': estimate needs watts=W, tdp=W or ccf");
        double watts = Double.NaN, tdp = Double.NaN, util = Double.NaN, min = EstimateMeter.CCF_MIN_W, max = EstimateMeter.CCF_MAX_W;
        boolean ccf = false;
        for (String kv : arg.split(",")) {
            String k = kv.contains("=") ? kv.substring(0, kv.indexOf('=')).trim() : kv.trim();
            String v = kv.contains("=") ? kv.substring(kv.indexOf('=') + 1).trim() : "";
            switch (k) {
                case "watts" -> watts = parsePositive(spec, k, v);
                case "tdp" -> tdp = parsePositive(spec, k, v);
                case "util" -> {
                    if (!v.equals("cpu")) {
                        util = parsePositive(spec, k, v);
                        if (util > 1) throw new BadInputException("energy meter '" + spec + "': util=" + v + " must be in [0,1] or 'cpu'");
                    }
                }
                case "ccf" -> ccf = true;
                case "min" -> min = parsePositive(spec, k, v);
                case "max" -> max = parsePositive(spec, k, v);
                default -> throw new BadInputException("energy meter '" + spec + "': unknown estimate field '" + k + "'");
            }
        }
        String dev = target.toString();
        Boundary b = target.gpu() ? Boundary.GPU : Boundary.CPU_PACKAGE;
        if (!Double.isNaN(watts)) return EstimateMeter.stated(watts, dev, b, env.clock());
        if (!Double.isNaN(tdp)) return EstimateMeter.tdp(tdp, util, dev, b, env.clock(), env.cpuTimeNanos(), env.cpus());
        if (ccf) return EstimateMeter.perVcpu(env.cpus(), min, max, env.clock(), env.cpuTimeNanos());
        throw new BadInputException("energy meter '" + spec + "': estimate needs watts=W, tdp=W or ccf");
    }

    private static int parseInt(String spec, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("energy meter '" + spec + "': '" + v + "' is not a device index");
        }
    }

    private static double parsePositive(String spec, String k, String v) {
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) return d;
        } catch (NumberFormatException ignored) { }
        throw new BadInputException("energy meter '" + spec + "': " + k + "=" + v + " is not a non-negative number");
    }
}
