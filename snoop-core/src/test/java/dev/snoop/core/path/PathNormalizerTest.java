package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /                      | /
            //                     | /
            ///                    | /
            /.                     | /
            /..                    | /
            /../..                 | /
            /../etc                | /etc
            /etc                   | /etc
            /etc/                  | /etc
            /etc//passwd           | /etc/passwd
            /etc/./passwd          | /etc/passwd
            /etc/../etc/passwd     | /etc/passwd
            /usr/lib/../../etc     | /etc
            /a/b/c/../../d         | /a/d
            /a/./b/./c/.           | /a/b/c
            /a/b/..                | /a
            /a/b/../..             | /
            /.hidden               | /.hidden
            /..hidden              | /..hidden
            /a/...                 | /a/...
            /a/.b/..c              | /a/.b/..c
            /./.a/a./x             | /.a/a./x
            /usr/lib/x86_64-linux-gnu/libc.so.6 | /usr/lib/x86_64-linux-gnu/libc.so.6
            """)
    void normalizesAbsolutePaths(String input, String expected) {
        assertEquals(expected, PathNormalizer.normalize(input));
    }

    @ParameterizedTest(name = "{1} against {0} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /app         | config.yaml       | /app/config.yaml
            /app         | ./config.yaml     | /app/config.yaml
            /app/        | config.yaml       | /app/config.yaml
            /app         | ../etc/hosts      | /etc/hosts
            /app         | ../../../../x     | /x
            /            | etc/passwd        | /etc/passwd
            /app/lib     | .                 | /app/lib
            /app/lib     | ..                | /app
            /app         | a//b/             | /app/a/b
            /app         | /etc/passwd       | /etc/passwd
            """)
    void resolvesRelativePathsAgainstBase(String base, String input, String expected) {
        assertEquals(expected, PathNormalizer.normalize(input, base));
    }

    @ParameterizedTest(name = "{0} is normalized: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /             | true
            /etc          | true
            /etc/passwd   | true
            /.hidden      | true
            /a/..b        | true
            /a/...        | true
            /.a/a.        | true
            ''            | false
            etc           | false
            /etc/         | false
            //etc         | false
            /etc//passwd  | false
            /./etc        | false
            /etc/.        | false
            /etc/..       | false
            /etc/../x     | false
            /a/.          | false
            /a/./b        | false
            /a/..         | false
            /a/../b       | false
            /a/.b/c       | true
            /a/..b/c      | true
            /.            | false
            /..           | false
            /a//          | false
            /a.//b        | false
            /ä/ö.txt      | true
            /ä//ö         | false
            """)
    void recognizesNormalizedPaths(String path, boolean expected) {
        assertEquals(expected, PathNormalizer.isNormalized(path));
        // the byte form answers the same, also in the middle of a larger array
        byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, PathNormalizer.isNormalized(utf8, 0, utf8.length));
        byte[] padded = ("x/" + path + "/.").getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, PathNormalizer.isNormalized(padded, 2, utf8.length));
    }

    @org.junit.jupiter.api.Test
    void nulByteIsNeverNormalizedAndAlwaysRefused() {
        assertEquals(false, PathNormalizer.isNormalized("/etc/pass\0wd"));
        byte[] nul = "/etc/pass\0wd".getBytes(StandardCharsets.UTF_8);
        assertEquals(false, PathNormalizer.isNormalized(nul, 0, nul.length));
        for (String[] input : new String[][] {{"/etc/a\0b", null}, {"x\0", "/app"}, {"/a/../b\0", null}}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> PathNormalizer.normalize(input[0], input[1]));
            assertEquals("path contains a NUL byte", e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void returnsTheSameInstanceWhenAlreadyNormalized() {
        String path = new String("/usr/bin/env");
        assertSame(path, PathNormalizer.normalize(path));
    }

    @ParameterizedTest(name = "{0} against {1}: {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            ''          | NULL  | empty path
            ''          | /app  | empty path
            etc/passwd  | NULL  | relative path without a base directory: etc/passwd
            etc/passwd  | ''    | base directory is not absolute: 
            etc/passwd  | app   | base directory is not absolute: app
            """)
    void rejectsBadInput(String path, String base, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PathNormalizer.normalize(path, base));
        assertEquals(message.strip(), e.getMessage().strip());
    }
}
