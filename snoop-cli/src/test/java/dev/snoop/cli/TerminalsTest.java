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
}
