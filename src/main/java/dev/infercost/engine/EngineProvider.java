package dev.infercost.engine;

import dev.infercost.model.LlamaModel;

/**
 * Service-provider interface for backends, discovered with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.infercost.engine.EngineProvider}). A provider whose runtime is absent
 * (TornadoVM, CUDA) must still load and report {@link #availability()} as unavailable with the reason.
 */
public interface EngineProvider {
    /** Backend name: "jvm", "onnx", "tornado". */
    String backend();

    /** Whether this backend can run here, and if not, why and how to install what it needs. */
    Availability availability();

    /**
     * Opens the model on this backend.
     *
     * @throws dev.infercost.BadInputException if the backend is unavailable or cannot run this model
     */
    Engine open(LlamaModel model, EngineOptions options);

    /** @param detail when available: runtime/version; when not: the reason and how to install it. */
    record Availability(boolean available, String detail) {
        public static Availability yes(String detail) { return new Availability(true, detail); }
        public static Availability no(String detail) { return new Availability(false, detail); }
    }
}
