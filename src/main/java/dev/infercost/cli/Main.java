package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code infercost} command line: one subcommand per pipeline stage (see DESIGN.md data flow). */
@Command(name = "infercost", mixinStandardHelpOptions = true, version = "infercost 0.1.0",
        description = "Measures real transformer inference on this machine and turns it into cost per query and revenue-share economics.",
        subcommands = {
                RunCommand.class, GenerateCommand.class, ExportCommand.class, EmbedCommand.class,
                DevicesCommand.class, VerifyCommand.class, ServeBenchCommand.class,
                CostCommand.class, RevenueCommand.class, ReportCommand.class, KitCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (2 for bad input, with a one-line message on stderr). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            Throwable t = ex;
            while (t != null && !(t instanceof BadInputException)) t = t.getCause();
            if (t != null) {
                cmd.getErr().println("infercost: " + t.getMessage());
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("infercost: " + ex.getMessage());
            ex.getCommandLine().getErr().println("  (see: infercost " + ex.getCommandLine().getCommandName() + " --help)");
            return 2;
        });
        return cl.execute(args);
    }
}
