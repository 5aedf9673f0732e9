package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link SnoopCommand}. */
class SnoopCommandTest {
    @Test
    void testSnoop_noArguments_printsUsage() {
        CliRun r = run();
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: snoop [-hV] [--debug] [--color=WHEN] [COMMAND]"), r.out());
        assertTrue(r.out().contains("Exit Codes:"), r.out());
    }

    @Test
    void testSnoop_helpCommand_printsTheCommandsUsage() {
        CliRun r = run("help", "diff");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(run("diff", "--help").out(), r.out());
        assertEquals("", r.err());
    }

    @Test
    void testSnoop_helpCommand_unknownCommand_exitsTwo() {
        CliRun r = run("help", "nope");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop: unknown subcommand 'nope'."), r.err());
    }

    @Test
    void testSnoop_version() {
        CliRun r = run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("snoop "), r.out());
    }

    @Test
    void testSnoop_unknownCommand_exitsTwoWithSuggestion() {
        CliRun r = run("merg");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop: 'merg' is not a snoop command\nDid you mean: snoop merge or snoop serve?"), r.err());
    }

    @Test
    void testSnoop_everyCommandHasExamplesAndExitCodes() {
        for (String command : new String[] {"merge", "diff", "stats", "unused", "completion"}) {
            CliRun r = run(command, "--help");
            assertEquals(0, r.exitCode(), command);
            assertTrue(r.out().contains("Examples:"), command);
            assertTrue(r.out().contains("Exit Codes"), command);
        }
    }

    /** A command line that starts with a subcommand's name registers that one only. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "diff a.json b.json         | DiffCommand",
        "merge --help               | MergeCommand",
        "record --pod x             | RecordCommand",
        "stats r.json               | StatsCommand",
        "unused --image i.tar r     | UnusedCommand",
        "completion                 | all",
        "--debug diff a.json b.json | all",
        "dif a b                    | all",
        "--help                     | all",
        "''                         | all",
    })
    void testSubcommandsFor_onlyTheOneNamedFirst(String args, String expected) {
        String[] argv = args.isBlank() ? new String[0] : args.trim().split(" +");
        List<Class<?>> registered = SnoopCommand.subcommandsFor(argv);
        if (expected.equals("all")) {
            assertEquals(SnoopCommand.SUBCOMMANDS, registered);
        } else {
            assertEquals(List.of(expected), registered.stream().map(Class::getSimpleName).toList());
        }
    }

    @Test
    void testSnoop_help_listsEverySubcommand() {
        CliRun r = run("--help");
        for (String name : List.of("record", "merge", "diff", "stats", "unused", "completion")) {
            assertTrue(r.out().contains("\n  " + name + " "), name + " in " + r.out());
        }
    }
}
