package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost revenue} (placeholder until its issue lands). */
@Command(name = "revenue", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class RevenueCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'revenue' is not implemented yet");
    }
}
