package dev.infercost.model;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the shared real model files; tests that need them are skipped (with the reason) when absent. */
public final class TestModels {
    private TestModels() {}

    public static Path shared() {
        String s = System.getProperty("infercost.shared");
        Assumptions.assumeTrue(s != null && Files.isDirectory(Path.of(s, "models")),
                "needs the shared model folder (system property infercost.shared, e.g. ../shared) with models/stories260K.*; absent here");
        return Path.of(s, "models");
    }

    public static Path file(String name) {
        Path p = shared().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "needs " + p + "; absent here");
        return p;
    }

    public static LlamaModel stories260K() {
        return Models.load(file("stories260K.bin").toString(), file("tok512.bin"));
    }
}
