package dev.snoop.core.stats;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A summary of a report: totals, files per directory as a tree, the fullest directories, and
 * files by extension; what {@code snoop stats} prints.
 *
 * @param containers number of containers
 * @param files unique files summed over containers
 * @param distinctFiles unique files over all containers together (a file two containers use counts once)
 * @param totalEvents file-access syscalls seen
 * @param droppedEvents events lost before the report
 * @param tree directories down to the requested depth, each with the files below it
 * @param largestDirectories directories with the most files directly inside, most first
 * @param extensions file extensions by number of files, most first
 */
public record ReportStats(
        int containers,
        long files,
        long distinctFiles,
        long totalEvents,
        long droppedEvents,
        List<DirectoryCount> tree,
        List<DirectoryCount> largestDirectories,
        List<ExtensionCount> extensions) {

    /**
     * A directory and how many files lie in it.
     *
     * @param children subdirectories within the depth limit, fullest first; empty in flat lists
     */
    public record DirectoryCount(String path, long files, List<DirectoryCount> children) {}

    /** @param extension such as {@code .py}, {@code .so} for versioned libraries, or {@code (none)} */
    public record ExtensionCount(String extension, long files) {}

    public ReportStats {
        tree = List.copyOf(tree);
        largestDirectories = List.copyOf(largestDirectories);
        extensions = List.copyOf(extensions);
    }

    /** Dropped events as a share of all events; 0 when there were none. */
    public double dropRatio() {
        return totalEvents == 0 ? 0 : (double) droppedEvents / totalEvents;
    }

    /**
     * Summarizes {@code report}.
     *
     * @param depth how many directory levels the tree shows (at least 1)
     * @param top how many entries the flat lists keep
     */
    public static ReportStats of(Report report, int depth, int top) {
        if (depth < 1 || top < 1) {
            throw new IllegalArgumentException("depth and top must be at least 1");
        }
        PathSet all = new PathSet();
        long files = 0;
        for (ContainerReport c : report.containers()) {
            files += c.files().size();
            SortedPaths.Cursor cursor = c.files().cursor();
            while (cursor.next()) {
                all.addRef(cursor.bytes(), cursor.length());
            }
        }
        SortedPaths distinct = all.toSortedPaths(false);
        TreeMap<String, long[]> underDir = new TreeMap<>();
        Map<String, long[]> inDir = new HashMap<>();
        Map<String, long[]> byExtension = new HashMap<>();
        for (String path : distinct) {
            int slash = path.lastIndexOf('/');
            String parent = slash == 0 ? "/" : path.substring(0, slash);
            inDir.computeIfAbsent(parent, k -> new long[1])[0]++;
            byExtension.computeIfAbsent(extension(path.substring(slash + 1)), k -> new long[1])[0]++;
            // every ancestor directory down to the depth limit, excluding the file itself
            int level = 0;
            for (int i = path.indexOf('/', 1); i > 0 && level < depth; i = path.indexOf('/', i + 1), level++) {
                underDir.computeIfAbsent(path.substring(0, i), k -> new long[1])[0]++;
            }
        }
        return new ReportStats(report.containers().size(), files, distinct.size(), report.totalEvents(),
                report.droppedEvents(), tree(underDir, "", depth), flat(inDir, top), extensions(byExtension, top));
    }

    /** The extension of a file name; versioned shared objects ({@code libc.so.6}) count as {@code .so}. */
    static String extension(String name) {
        int so = name.indexOf(".so.");
        if (so > 0 && name.substring(so + 4).matches("[0-9.]+")) {
            return ".so";
        }
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1 || name.substring(dot + 1).matches("[0-9]+")) {
            return "(none)"; // "python3.11" has a version, not an extension
        }
        return name.substring(dot);
    }

    private static List<DirectoryCount> tree(TreeMap<String, long[]> counts, String parent, int depth) {
        List<DirectoryCount> level = new ArrayList<>();
        String from = parent + "/";
        for (Map.Entry<String, long[]> e : counts.tailMap(from, false).entrySet()) {
            String path = e.getKey();
            if (!path.startsWith(from)) {
                break;
            }
            if (path.indexOf('/', from.length()) < 0) {
                List<DirectoryCount> children = depth > 1 ? tree(counts, path, depth - 1) : List.of();
                level.add(new DirectoryCount(path, e.getValue()[0], children));
            }
        }
        level.sort(Comparator.comparingLong(DirectoryCount::files).reversed().thenComparing(DirectoryCount::path));
        return level;
    }

    private static List<DirectoryCount> flat(Map<String, long[]> counts, int top) {
        return counts.entrySet().stream()
                .map(e -> new DirectoryCount(e.getKey(), e.getValue()[0], List.of()))
                .sorted(Comparator.comparingLong(DirectoryCount::files).reversed().thenComparing(DirectoryCount::path))
                .limit(top)
                .toList();
    }

    private static List<ExtensionCount> extensions(Map<String, long[]> counts, int top) {
        return counts.entrySet().stream()
                .map(e -> new ExtensionCount(e.getKey(), e.getValue()[0]))
                .sorted(Comparator.comparingLong(ExtensionCount::files).reversed().thenComparing(ExtensionCount::extension))
                .limit(top)
                .toList();
    }
}
