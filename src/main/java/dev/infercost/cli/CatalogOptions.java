package dev.infercost.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Picocli mixin: {@code --catalog FILE}, a user catalog over the bundled hardware catalog (run, cost). */
public final class CatalogOptions {
    @Option(names = "--catalog", paramLabel = "FILE",
            description = "CSV or YAML overriding/extending the bundled hardware catalog (your quotes, power price, PUE ...)")
    Path catalog;

    /** @return the user catalog, or null for the bundled one */
    public Path catalog() { return catalog; }
}
