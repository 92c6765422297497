package dev.infercost.engine.onnx;

import dev.infercost.BadInputException;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.model.LlamaModel;

/** ServiceLoader provider of backend "onnx" (ONNX Runtime Java; CPU, plus CUDA/TensorRT with onnxruntime_gpu). */
public final class OnnxEngineProvider implements EngineProvider {
    @Override public String backend() { return "onnx"; }

    @Override
    public Availability availability() {
        try {
            return Availability.yes("onnxruntime " + OnnxDecoder.ortVersion() + ", execution providers " + OnnxDecoder.availableProviders());
        } catch (Throwable t) {
            return Availability.no("ONNX Runtime native library failed to load (" + t + "); it ships in com.microsoft.onnxruntime:onnxruntime");
        }
    }

    @Override
    public Engine open(LlamaModel model, EngineOptions options) {
        Availability a = availability();
        if (!a.available()) throw new BadInputException("backend 'onnx' is unavailable: " + a.detail());
        return OnnxEngine.open(model, options);
    }
}
