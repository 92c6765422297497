package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code infercost devices} (placeholder until its issue lands). */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("'devices' is not implemented yet");
    }
}
