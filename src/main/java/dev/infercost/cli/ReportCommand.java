package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost report} (placeholder until its issue lands). */
@Command(name = "report", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class ReportCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'report' is not implemented yet");
    }
}
