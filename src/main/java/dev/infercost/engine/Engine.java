package dev.infercost.engine;

import dev.infercost.model.LlamaConfig;
import dev.infercost.model.ModelInfo;

/**
 * A backend that runs one loaded decoder (jvm, onnx, tornado ...). Obtained from an
 * {@link EngineProvider}. Thread-safety: one {@link DecodeSession} is used by one thread at a time.
 */
public interface Engine extends AutoCloseable {
    /** Backend name as used on the command line: "jvm", "onnx", "tornado". */
    String backend();

    /** The device this engine runs on, human-readable, e.g. "cpu (2 threads)", "opencl:0:0 pocl-cpu". */
    String device();

    LlamaConfig config();

    ModelInfo model();

    /**
     * Allocates KV cache for {@code maxBatch} sequence slots of up to {@code maxContext} positions each.
     *
     * @throws dev.infercost.BadInputException if the cache does not fit in the engine's memory, or
     *         maxContext exceeds the model's seqLen
     */
    DecodeSession newSession(int maxBatch, int maxContext);

    @Override
    void close();
}
