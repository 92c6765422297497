package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.model.LlamaModel;

import java.util.List;

/**
 * Backend "tornado": Llama decoders as TornadoVM task graphs (OpenCL, PTX or SPIR-V devices). Always compiled
 * and always registered; TornadoVM itself is looked up at run time, so without it this provider reports
 * {@link Availability#no unavailable} with the reason and how to install TornadoVM, instead of failing.
 */
public final class TornadoEngineProvider implements EngineProvider {
    /** How to get TornadoVM, appended to every "unavailable" message. */
    public static final String INSTALL_HINT = "install TornadoVM for JDK 25 (an SDK from "
            + "https://github.com/beehive-lab/TornadoVM/releases, or from source: `make BACKEND=opencl` or "
            + "`make BACKEND=ptx` with JAVA_HOME set to a JDK 25), export TORNADOVM_HOME=<the SDK folder>, "
            + "and run through bin/infercost (it rebuilds with the tornado profile and adds TornadoVM's JVM flags)";

    private volatile TornadoBackend backend;
    private volatile String reason;

    @Override
    public String backend() { return "tornado"; }

    @Override
    public Availability availability() {
        TornadoBackend b = implementation();
        if (b == null) return Availability.no(reason);
        try {
            List<TornadoBackend.DeviceInfo> devices = b.devices();
            if (devices.isEmpty())
                return Availability.no("TornadoVM started but reports no device (check the OpenCL ICD / CUDA driver: clinfo, nvidia-smi)");
            return Availability.yes(b.runtimeVersion() + ", " + devices.size() + " device(s), default "
                    + devices.getFirst().id() + " " + devices.getFirst().name());
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("TornadoVM runtime failed to start: " + e + "; " + INSTALL_HINT);
        }
    }

    /** The devices TornadoVM sees; empty when it is unavailable (see {@link #availability()}). */
    public List<TornadoBackend.DeviceInfo> devices() {
        TornadoBackend b = implementation();
        if (b == null) return List.of();
        try {
            return b.devices();
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    @Override
    public Engine open(LlamaModel model, EngineOptions options) {
        // the device kernels implement the plain Llama graph only (no biases, Q/K norms, NEOX RoPE or custom head width)
        if (model != null) model.requireLlamaGraph("the tornado backend");
        TornadoBackend b = implementation();
        if (b == null) throw new BadInputException("backend 'tornado' is unavailable: " + reason);
        return b.open(model, options);
    }

    /**
     * Opens a BERT encoder (see {@link TornadoEncoder}) on {@code device} ("B:D"; null = 0:0); {@code weights}
     * is called only when TornadoVM is available.
     *
     * @throws BadInputException when TornadoVM is unavailable (reason + install hint) or the device is unknown
     */
    public TornadoEncoder openEncoder(java.util.function.Supplier<dev.infercost.engine.onnx.BertWeights> weights, String device) {
        TornadoBackend b = implementation();
        if (b == null) throw new BadInputException("backend 'tornado' is unavailable: " + reason);
        return b.openEncoder(weights.get(), device);
    }

    /** The implementation, or null with {@link #reason} set. */
    private TornadoBackend implementation() {
        TornadoBackend b = backend;
        if (b != null || reason != null) return b;
        synchronized (this) {
            if (backend == null && reason == null) {
                String why = probe(System.getenv("TORNADOVM_HOME"), getClass().getClassLoader());
                if (why == null) {
                    try {
                        backend = (TornadoBackend) Class.forName(TornadoBackend.IMPLEMENTATION, true, getClass().getClassLoader())
                                .getDeclaredConstructor().newInstance();
                    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                        reason = "TornadoVM could not be initialised: " + e + "; " + INSTALL_HINT;
                    }
                } else {
                    reason = why;
                }
            }
            return backend;
        }
    }

    /**
     * Why TornadoVM cannot be used in this JVM, or null when its API and infercost's TornadoVM classes are
     * both present.
     *
     * @param tornadoHome value of TORNADOVM_HOME (null if unset)
     * @param loader      class loader to look the classes up in
     */
    static String probe(String tornadoHome, ClassLoader loader) {
        if (tornadoHome == null || tornadoHome.isBlank())
            return "TornadoVM not found: TORNADOVM_HOME is not set; " + INSTALL_HINT;
        if (!present("uk.ac.manchester.tornado.api.TaskGraph", loader))
            return "TornadoVM not found on this JVM's module path (TORNADOVM_HOME=" + tornadoHome
                    + " is set, but the JVM was not started with TornadoVM's flags; launch with bin/infercost, which adds them "
                    + "from bin/tornado-flags.sh); " + INSTALL_HINT;
        if (!present(TornadoBackend.IMPLEMENTATION, loader))
            return "infercost was built without its TornadoVM classes (the Maven profile 'tornado' is active only when "
                    + "TORNADOVM_HOME is set at build time; rebuild: TORNADOVM_HOME=" + tornadoHome + " mvn package)";
        return null;
    }

    private static boolean present(String cls, ClassLoader loader) {
        try {
            Class.forName(cls, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
