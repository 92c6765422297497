package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost verify} (placeholder until its issue lands). */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class VerifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'verify' is not implemented yet");
    }
}
