package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost generate} (placeholder until its issue lands). */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class GenerateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'generate' is not implemented yet");
    }
}
