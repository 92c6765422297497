package dev.infercost.engine;

import java.util.Map;

/**
 * Options for opening an engine.
 *
 * @param threads worker threads for CPU backends (0 = all available processors)
 * @param device  backend-specific device selector, e.g. "0:0" for TornadoVM backend 0 device 0, or "cpu"; null = default
 * @param extra   backend-specific key/values (e.g. onnx: "opt_level", "ep")
 */
public record EngineOptions(int threads, String device, Map<String, String> extra) {
    public static EngineOptions defaults() { return new EngineOptions(0, null, Map.of()); }

    public int effectiveThreads() { return threads > 0 ? threads : Runtime.getRuntime().availableProcessors(); }
}
