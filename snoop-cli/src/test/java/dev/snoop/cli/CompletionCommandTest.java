package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link CompletionCommand}, and the check that keeps {@code completions/} current: the
 * build fails when a committed script differs from what the commands generate. Regenerate with
 * {@code ./mvnw -pl snoop-cli -am test -Dtest=CompletionCommandTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsnoop.completions.update=true} (-am: snoop-cli needs the modules beside it, snoop-image included).
 */
class CompletionCommandTest {
    private static final Path DIR = Path.of(System.getProperty("snoop.completions.dir", "../completions"));

    @Test
    void testCompletion_bash() {
        CliRun r = run("completion", "bash");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("complete -F _complete_snoop"), r.out());
        assertTrue(r.out().contains("merge"), r.out());
    }

    @Test
    void testCompletion_bashCompletesSubcommandsForReal() throws Exception {
        Path script = Files.createTempFile("snoop", ".bash");
        Files.writeString(script, run("completion", "bash").out());
        Process bash = new ProcessBuilder("bash", "-c",
                "source " + script + "; COMP_WORDS=(snoop me); COMP_CWORD=1; COMP_LINE='snoop me'; "
                        + "_complete_snoop; echo \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes()).trim();
        assertEquals(0, bash.waitFor());
        assertEquals("merge", output);
        Files.delete(script);
    }

    @Test
    void testCompletion_unknownShell_exitsTwo() {
        CliRun r = run("completion", "fish");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop completion: Invalid value for positional parameter at index 0 (SHELL): expected one of [bash, zsh] (case-insensitive) but was 'fish'"), r.err());
    }

    @Test
    void testCompletion_committedScriptsAreCurrent() throws Exception {
        check("snoop.bash", run("completion", "bash").out());
        check("snoop.zsh", run("completion", "zsh").out());
    }

    private static void check(String name, String generated) throws Exception {
        Path file = DIR.resolve(name);
        if (Boolean.getBoolean("snoop.completions.update")) {
            Files.createDirectories(DIR);
            Files.writeString(file, generated);
        }
        assertTrue(Files.exists(file), "missing completions/" + name + ": regenerate it (see this class's Javadoc)");
        assertEquals(generated, Files.readString(file),
                "completions/" + name + " is stale: regenerate it (see this class's Javadoc)");
    }
}
