package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost export} (placeholder until its issue lands). */
@Command(name = "export", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class ExportCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'export' is not implemented yet");
    }
}
