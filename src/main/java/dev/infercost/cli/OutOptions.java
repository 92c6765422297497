package dev.infercost.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Picocli mixin: {@code --out DIR}, the parent folder of the new run folder (run, revenue, report). */
public final class OutOptions {
    @Option(names = "--out", paramLabel = "DIR", description = "parent folder of the new run folder (default: results/ of the infercost checkout)")
    Path out;

    /** @return the user's --out, or null */
    public Path out() { return out; }

    /** @return the parent folder new run folders go to ({@link ResultsFolders#parent}) */
    public Path parent() { return ResultsFolders.parent(out); }
}
