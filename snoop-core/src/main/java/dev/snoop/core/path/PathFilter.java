package dev.snoop.core.path;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Excludes paths under a set of prefixes, matching only at component boundaries: {@code /proc}
 * excludes {@code /proc} and {@code /proc/1/maps} but not {@code /procfs}.
 */
public final class PathFilter {
    /** Pseudo-filesystems that say nothing about what an image must ship. */
    public static final List<String> DEFAULT_EXCLUDES = List.of("/proc", "/sys", "/dev");

    private static final PathFilter NONE = new PathFilter(new String[0]);

    private final String[] prefixes;
    private final byte[][] prefixBytes; // the same, UTF-8, for paths that arrive as bytes

    private PathFilter(String[] prefixes) {
        this.prefixes = prefixes;
        this.prefixBytes = new byte[prefixes.length][];
        for (int i = 0; i < prefixes.length; i++) {
            prefixBytes[i] = prefixes[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A filter that excludes nothing. */
    public static PathFilter none() {
        return NONE;
    }

    /** A filter that excludes {@link #DEFAULT_EXCLUDES}. */
    public static PathFilter defaults() {
        return excluding(DEFAULT_EXCLUDES);
    }

    /**
     * A filter that excludes each prefix and everything below it.
     *
     * @throws IllegalArgumentException if a prefix is not an absolute path
     */
    public static PathFilter excluding(List<String> prefixes) {
        String[] normalized = prefixes.stream()
                .map(p -> PathNormalizer.normalize(Objects.requireNonNull(p, "prefix")))
                .distinct()
                .sorted()
                .toArray(String[]::new);
        return new PathFilter(normalized);
    }

    /** True if the normalized absolute {@code path} lies under one of the prefixes. */
    public boolean excludes(String path) {
        for (String prefix : prefixes) {
            if (path.startsWith(prefix)
                    && (path.length() == prefix.length()
                            || prefix.length() == 1
                            || path.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /**
     * As {@link #excludes(String)}, for a normalized absolute path given as the UTF-8 bytes
     * {@code utf8[0, length)}: '/' is a single byte in UTF-8 and never part of another character.
     */
    public boolean excludes(byte[] utf8, int length) {
        for (byte[] prefix : prefixBytes) {
            if (length >= prefix.length
                    && Arrays.equals(utf8, 0, prefix.length, prefix, 0, prefix.length)
                    && (length == prefix.length || prefix.length == 1 || utf8[prefix.length] == '/')) {
                return true;
            }
        }
        return false;
    }

    /** The normalized prefixes, sorted. */
    public List<String> prefixes() {
        return List.of(prefixes);
    }

    @Override
    public String toString() {
        return "PathFilter" + Arrays.toString(prefixes);
    }
}
