package dev.infercost.engine.tornado;

import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaModel;

import java.util.List;

/**
 * What the TornadoVM-dependent half of the backend offers to the always-compiled half. The implementation
 * ({@value #IMPLEMENTATION}) lives in {@code src/tornado/java} and is compiled only by the Maven profile
 * {@code tornado} (active when the environment variable TORNADOVM_HOME is set); {@link TornadoEngineProvider}
 * finds it with {@link Class#forName}, so a build without TornadoVM still loads and explains what is missing.
 */
public interface TornadoBackend {
    /** Fully-qualified name of the implementation class (public no-argument constructor). */
    String IMPLEMENTATION = "dev.infercost.engine.tornado.TornadoBackendImpl";

    /** TornadoVM's version and the backends it was built with, e.g. "TornadoVM 5.2.0 (opencl)". */
    String runtimeVersion();

    /**
     * Every device of every TornadoVM backend, in TornadoVM's numbering ("backend:device", as accepted by
     * {@code --device}).
     *
     * @throws RuntimeException when the TornadoVM runtime cannot start (no driver, no device)
     */
    List<DeviceInfo> devices();

    /**
     * Opens {@code model} on the device named by {@code options.device()} ("B:D"; null = TornadoVM's default
     * device). Weights are copied to the device once.
     *
     * @throws dev.infercost.BadInputException for an unknown device or a model that does not fit
     */
    Engine open(LlamaModel model, EngineOptions options);

    /**
     * Opens a BERT encoder on the device {@code device} ("B:D"; null = 0:0). The weights are copied to the
     * device by the first run of each (batch, length) bucket.
     *
     * @throws dev.infercost.BadInputException for an unknown device
     */
    TornadoEncoder openEncoder(dev.infercost.engine.onnx.BertWeights weights, String device);

    /**
     * One TornadoVM device.
     *
     * @param id           "backend:device" index pair, as {@code --device} takes it
     * @param name         device name reported by the driver
     * @param type         CPU, GPU, ACCELERATOR ... as the driver reports it
     * @param globalMemory device global memory [bytes]
     * @param maxWorkGroup largest work-group size (threads) in dimension 0
     * @param driver       TornadoVM backend (OpenCL, PTX, SPIR-V) and the driver/platform name
     */
    record DeviceInfo(String id, String name, String type, long globalMemory, long maxWorkGroup, String driver) {}
}
