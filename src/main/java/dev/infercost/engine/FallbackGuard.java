package dev.infercost.engine;

import dev.infercost.BadInputException;
import dev.infercost.hardware.DeviceMatch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The silent-fallback guard: a configuration that was asked to run on a GPU and opened (or executed) on a CPU is
 * a failed configuration, never a measured one. A GPU number that is really a CPU number would be priced at a
 * GPU's $/hour and pass every later check, so the guard runs before anything is measured, for every backend.
 *
 * <p>What counts as "asked for a GPU": {@code --expect-device gpu}; or, with the default {@code auto}, a backend
 * option that only a GPU can serve: ONNX Runtime's {@code cuda} or {@code tensorrt} execution provider (device or
 * {@code ep} option), a device selector naming {@code cuda}/{@code gpu}. What counts as "executed on a GPU": the
 * engine's own device string after it opened, classified by {@link DeviceMatch#looksLikeGpu} (TornadoVM reports
 * the driver's device type, CPU for PoCL; ONNX Runtime reports the execution provider the session was built
 * with). Backends add their own execution-time evidence: TornadoVM's session profiles its first step and refuses
 * a task graph whose device kernel time is zero (TornadoVM ran the Java code instead), and ONNX Runtime refuses to
 * build a session whose CUDA/TensorRT provider is not compiled in or fails to initialise (ORT would otherwise
 * run the graph on its CPU provider).
 */
public final class FallbackGuard {
    private FallbackGuard() {}

    /** The device kind a run asks for. */
    public enum Expect {
        /** gpu if a backend option implies it, else whatever the backend opened */
        AUTO,
        /** must run on a GPU / accelerator */
        GPU,
        /** must run on the CPU */
        CPU;

        /**
         * @throws BadInputException for anything but auto, gpu, cpu (naming the option and value)
         */
        public static Expect parse(String s) {
            if (s == null || s.isBlank()) return AUTO;
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "auto", "any" -> AUTO;
                case "gpu", "accelerator" -> GPU;
                case "cpu" -> CPU;
                default -> throw new BadInputException("--expect-device " + s + ": expected auto, gpu or cpu");
            };
        }
    }

    /**
     * What the guard saw for one backend.
     *
     * @param backend   backend name
     * @param requested what was asked ("gpu (--expect-device gpu)", "gpu (onnx ep cuda)", "any")
     * @param executed  the engine's device string (or the reason it did not open)
     * @param gpu       whether the executed device is a GPU
     * @param ok        false when a GPU was asked for and the CPU ran it (or the reverse with --expect-device cpu)
     * @param detail    one line: the verdict and its evidence
     */
    public record Evidence(String backend, String requested, String executed, boolean gpu, boolean ok, String detail) {
        /** Manifest entry (manifest.json "device_guard"). */
        public Map<String, Object> manifestEntry() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backend", backend);
            m.put("requested", requested);
            m.put("executed_on", executed);
            m.put("executed_on_gpu", gpu);
            m.put("verdict", ok ? "ok" : "failed: fallback");
            m.put("detail", detail);
            return m;
        }

        /** @throws FallbackException when {@link #ok()} is false */
        public Evidence requireOk() {
            if (!ok) throw new FallbackException(detail);
            return this;
        }
    }

    /** A configuration refused because it did not run on the device kind it was asked for. */
    public static final class FallbackException extends RuntimeException {
        public FallbackException(String msg) { super(msg); }
    }

    /**
     * What the options ask for: "gpu (...)" with the reason, "cpu (...)", or "any".
     *
     * @param extra backend options (EngineOptions.extra; "ep" for onnx)
     */
    public static String requested(Expect expect, String backend, String device, Map<String, String> extra) {
        if (expect == Expect.GPU) return "gpu (--expect-device gpu)";
        if (expect == Expect.CPU) return "cpu (--expect-device cpu)";
        String ep = extra == null ? null : extra.get("ep");
        String sel = ep != null ? ep : device;
        if (sel != null) {
            String s = sel.toLowerCase(Locale.ROOT);
            if ("onnx".equals(backend) && List.of("cuda", "tensorrt").contains(s)) return "gpu (onnx execution provider " + s + ")";
            if (s.startsWith("cuda") || s.startsWith("gpu")) return "gpu (device " + sel + ")";
        }
        return "any";
    }

    /**
     * Checks an opened engine against the request.
     *
     * @param requested from {@link #requested}
     * @param engine    the opened engine (its {@link Engine#device()} is the evidence)
     */
    public static Evidence check(String requested, Engine engine) {
        return check(engine.backend(), requested, engine.device());
    }

    /** As {@link #check(String, Engine)} from a device string. */
    public static Evidence check(String backend, String requested, String executed) {
        boolean gpu = DeviceMatch.looksLikeGpu(executed);
        boolean wantGpu = requested.startsWith("gpu"), wantCpu = requested.startsWith("cpu");
        boolean ok = !(wantGpu && !gpu) && !(wantCpu && gpu);
        String detail;
        if (ok) detail = backend + ": asked for " + requested + ", executes on " + (gpu ? "GPU" : "CPU") + " device '" + executed + "'";
        else detail = backend + ": asked for " + requested + " but the engine executes on " + (gpu ? "a GPU" : "the CPU") + " ('" + executed
                + "'): silent fallback, configuration reported failed and not measured";
        return new Evidence(backend, requested, executed, gpu, ok, detail);
    }

    /** Evidence for a backend that did not open at all (its reason), for the manifest. */
    public static Evidence notOpened(String backend, String requested, String why) {
        return new Evidence(backend, requested, "not opened: " + why, false, false, backend + ": asked for " + requested + "; engine did not open: " + why);
    }
}
