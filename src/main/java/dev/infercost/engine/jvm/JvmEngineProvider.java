package dev.infercost.engine.jvm;

import dev.infercost.BadInputException;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.model.LlamaModel;

/** Backend "jvm": the pure-Java engine (Vector API kernels, CPU threads). */
public final class JvmEngineProvider implements EngineProvider {
    @Override
    public String backend() { return "jvm"; }

    @Override
    public Availability availability() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            return Availability.no("the Vector API module is not loaded; start the JVM with --add-modules jdk.incubator.vector (bin/infercost does)");
        return Availability.yes("Java " + Runtime.version() + ", Vector API " + JvmEngine.speciesDescription());
    }

    @Override
    public Engine open(LlamaModel model, EngineOptions options) {
        Availability a = availability();
        if (!a.available()) throw new BadInputException("backend 'jvm' is unavailable: " + a.detail());
        return new JvmEngine(model, options == null ? EngineOptions.defaults() : options);
    }
}
