package dev.infercost.cli;

import dev.infercost.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code infercost} command line: one subcommand per pipeline stage (see DESIGN.md data flow). */
@Command(name = "infercost", mixinStandardHelpOptions = true, version = "infercost 0.1.0",
        description = "Measures real transformer inference on this machine and turns it into cost per query and revenue-share economics.",
        subcommands = {
                RunCommand.class, GenerateCommand.class, ExportCommand.class, EmbedCommand.class,
                DevicesCommand.class, VerifyCommand.class, ServeBenchCommand.class, ServeCommand.class,
                CostCommand.class, RevenueCommand.class, ReportCommand.class, KitCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code --quiet} on any subcommand: no progress lines on stderr. */
    @CommandLine.Option(names = "--quiet", scope = CommandLine.ScopeType.INHERIT, description = "Print no progress lines (elapsed time and ETA) on stderr.")
    void setQuiet(boolean q) { dev.infercost.results.Progress.setQuiet(q); }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Exit status of a run that finished. */
    public static final int EXIT_OK = 0;
    /** Exit status of an internal error (a bug: please report it; {@code INFERCOST_DEBUG=1} prints the stack trace). */
    public static final int EXIT_INTERNAL = 1;
    /** Exit status of bad input ({@link BadInputException}): a file, field or option value that is wrong. */
    public static final int EXIT_BAD_INPUT = 2;
    /**
     * Exit status of an I/O or resource fault ({@link dev.infercost.IoFaultException}, any {@link java.io.IOException},
     * out of memory): disk full, unwritable or unreadable path, permission denied. The run folder being written is
     * abandoned (nothing half-written; earlier results untouched).
     */
    public static final int EXIT_IO = 3;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the CLI and returns the exit code: 0 done, 2 bad input, 3 I/O or resource fault, 1 internal error; each
     * failure is one line on stderr starting with {@code infercost: }.
     */
    public static int execute(String... args) {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("infercost"));
        argv.addAll(java.util.Arrays.asList(args));
        dev.infercost.results.Manifest.setCommandLine(argv);
        CommandLine cl = new CommandLine(new Main());
        OptionChecks.install(cl);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Main::commandList);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            String line = oneLine(ex);
            cmd.getErr().println("infercost: " + clip(line.substring(line.indexOf(' ') + 1).replace('\n', ' ')));
            int code = Integer.parseInt(line.substring(0, line.indexOf(' ')));
            if (code == EXIT_INTERNAL && System.getenv("INFERCOST_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return code;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("infercost: " + ex.getMessage());
            // unknown subcommand or option: name the nearest valid ones ("Did you mean: report?")
            if (ex instanceof CommandLine.UnmatchedArgumentException u) CommandLine.UnmatchedArgumentException.printSuggestions(u, ex.getCommandLine().getErr());
            ex.getCommandLine().getErr().println("  (see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return EXIT_BAD_INPUT;
        });
        return cl.execute(args);
    }

    /**
     * The top-level command list with each subcommand's summary as a whole sentence: picocli shows only the first
     * element of a multi-line {@code description}, which cut summaries mid-sentence ("... (--endpoint),"). The summary
     * is the command's header if it has one, else the first sentence of its joined description.
     */
    static String commandList(CommandLine.Help help) {
        java.util.Map<String, CommandLine.Help> subs = help.subcommands();
        if (subs.isEmpty()) return "";
        int names = 0;
        for (String n : subs.keySet()) names = Math.max(names, n.length());
        int left = names + 2, width = help.commandSpec().usageMessage().width();
        CommandLine.Help.TextTable t = CommandLine.Help.TextTable.forColumns(help.colorScheme(),
                new CommandLine.Help.Column(left, 2, CommandLine.Help.Column.Overflow.SPAN),
                new CommandLine.Help.Column(width - left, 2, CommandLine.Help.Column.Overflow.WRAP));
        for (java.util.Map.Entry<String, CommandLine.Help> e : subs.entrySet()) {
            CommandLine.Model.UsageMessageSpec u = e.getValue().commandSpec().usageMessage();
            String summary = u.header().length > 0 ? String.join(" ", u.header()) : firstSentence(String.join(" ", u.description()));
            t.addRowValues(help.colorScheme().commandText(e.getKey()), help.colorScheme().text(summary.replace("%n", " ").replace("%%", "%")));
        }
        return t.toString();
    }

    /** Text up to and including the first ". " that ends a sentence (not "e.g." / "i.e."); the whole text if none. */
    static String firstSentence(String text) {
        String s = text.strip().replaceAll("\\s+", " ");
        for (int i = s.indexOf(". "); i >= 0; i = s.indexOf(". ", i + 1)) {
            String before = s.substring(0, i);
            if (before.endsWith("e.g") || before.endsWith("i.e") || before.endsWith(" vs") || before.endsWith(" etc")) continue;
            return s.substring(0, i + 1);
        }
        return s;
    }

    /** "CODE message" for a failure: the first bad-input or I/O cause in the chain decides. */
    static String oneLine(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BadInputException) return EXIT_BAD_INPUT + " " + t.getMessage();
            if (t instanceof dev.infercost.IoFaultException) return EXIT_IO + " " + t.getMessage();
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof java.io.UncheckedIOException u)
                return EXIT_IO + " " + u.getMessage() + (u.getCause() == null ? "" : " (" + describe(u.getCause()) + ")");
            if (t instanceof java.io.IOException io) return EXIT_IO + " I/O error: " + describe(io);
            if (t instanceof OutOfMemoryError) return EXIT_IO + " out of memory (" + t.getMessage() + "); give the JVM more heap (-Xmx) or choose a smaller model/batch";
        }
        return EXIT_INTERNAL + " internal error: " + ex + " (a bug; rerun with INFERCOST_DEBUG=1 for the stack trace and report it)";
    }

    /** One line of at most 1,000 characters (messages can quote user input, e.g. a 2 MB YAML string). */
    static String clip(String s) {
        return s.length() <= 1000 ? s : s.substring(0, 1000) + "... (" + (s.length() - 1000) + " more characters)";
    }

    /** "path: reason in words" for an I/O fault (see {@link dev.infercost.results.OutputFiles#reason}), no Java class names. */
    private static String describe(Throwable io) {
        String file = io instanceof java.nio.file.FileSystemException f ? f.getFile() : null;
        return (file == null ? "" : file + ": ") + dev.infercost.results.OutputFiles.reason(io);
    }
}
