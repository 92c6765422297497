package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaModel;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

import java.util.ArrayList;
import java.util.List;

/** The TornadoVM-dependent half of the "tornado" backend, loaded reflectively by {@link TornadoEngineProvider}. */
public final class TornadoBackendImpl implements dev.infercost.engine.tornado.TornadoBackend {

    /**
     * TornadoVM bytecode buffer per task graph [bytes]: one Llama graph has ~11 tasks per layer plus transfers,
     * beyond TornadoVM's default (4096); a 32-layer model needs ~40 KB. Read by TornadoVM once, when its runtime
     * starts, so it is set here before the first TornadoVM call unless the user set it.
     */
    static final String MAX_BYTECODE = "262144";

    public TornadoBackendImpl() {
        if (System.getProperty("tornado.tvm.maxbytecodesize") == null) System.setProperty("tornado.tvm.maxbytecodesize", MAX_BYTECODE);
    }

    @Override
    public String runtimeVersion() {
        String v = uk.ac.manchester.tornado.api.TaskGraph.class.getPackage().getImplementationVersion();
        TornadoRuntime rt = TornadoRuntimeProvider.getTornadoRuntime();
        List<String> names = new ArrayList<>();
        for (int b = 0; b < rt.getNumBackends(); b++) names.add(rt.getBackend(b).getName());
        return "TornadoVM " + (v != null ? v : versionFromModule()) + " (" + String.join(", ", names) + ")";
    }

    private static String versionFromModule() {
        var d = uk.ac.manchester.tornado.api.TaskGraph.class.getModule().getDescriptor();
        return d != null && d.rawVersion().isPresent() ? d.rawVersion().get() : "(version unknown)";
    }

    @Override
    public List<DeviceInfo> devices() {
        TornadoRuntime rt = TornadoRuntimeProvider.getTornadoRuntime();
        List<DeviceInfo> out = new ArrayList<>();
        for (int b = 0; b < rt.getNumBackends(); b++) {
            TornadoBackend be = rt.getBackend(b);
            for (int d = 0; d < be.getNumDevices(); d++) {
                TornadoDevice dev = be.getDevice(d);
                long[] wg = dev.getDeviceMaxWorkgroupDimensions();
                out.add(new DeviceInfo(b + ":" + d, physicalName(dev), String.valueOf(dev.getDeviceType()),
                        dev.getPhysicalDevice().getDeviceGlobalMemorySize(), wg == null || wg.length == 0 ? 0 : wg[0],
                        be.getBackendType() + " / " + dev.getPlatformName()));
            }
        }
        return out;
    }

    /** The driver's device name (TornadoVM's own getDeviceName() is its "opencl-0-0" style id). */
    static String physicalName(TornadoDevice dev) {
        String n = dev.getPhysicalDevice().getDeviceName();
        return n == null || n.isBlank() ? dev.getDeviceName() : n.trim();
    }

    @Override
    public Engine open(LlamaModel model, EngineOptions options) {
        String id = options.device() == null || options.device().isBlank() ? "0:0" : options.device().trim();
        return new TornadoLlamaEngine(model, device(id), id, options);
    }

    @Override
    public TornadoEncoder openEncoder(dev.infercost.engine.onnx.BertWeights weights, String device) {
        String id = device == null || device.isBlank() ? "0:0" : device.trim();
        return new TornadoBertEncoder(weights, device(id), id);
    }

    /**
     * The device "B:D" (TornadoVM backend index, device index; a leading "tornado:" is allowed).
     *
     * @throws BadInputException for a malformed id or one TornadoVM does not have
     */
    static TornadoDevice device(String id) {
        String s = id.startsWith("tornado:") ? id.substring(8) : id;
        String[] p = s.split(":");
        int b, d;
        try {
            if (p.length != 2) throw new NumberFormatException();
            b = Integer.parseInt(p[0]);
            d = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new BadInputException("--device " + id + ": expected <backend>:<device> indices as `infercost devices` lists them, e.g. 0:0");
        }
        TornadoRuntime rt = TornadoRuntimeProvider.getTornadoRuntime();
        if (b < 0 || b >= rt.getNumBackends())
            throw new BadInputException("--device " + id + ": no TornadoVM backend " + b + "; this SDK has backend(s) 0.."
                    + (rt.getNumBackends() - 1) + " (ids are <backend>:<device>, see `infercost devices`)");
        TornadoBackend be = rt.getBackend(b);
        if (d < 0 || d >= be.getNumDevices())
            throw new BadInputException("--device " + id + ": no device " + d + " on TornadoVM backend " + b + " (" + be.getName() + "), which has "
                    + be.getNumDevices() + " device(s): 0.." + (be.getNumDevices() - 1) + " (see `infercost devices`)");
        return be.getDevice(d);
    }
}
