package dev.snoop.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** The {@code snoop} entry point; the only place that calls {@link System#exit}. */
public final class Main {
    private static final String UNUSED_CONVERTERS_PROPERTY = "picocli.converters.excludes";

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("record")) {
            // first: a SIGTERM while snoop starts must still end in a final report and exit 0
            dev.snoop.record.StopSignal.install();
        }
        ReportPrefetch.start(args);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(System.in, out, err, Terminals.system(Terminals.colorWhen(args)), args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs snoop with the given streams, as tests do; no colour, no progress. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(InputStream.nullInputStream(), out, err, Terminals.none(), args);
    }

    /**
     * The whole command tree, every subcommand registered, as {@code --help} prints it: for the tools
     * that document it (the man pages of the snoop-dist module).
     */
    public static CommandLine documentedCommands() {
        CommandLine cmd = new CommandLine(new SnoopCommand(InputStream.nullInputStream(), Terminals.none()));
        for (Class<?> subcommand : SnoopCommand.SUBCOMMANDS) {
            cmd.addSubcommand(subcommand);
        }
        return cmd;
    }

    static int run(InputStream in, PrintWriter out, PrintWriter err, Terminals terminals, String... args) {
        // picocli registers converters for java.sql and java.time types by reflection, loading
        // ~150 classes (java.sql.DriverManager among them) that no snoop option uses: resident
        // memory in the recorder, start-up time in every command (docs/performance.md, Memory)
        // slf4j-api is on the class path for snoop serve's libraries; with no binding it warns on
        // stderr the first time any library asks it for a logger, whatever the command
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        if (System.getProperty(UNUSED_CONVERTERS_PROPERTY) == null) {
            System.setProperty(UNUSED_CONVERTERS_PROPERTY, "java\\.sql\\..*,java\\.time\\..*");
        }
        SnoopCommand top = new SnoopCommand(in, terminals);
        CommandLine cmd = new CommandLine(top);
        // before the setters below, which reach only the subcommands registered so far. A loop, not
        // forEach(cmd::addSubcommand): a lambda on picocli's CommandLine, a Java 5 class, links it
        // while the CDS archive is dumped, and JDK 17 then leaves it out of the archive (~20 ms).
        for (Class<?> subcommand : SnoopCommand.subcommandsFor(args)) {
            cmd.addSubcommand(subcommand);
        }
        cmd.setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new ErrorHandler())
                .setParameterExceptionHandler(new UsageErrorHandler());
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(terminals.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
