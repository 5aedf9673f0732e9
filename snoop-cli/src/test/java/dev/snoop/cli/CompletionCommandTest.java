package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
                "source " + script + "; compopt() { :; }; COMP_WORDS=(snoop me); COMP_CWORD=1; COMP_LINE='snoop me'; "
                        + "_complete_snoop; echo \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes()).trim();
        assertEquals(0, bash.waitFor());
        assertEquals("merge", output);
        Files.delete(script);
    }

    @Test
    void testCompletion_bashCompletesFixedOptionValues() throws Exception {
        assertEquals("text json keep-list", bashCompletions("snoop unused --format "));
        assertEquals("keep-list", bashCompletions("snoop unused --format k"));
        assertEquals("debug info warn error", bashCompletions("snoop record --log-level "));
        assertEquals("exclude-self explicit", bashCompletions("snoop record --target-mode "));
    }

    @Test
    void testCompletion_zshCompletesSubcommandsForReal() throws Exception {
        if (!hasZsh()) {
            // test.sh installs zsh (.ci/apt-packages); under CI nothing may skip
            assertFalse("true".equals(System.getenv("CI")), "CI=true and zsh is not installed");
            assumeTrue(false, "zsh is not installed (test.sh installs it)");
        }
        Path script = Files.createTempFile("snoop", ".zsh");
        Files.writeString(script, run("completion", "zsh").out());
        // an interactive zsh on a pseudo-terminal (zsh/zpty), typing "snoop me" and TAB, as a user does
        Path driver = Files.createTempFile("drive", ".zsh");
        Files.writeString(driver, String.join("\n",
                "zmodload zsh/zpty",
                "zpty z 'zsh -f -i'",
                "zpty -w z 'PS1=\"> \"; autoload -U compinit && compinit -u; source " + script
                        + "; function snoop { }; print READY'",
                "zpty -r -m z out '*READY*'",
                "zpty -w -n z $'snoop me\\t'",
                "typeset seen=",
                "for i in {1..100}; do",
                "  while zpty -r -t z chunk; do seen+=$chunk; done",
                "  [[ $seen == *'snoop merge'* ]] && break",
                "  sleep 0.1",
                "done",
                "zpty -d z",
                "[[ $seen == *'snoop merge'* ]] && print COMPLETED",
                ""));
        Process zsh = new ProcessBuilder("zsh", "-f", driver.toString()).redirectErrorStream(true).start();
        String output = new String(zsh.getInputStream().readAllBytes());
        assertEquals(0, zsh.waitFor(), output);
        assertTrue(output.contains("COMPLETED"), output);
        Files.delete(script);
        Files.delete(driver);
    }

    @Test
    void testCompletion_zshScriptRefusesToRunInBash() throws Exception {
        Path script = Files.createTempFile("snoop", ".zsh");
        Files.writeString(script, run("completion", "zsh").out());
        Process bash = new ProcessBuilder("bash", "-c", "source " + script + "; echo status=$?")
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes()).trim();
        bash.waitFor();
        assertEquals("snoop completion zsh: this script is for zsh; for bash use: snoop completion bash\nstatus=1", output);
        Files.delete(script);
    }

    private static String bashCompletions(String line) throws Exception {
        Path script = Files.createTempFile("snoop", ".bash");
        Files.writeString(script, run("completion", "bash").out());
        Process bash = new ProcessBuilder("bash", "-c",
                "source " + script + "; compopt() { :; }; COMP_LINE='" + line + "'; read -ra COMP_WORDS <<< \"$COMP_LINE\"; "
                        + "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
                        + "_complete_snoop; echo \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes()).trim();
        assertEquals(0, bash.waitFor(), output);
        Files.delete(script);
        return output;
    }

    private static boolean hasZsh() {
        try {
            return new ProcessBuilder("zsh", "-fc", "true").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void testCompletion_unknownShell_exitsTwo() {
        CliRun r = run("completion", "fish");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop completion: invalid value for positional parameter at index 0 (SHELL): expected one of [bash, zsh] (case-insensitive) but was 'fish'"), r.err());
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
