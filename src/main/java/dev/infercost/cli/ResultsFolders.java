package dev.infercost.cli;

import java.nio.file.Path;

/** Where new run folders go when a command is not given {@code --out}: {@code results/} of the infercost checkout. */
final class ResultsFolders {
    private ResultsFolders() {}

    /**
     * @param out the user's {@code --out}, or null
     * @return {@code out}, else {@code <infercost.home>/results} ({@code infercost.home} is set by bin/infercost;
     *         the current directory when it is not)
     */
    static Path parent(Path out) {
        return out != null ? out : Path.of(System.getProperty("infercost.home", ".")).resolve("results");
    }
}
