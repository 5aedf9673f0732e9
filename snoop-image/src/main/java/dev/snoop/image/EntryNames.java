package dev.snoop.image;

import dev.snoop.core.path.QuotedPaths;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the names of archive entries into path components inside the image root.
 *
 * <p>{@code ./} prefixes, repeated slashes and {@code .} vanish; a leading {@code /} is dropped
 * (the caller counts it, since such a name is odd but harmless); a {@code ..} that would climb
 * above the root makes the name unsafe, and the caller refuses the layer.
 */
final class EntryNames {
    private EntryNames() {}

    /** A name in a message: in single quotes, or quoted if it could forge a line ({@link QuotedPaths}). */
    static String shown(String name) {
        return QuotedPaths.needsQuoting(name) ? QuotedPaths.quote(name) : "'" + name + "'";
    }

    /** The components of {@code name}, or null if it escapes the root. */
    static List<String> split(String name) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = name.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || name.charAt(i) == '/') {
                String c = name.substring(start, i);
                start = i + 1;
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    if (out.isEmpty()) {
                        return null;
                    }
                    out.remove(out.size() - 1);
                } else {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** True if a symlink at {@code components} with {@code target} points above the root. */
    static boolean climbsAboveRoot(List<String> components, String target) {
        if (target.startsWith("/")) {
            return split(target) == null;
        }
        int depth = components.size() - 1; // the link's directory
        int start = 0;
        int n = target.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || target.charAt(i) == '/') {
                String c = target.substring(start, i);
                start = i + 1;
                if (c.equals("..")) {
                    if (--depth < 0) {
                        return true;
                    }
                } else if (!c.isEmpty() && !c.equals(".")) {
                    depth++;
                }
            }
        }
        return false;
    }

    static String join(List<String> components) {
        return "/" + String.join("/", components);
    }
}
