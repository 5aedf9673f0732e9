package dev.snoop.core.path;

/**
 * Turns the path a process passed to the kernel into the canonical absolute form every report uses.
 *
 * <p>Lexical only: {@code .} and {@code ..} are resolved, repeated {@code /} collapsed, a trailing
 * {@code /} dropped and {@code ..} clamped at the root. Symlinks are never resolved, because the
 * recorder sees paths as the container saw them, and the host's filesystem is not the container's.
 *
 * <p>Already-normalized input is returned as the same instance without allocating, which keeps
 * reading large reports cheap.
 */
public final class PathNormalizer {
    private PathNormalizer() {}

    /**
     * Normalizes an absolute path.
     *
     * @throws IllegalArgumentException if the path is empty, relative or contains a NUL byte
     */
    public static String normalize(String path) {
        return normalize(path, null);
    }

    /**
     * Normalizes a path, resolving a relative one against {@code base}.
     *
     * @param base the absolute directory a relative path is relative to, or null when none is known
     * @throws IllegalArgumentException if the path is empty, contains a NUL byte, or is relative and
     *     {@code base} is null or itself relative
     */
    public static String normalize(String path, String base) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL byte");
        }
        if (path.charAt(0) != '/') {
            if (base == null) {
                throw new IllegalArgumentException("relative path without a base directory: " + path);
            }
            if (base.isEmpty() || base.charAt(0) != '/') {
                throw new IllegalArgumentException("base directory is not absolute: " + base);
            }
            return resolve(base + "/" + path);
        }
        return isNormalized(path) ? path : resolve(path);
    }

    /** True if {@code path} is absolute and already in the form {@link #normalize} returns. */
    public static boolean isNormalized(String path) {
        int n = path.length();
        if (n == 0 || path.charAt(0) != '/') {
            return false;
        }
        if (n > 1 && path.charAt(n - 1) == '/' || path.indexOf("//") >= 0 || path.indexOf('\0') >= 0) {
            return false;
        }
        // an empty component shows as "//" and a "." or ".." one as "/.": without "/." there is neither
        // (String.indexOf is an intrinsic); with it (a dot file), look at each such component
        for (int dot = path.indexOf("/."); dot >= 0; dot = path.indexOf("/.", dot + 2)) {
            int next = dot + 2;
            if (next == n || path.charAt(next) == '/'
                    || path.charAt(next) == '.' && (next + 1 == n || path.charAt(next + 1) == '/')) {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #isNormalized(String)}, for the UTF-8 bytes {@code utf8[offset, offset + length)}, without
     * decoding them: '/', '.' and NUL are single bytes in UTF-8 and never part of another character.
     */
    public static boolean isNormalized(byte[] utf8, int offset, int length) {
        int end = offset + length;
        if (length == 0 || utf8[offset] != '/') {
            return false;
        }
        if (length > 1 && utf8[end - 1] == '/') {
            return false;
        }
        for (int i = offset + 1; i < end; i++) {
            byte b = utf8[i];
            if (b == 0) {
                return false;
            }
            if (utf8[i - 1] == '/' && (b == '/' || b == '.' && (i + 1 == end || utf8[i + 1] == '/'
                    || utf8[i + 1] == '.' && (i + 2 == end || utf8[i + 2] == '/')))) {
                return false;
            }
        }
        return true;
    }

    private static String resolve(String absolute) {
        int n = absolute.length();
        StringBuilder out = new StringBuilder(n);
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || absolute.charAt(i) == '/') {
                int len = i - start;
                if (len == 2 && absolute.charAt(start) == '.' && absolute.charAt(start + 1) == '.') {
                    // ".." drops the last component; at the root it stays at the root
                    out.setLength(Math.max(0, out.lastIndexOf("/")));
                } else if (len > 0 && !(len == 1 && absolute.charAt(start) == '.')) {
                    out.append('/').append(absolute, start, i);
                }
                start = i + 1;
            }
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
