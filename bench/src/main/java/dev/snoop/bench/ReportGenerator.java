package dev.snoop.bench;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Writes report files for {@code bench/run-offline.sh}, deterministically.
 *
 * <pre>
 * ReportGenerator replicas DIR REPORTS FILES   the reports of REPORTS replicas of one deployment
 * ReportGenerator pair DIR FILES PERCENT       DIR/a.json and DIR/b.json, b replacing PERCENT% of a
 * </pre>
 *
 * <p>Replicas draw from one pool of {@code 4 * FILES} paths of an image: 85% of each report is a
 * core every replica uses (the interpreter, the app, its libraries); the rest comes from the
 * remaining pool, skewed so that some rarely used files are seen by many replicas and some by one.
 */
final class ReportGenerator {
    private static final Instant START = Instant.parse("2026-11-01T09:00:00Z");
    private static final String DIGEST = "sha256:" + "5e".repeat(32);

    private ReportGenerator() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[0].equals("replicas") || args[0].equals("pair"))) {
            System.err.println("usage: ReportGenerator replicas DIR REPORTS FILES | pair DIR FILES PERCENT");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[1]));
        if (args[0].equals("replicas")) {
            replicas(dir, PathList.parseCount(args[2]), PathList.parseCount(args[3]));
        } else {
            pair(dir, PathList.parseCount(args[2]), Integer.parseInt(args[3]));
        }
    }

    static void replicas(Path dir, int reports, int files) {
        List<String> pool = PathList.shuffled(RealisticPaths.generate(1, 4 * files), 2);
        int core = files * 85 / 100;
        int rest = pool.size() - core;
        IntStream.range(0, reports).parallel().forEach(r -> {
            Random random = new Random(1000 + r);
            Set<String> chosen = new HashSet<>(pool.subList(0, core));
            while (chosen.size() < files) {
                double u = random.nextDouble();
                chosen.add(pool.get(core + (int) (rest * u * u)));
            }
            write(dir.resolve(String.format("report-%04d.json", r)), report(podName(r), new ArrayList<>(chosen)));
        });
    }

    static void pair(Path dir, int files, int percent) {
        int changed = (int) ((long) files * percent / 100);
        List<String> pool = RealisticPaths.generate(3, files + changed);
        List<String> a = pool.subList(0, files);
        List<String> b = new ArrayList<>(PathList.shuffled(a, 4).subList(changed, files));
        b.addAll(pool.subList(files, files + changed));
        write(dir.resolve("a.json"), report(podName(0), a));
        write(dir.resolve("b.json"), report(podName(1), b));
    }

    /** A one-container report of the Deployment "shop", as {@code snoop record} writes it. */
    static Report report(String podName, List<String> paths) {
        PathSet set = new PathSet();
        paths.forEach(set::add);
        long events = 3L * paths.size();
        Instant end = START.plusSeconds(1800);
        ContainerReport app = new ContainerReport("app", "containerd://" + Integer.toHexString(podName.hashCode()),
                4242, "/kubepods.slice/kubepods-pod.slice/cri-containerd.scope", "registry.example.com/shop:2.0",
                DIGEST, START, end, events, 0, set.toSortedPaths(false));
        return new Report(Report.SCHEMA_VERSION, podName, "shop", Map.of("app", "shop", "version", "2.0"),
                START, end, events, 0, 0, List.of(app));
    }

    private static String podName(int replica) {
        return "shop-7d9c5-" + Integer.toString(46656 + replica * 7919, 36);
    }

    private static void write(Path file, Report report) {
        ReportJson.write(report, file);
    }
}
