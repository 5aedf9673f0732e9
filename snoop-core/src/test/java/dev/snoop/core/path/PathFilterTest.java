package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathFilterTest {

    @ParameterizedTest(name = "defaults exclude {0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /proc                 | true
            /proc/1/maps          | true
            /proc/self/fd/3       | true
            /sys/fs/cgroup        | true
            /dev/null             | true
            /dev                  | true
            /procfs               | false
            /proc.d/x             | false
            /system/lib           | false
            /devices              | false
            /etc/proc             | false
            /usr/lib/libc.so.6    | false
            /                     | false
            """)
    void defaultsExcludePseudoFilesystemsAtComponentBoundaries(String path, boolean excluded) {
        assertEquals(excluded, PathFilter.defaults().excludes(path));
        assertEquals(excluded, excludesBytes(PathFilter.defaults(), path), "as bytes");
    }

    /** The byte overload, given a buffer longer than the path as the recorder's may be. */
    private static boolean excludesBytes(PathFilter filter, String path) {
        byte[] utf8 = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return filter.excludes(java.util.Arrays.copyOf(utf8, utf8.length + 3), utf8.length);
    }

    @ParameterizedTest(name = "{0} excludes {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /tmp/         | /tmp/x        | true
            /tmp//cache   | /tmp/cache/a  | true
            /tmp/./cache  | /tmp/cachex   | false
            /var/log/..   | /var/lib/x    | true
            /             | /anything     | true
            /             | /             | true
            """)
    void prefixesAreNormalizedBeforeMatching(String prefix, String path, boolean excluded) {
        assertEquals(excluded, PathFilter.excluding(List.of(prefix)).excludes(path));
        assertEquals(excluded, excludesBytes(PathFilter.excluding(List.of(prefix)), path), "as bytes");
    }

    @Test
    void prefixesAreDeduplicatedAndSorted() {
        PathFilter filter = PathFilter.excluding(List.of("/sys", "/dev/", "/sys", "/a"));
        assertEquals(List.of("/a", "/dev", "/sys"), filter.prefixes());
        assertEquals("PathFilter[/a, /dev, /sys]", filter.toString());
        assertEquals(List.of("/dev", "/proc", "/sys"), PathFilter.defaults().prefixes());
    }

    @Test
    void noneExcludesNothing() {
        assertFalse(PathFilter.none().excludes("/proc/1/maps"));
        assertFalse(excludesBytes(PathFilter.none(), "/proc/1/maps"));
        assertFalse(excludesBytes(PathFilter.defaults(), "/pr"), "shorter than every prefix");
        assertEquals(List.of(), PathFilter.none().prefixes());
    }

    @Test
    void relativePrefixIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PathFilter.excluding(List.of("tmp")));
        assertThrows(NullPointerException.class, () -> PathFilter.excluding(java.util.Arrays.asList((String) null)));
    }
}
