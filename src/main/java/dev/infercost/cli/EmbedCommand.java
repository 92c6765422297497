package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost embed} (placeholder until its issue lands). */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class EmbedCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'embed' is not implemented yet");
    }
}
