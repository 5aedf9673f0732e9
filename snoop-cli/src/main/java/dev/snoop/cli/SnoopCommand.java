package dev.snoop.cli;

import java.io.InputStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top command: lists the subcommands and holds the options they all inherit. */
@Command(
        name = "snoop",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        description = {
            "Which files do your containers really use?",
            "Reports from 'snoop record' list them per container; the other commands unite, compare and summarize reports offline.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop merge -o all.json ci-runs/        unite every report under ci-runs/",
            "  snoop diff v1.json v2.json              what v2 stopped and started using",
            "  snoop stats --depth 3 report.json       where the used files are",
            "  snoop unused --image app.tar reports/   what the image carries that no report used",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure: an unreadable or invalid report, a damaged image, an I/O error",
            "2:usage error: an unknown option, a missing argument, an input that is not an image",
        })
final class SnoopCommand implements Runnable {
    /**
     * The subcommands, in the order help lists them. {@link Main} registers them (not
     * {@code @Command(subcommands = ...)}) so that it can leave out those a command line does not
     * use: see {@link #subcommandsFor}.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(RecordCommand.class, MergeCommand.class, DiffCommand.class,
            StatsCommand.class, UnusedCommand.class, ServeCommand.class, CompletionCommand.class, HelpCommand.class);

    /** Subcommands that need no other: completion, for one, describes them all. */
    private static final List<Class<?>> STANDALONE = List.of(RecordCommand.class, MergeCommand.class,
            DiffCommand.class, StatsCommand.class, UnusedCommand.class, ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of internal errors.")
    boolean debug;

    /** Parsed here for help, completion and refusing bad values; Main reads it before parsing. */
    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", scope = ScopeType.INHERIT,
            description = "Colour in text output and help: auto (when stdout is a terminal and NO_COLOR is not set), "
                    + "always or never. Default: ${DEFAULT-VALUE}.")
    Terminals.ColorWhen color;

    private final InputStream stdin;
    private final Terminals terminals;

    SnoopCommand(InputStream stdin, Terminals terminals) {
        this.stdin = stdin;
        this.terminals = terminals;
    }

    InputStream stdin() {
        return stdin;
    }

    Terminals terminals() {
        return terminals;
    }

    @Override
    public void run() {
        // no subcommand: show what there is
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The subcommands to register for {@code args}: only the one named by the first argument, when
     * it names one exactly, else all of them (for help, completion, global options first, and the
     * suggestions that follow a mistyped name). picocli builds the model of every registered command
     * by reflection, and with all six that was the largest part of start-up: 110-135 ms of a small
     * diff's 240 ms; a single subcommand costs a fraction.
     */
    static List<Class<?>> subcommandsFor(String... args) {
        if (args.length > 0) {
            for (Class<?> subcommand : STANDALONE) {
                if (subcommand.getAnnotation(Command.class).name().equals(args[0])) {
                    return List.of(subcommand);
                }
            }
        }
        return SUBCOMMANDS;
    }

    /** True if --debug was given anywhere on the command line. */
    static boolean debugRequested(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** The version the build wrote into the jar's manifest. */
    static final class ManifestVersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SnoopCommand.class.getPackage().getImplementationVersion();
            return new String[] {"snoop " + (version == null ? "(development build)" : version),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
