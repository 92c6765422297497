package dev.infercost.engine;

import dev.infercost.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends through {@link ServiceLoader}. */
public final class Engines {
    private Engines() {}

    /** All providers found on the class path, in service-file order. */
    public static List<EngineProvider> all() {
        List<EngineProvider> out = new ArrayList<>();
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) out.add(p);
        return out;
    }

    /**
     * The provider for {@code backend}.
     *
     * @throws BadInputException if no provider has that name, or it is unavailable (message says why)
     */
    public static EngineProvider require(String backend) {
        List<String> names = new ArrayList<>();
        for (EngineProvider p : all()) {
            names.add(p.backend());
            if (p.backend().equals(backend)) {
                EngineProvider.Availability a = p.availability();
                if (!a.available()) throw new BadInputException("backend '" + backend + "' is unavailable: " + a.detail());
                return p;
            }
        }
        throw new BadInputException("unknown backend '" + backend + "'; known: " + String.join(", ", names));
    }
}
