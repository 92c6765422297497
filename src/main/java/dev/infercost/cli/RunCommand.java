package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost run} (placeholder until its issue lands). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'run' is not implemented yet");
    }
}
