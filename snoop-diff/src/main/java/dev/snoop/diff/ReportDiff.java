package dev.snoop.diff;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The difference between two reports, container by container.
 *
 * <p>Containers are paired by name. When each side has exactly one container they are paired
 * whatever their names, so a single-container report compares with the matching entry of a pod
 * report chosen with {@code --container}. A container on one side only counts all its files as
 * removed or added.
 *
 * @param containers one entry per container, sorted by name
 */
public record ReportDiff(List<ContainerDiff> containers) {
    public ReportDiff {
        containers = List.copyOf(containers);
    }

    public boolean hasChanges() {
        return containers.stream().anyMatch(ContainerDiff::hasChanges);
    }

    /**
     * Compares {@code oldReport} with {@code newReport}.
     *
     * @param container compare only the container of this name, or null for all
     * @throws SnoopException if {@code container} is named by neither report
     */
    public static ReportDiff of(Report oldReport, Report newReport, String container) {
        List<ContainerReport> olds = select(oldReport, container);
        List<ContainerReport> news = select(newReport, container);
        if (container != null && olds.isEmpty() && news.isEmpty()) {
            throw new SnoopException("no container named '" + container + "' in either report");
        }
        if (olds.size() == 1 && news.size() == 1) {
            ContainerReport o = olds.get(0);
            ContainerReport n = news.get(0);
            return new ReportDiff(List.of(ContainerDiff.of(n.name().isEmpty() ? o.name() : n.name(), o.files(), n.files())));
        }
        Map<String, SortedPaths> oldByName = byName(olds);
        Map<String, SortedPaths> newByName = byName(news);
        TreeSet<String> names = new TreeSet<>(oldByName.keySet());
        names.addAll(newByName.keySet());
        List<ContainerDiff> diffs = new ArrayList<>();
        for (String name : names) {
            diffs.add(ContainerDiff.of(name,
                    oldByName.getOrDefault(name, SortedPaths.empty()),
                    newByName.getOrDefault(name, SortedPaths.empty())));
        }
        return new ReportDiff(diffs);
    }

    /** A one-container report stands for the named container, whatever its own name. */
    private static List<ContainerReport> select(Report report, String container) {
        if (container == null || report.containers().size() == 1 && report.containers().get(0).name().isEmpty()) {
            return report.containers();
        }
        return report.containers().stream().filter(c -> c.name().equals(container)).toList();
    }

    /** Entries of one name (the same container under several images) are united. */
    private static Map<String, SortedPaths> byName(List<ContainerReport> containers) {
        Map<String, List<SortedPaths>> grouped = new LinkedHashMap<>();
        for (ContainerReport c : containers) {
            grouped.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c.files());
        }
        Map<String, SortedPaths> united = new LinkedHashMap<>();
        grouped.forEach((name, lists) -> united.put(name, lists.size() == 1 ? lists.get(0) : union(lists)));
        return united;
    }

    private static SortedPaths union(List<SortedPaths> lists) {
        PathSet set = new PathSet();
        for (SortedPaths list : lists) {
            SortedPaths.Cursor cursor = list.cursor();
            while (cursor.next()) {
                set.addRef(cursor.bytes(), cursor.length());
            }
        }
        return set.toSortedPaths(false);
    }
}
