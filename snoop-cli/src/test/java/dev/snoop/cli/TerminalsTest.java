package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link Terminals}. */
class TerminalsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "/dev/pts/3, true",
        "/dev/tty1, true",
        "/dev/ttyS0, true",
        "/dev/console, true",
        "/dev/hvc0, true",
        "/dev/null, false",
        "/tmp/snoop-err.log, false",
        "'pipe:[48213]', false",
        "'socket:[7]', false",
    })
    void testMayBeTerminal_byWhatTheDescriptorLinksTo(String target, boolean expected) throws Exception {
        Path fd = Files.createSymbolicLink(dir.resolve("2"), Path.of(target));
        assertEquals(expected, Terminals.mayBeTerminal(fd));
    }

    @ParameterizedTest
    @CsvSource({"no-such-descriptor"})
    void testMayBeTerminal_cannotTell_letsJLineDecide(String name) throws Exception {
        assertEquals(true, Terminals.mayBeTerminal(dir.resolve(name)));
        Path file = Files.writeString(dir.resolve("plain"), "not a link");
        assertEquals(true, Terminals.mayBeTerminal(file));
    }

    @ParameterizedTest
    @CsvSource({
        "always, '', false, true",
        "always, 1, false, true",
        "never, '', true, false",
        "auto, '', true, true",
        "auto, 1, true, false",
        "auto, '', false, false",
    })
    void testColour_byChoiceNoColorAndTerminal(Terminals.ColorWhen when, String noColor, boolean terminal, boolean expected) {
        assertEquals(expected, Terminals.colour(when, noColor.isEmpty() ? null : noColor, terminal));
    }

    @ParameterizedTest
    @CsvSource({
        "'diff a b', auto",
        "'--color=always diff a b', always",
        "'diff --color never a b', never",
        "'diff --color=NEVER a b', never",
        "'diff --color=sometimes a b', auto",
        "'record -- sh --color=always', auto",
    })
    void testColorWhen_readFromTheCommandLineBeforeParsing(String args, Terminals.ColorWhen expected) {
        assertEquals(expected, Terminals.colorWhen(args.split(" ")));
    }

    @ParameterizedTest
    @CsvSource({"/dev/pts/3, true", "/dev/tty1, true", "/dev/console, true", "/dev/null, false", "/dev/hvc0, false",
        "/tmp/out.txt, false", "'pipe:[48213]', false"})
    void testIsTerminal_byWhatStdoutLinksTo(String target, boolean expected) throws Exception {
        Path fd = Files.createSymbolicLink(dir.resolve("1"), Path.of(target));
        assertEquals(expected, Terminals.isTerminal(fd));
    }
}
