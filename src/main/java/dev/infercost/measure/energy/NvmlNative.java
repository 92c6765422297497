package dev.infercost.measure.energy;

import dev.infercost.BadInputException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@link NvmlApi} over {@code libnvidia-ml.so.1} through the Foreign Function &amp; Memory API (JEP 454):
 * {@code nvmlInit_v2}, {@code nvmlDeviceGetCount_v2}, {@code nvmlDeviceGetHandleByIndex_v2},
 * {@code nvmlDeviceGetName}, {@code nvmlDeviceGetTotalEnergyConsumption} (unsigned long long mJ),
 * {@code nvmlDeviceGetPowerUsage} (unsigned int mW), {@code nvmlErrorString}, {@code nvmlShutdown}.
 * Signatures from nvml.h (CUDA toolkit). The JVM needs {@code --enable-native-access=ALL-UNNAMED} (the
 * launcher and tests pass it).
 */
public final class NvmlNative implements NvmlApi {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt UINT = ValueLayout.JAVA_INT;
    private static final int NVML_SUCCESS = 0;

    private final Arena arena = Arena.ofShared();
    private final MethodHandle count, handle, name, energy, power, errorString, shutdown;

    private NvmlNative(SymbolLookup lib) {
        MethodHandle init = fn(lib, "nvmlInit_v2", FunctionDescriptor.of(UINT));
        count = fn(lib, "nvmlDeviceGetCount_v2", FunctionDescriptor.of(UINT, ValueLayout.ADDRESS));
        handle = fn(lib, "nvmlDeviceGetHandleByIndex_v2", FunctionDescriptor.of(UINT, UINT, ValueLayout.ADDRESS));
        name = fn(lib, "nvmlDeviceGetName", FunctionDescriptor.of(UINT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, UINT));
        energy = fn(lib, "nvmlDeviceGetTotalEnergyConsumption", FunctionDescriptor.of(UINT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        power = fn(lib, "nvmlDeviceGetPowerUsage", FunctionDescriptor.of(UINT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        errorString = fn(lib, "nvmlErrorString", FunctionDescriptor.of(ValueLayout.ADDRESS, UINT));
        shutdown = fn(lib, "nvmlShutdown", FunctionDescriptor.of(UINT));
        int rc = (int) invoke(init);
        check("nvmlInit_v2", rc);
    }

    /**
     * Loads NVML and initialises it.
     *
     * @param library library name or path, normally "libnvidia-ml.so.1"
     * @throws BadInputException when the library is absent or nvmlInit_v2 fails, with the reason
     */
    public static NvmlNative load(String library) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(library + ": not found (no NVIDIA driver on this machine)");
        } catch (IllegalCallerException e) {
            throw new BadInputException("NVML needs native access: run the JVM with --enable-native-access=ALL-UNNAMED");
        }
        try {
            return new NvmlNative(lib);
        } catch (NvmlException e) {
            throw new BadInputException(library + ": " + e.getMessage());
        }
    }

    private static MethodHandle fn(SymbolLookup lib, String symbol, FunctionDescriptor d) {
        MemorySegment s = lib.find(symbol).orElseThrow(() -> new BadInputException("NVML symbol " + symbol + " not found (driver too old?)"));
        return LINKER.downcallHandle(s, d);
    }

    private static Object invoke(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void check(String call, int rc) {
        if (rc != NVML_SUCCESS) {
            String text = null;
            try {
                MemorySegment p = (MemorySegment) invoke(errorString, rc);
                text = p.reinterpret(256).getString(0);
            } catch (RuntimeException ignored) { }
            throw new NvmlException(call, rc, text);
        }
    }

    private MemorySegment device(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check("nvmlDeviceGetHandleByIndex_v2", (int) invoke(handle, index, out));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    @Override
    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(UINT);
            check("nvmlDeviceGetCount_v2", (int) invoke(count, out));
            return out.get(UINT, 0);
        }
    }

    @Override
    public String name(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(96);
            check("nvmlDeviceGetName", (int) invoke(name, device(index), buf, 96));
            return buf.getString(0);
        }
    }

    @Override
    public long totalEnergyMj(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            check("nvmlDeviceGetTotalEnergyConsumption", (int) invoke(energy, device(index), out));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Override
    public long powerMw(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(UINT);
            check("nvmlDeviceGetPowerUsage", (int) invoke(power, device(index), out));
            return Integer.toUnsignedLong(out.get(UINT, 0));
        }
    }

    @Override
    public void shutdown() {
        invoke(shutdown);
        arena.close();
    }
}
