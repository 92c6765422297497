package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost serve-bench} (placeholder until its issue lands). */
@Command(name = "serve-bench", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class ServeBenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'serve-bench' is not implemented yet");
    }
}
