package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tests for {@link SnoopCommand}. */
class SnoopCommandTest {
    @Test
    void testSnoop_noArguments_printsUsage() {
        CliRun r = run();
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: snoop [-hV] [--debug] [COMMAND]"), r.out());
        assertTrue(r.out().contains("Exit Codes:"), r.out());
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
        assertTrue(r.err().startsWith("snoop: Unmatched argument at index 0: 'merg'\nDid you mean: snoop merge?"), r.err());
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
}
