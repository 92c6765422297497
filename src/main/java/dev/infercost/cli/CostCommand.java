package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost cost} (placeholder until its issue lands). */
@Command(name = "cost", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class CostCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'cost' is not implemented yet");
    }
}
