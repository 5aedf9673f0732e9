package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileEventTest {

    private static FileEvent event(int flags, int result, String path, String chain) {
        return new FileEvent(1, 0, 1, 1, EventKind.OPENAT, flags, result, -100, 0,
                path.getBytes(StandardCharsets.UTF_8), chain.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void testAbsolutePath_table() {
        Object[][] cases = {
            // flags, path, chain (innermost first), expected
            {0, "/etc/passwd", "", "/etc/passwd"},
            {Wire.F_RELATIVE, "x", "", "/x"},
            {Wire.F_RELATIVE, "../x", "b\0a\0", "/a/b/../x"},
            {Wire.F_EMPTY_PATH, "", "ls\0bin\0usr\0", "/usr/bin/ls"},
            {Wire.F_EMPTY_PATH, "", "", "/"},
            {Wire.F_RELATIVE | Wire.F_DIR_UNRESOLVED, "x", "", "x"},
            {Wire.F_PATH_FAULT, "", "", ""},
        };
        for (Object[] c : cases) {
            assertEquals(c[3], event((int) c[0], 0, (String) c[1], (String) c[2]).absolutePath(),
                    () -> "flags " + c[0] + " path " + c[1]);
        }
    }

    @Test
    void testNameIsAbsolute_onlyWhenTheNameIsThePath() {
        assertTrue(event(0, 0, "/etc/passwd", "").nameIsAbsolute());
        assertFalse(event(Wire.F_RELATIVE, 0, "x", "a\0").nameIsAbsolute());
        assertFalse(event(Wire.F_EMPTY_PATH, 0, "", "bin\0").nameIsAbsolute());
        assertFalse(event(Wire.F_EMPTY_PATH, 0, "/x", "bin\0").nameIsAbsolute(), "AT_EMPTY_PATH names the directory");
        assertFalse(event(Wire.F_PATH_FAULT, 0, "", "").nameIsAbsolute());
        assertFalse(event(0, 0, "x", "").nameIsAbsolute());
    }

    @Test
    void testPredicates_followFlagsAndResult() {
        FileEvent e = event(Wire.F_PATH_FAULT | Wire.F_PATH_TOO_LONG | Wire.F_DIR_UNRESOLVED | Wire.F_DIRECTORY, -2, "", "");
        assertTrue(e.pathFault() && e.pathTooLong() && e.dirUnresolved() && e.isDirectory() && e.failed());
        FileEvent ok = event(0, 3, "/a", "");
        assertFalse(ok.pathFault() || ok.pathTooLong() || ok.dirUnresolved() || ok.isDirectory() || ok.failed());
    }

    @Test
    void testPathBytes_areCopies() {
        byte[] raw = "/a".getBytes(StandardCharsets.UTF_8);
        FileEvent e = new FileEvent(1, 0, 1, 1, EventKind.OPEN, 0, 0, -100, 0, raw, new byte[0]);
        raw[1] = 'b';
        e.pathBytes()[1] = 'c';
        assertEquals("/a", e.path());
        assertEquals(e, new FileEvent(1, 0, 1, 1, EventKind.OPEN, 0, 0, -100, 0, "/a".getBytes(StandardCharsets.UTF_8), new byte[0]));
    }
}
