package dev.snoop.bench;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.image.Image;
import dev.snoop.image.UnusedAnalysis;
import dev.snoop.image.UnusedResult;
import dev.snoop.image.Usage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The {@code snoop unused} benchmark: an OCI image tar of 100,000 files and 100 reports of 10,000
 * files each, generated deterministically, then timed in process by phase ({@code run}); the
 * end-to-end timing with peak RSS is {@code bench/run-unused.sh}.
 *
 * <pre>
 * UnusedBenchmark gen DIR [FILES [REPORTS [REPORT_FILES]]]   writes DIR/image.tar and DIR/reports/
 * UnusedBenchmark run DIR [ROUNDS]                            reads them ROUNDS times, prints phase times
 * </pre>
 *
 * <p>The image has three gzipped layers: the first 70% of the files, then 25% more plus whiteouts
 * of 1% of the first layer's files, then the last 5% and an opaque directory. One file in a hundred
 * is a symlink to another file. File sizes are log-normal (median ~400 B, mean ~1.2 KB: a small
 * image by bytes, large by count) and the content is pseudo-random text that gzip halves, so
 * decompression costs what it would on real data. Reports: 85% of each is a core every replica uses, the rest is drawn from the whole image,
 * and 1% are paths the image does not have (/proc, /tmp).
 */
public final class UnusedBenchmark {
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private UnusedBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("gen") || args[0].equals("run"))) {
            System.err.println("usage: UnusedBenchmark gen DIR [FILES [REPORTS [REPORT_FILES]]] | run DIR [ROUNDS]");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("gen")) {
            int files = args.length > 2 ? PathList.parseCount(args[2]) : 100_000;
            int reports = args.length > 3 ? PathList.parseCount(args[3]) : 100;
            int reportFiles = args.length > 4 ? PathList.parseCount(args[4]) : 10_000;
            generate(Files.createDirectories(dir), files, reports, reportFiles);
        } else {
            run(dir, args.length > 2 ? Integer.parseInt(args[2]) : 5);
        }
    }

    // ---- generation -----------------------------------------------------------------------------

    static void generate(Path dir, int files, int reports, int reportFiles) throws Exception {
        List<String> leaves = leaves(files);
        Path blobs = Files.createDirectories(dir.resolve("blobs-tmp"));
        int l1 = files * 70 / 100;
        int l2 = files * 95 / 100;
        Random random = new Random(7);
        List<Blob> layers = new ArrayList<>();
        layers.add(layer(blobs, "1", leaves.subList(0, l1), List.of(), null, random));
        List<String> whiteouts = new ArrayList<>();
        for (int i = 0; i < l1; i += 100) {
            whiteouts.add(leaves.get(i));
        }
        layers.add(layer(blobs, "2", leaves.subList(l1, l2), whiteouts, null, random));
        String opaque = parent(leaves.get(l1 + 1));
        layers.add(layer(blobs, "3", leaves.subList(l2, files), List.of(), opaque, random));

        StringBuilder layerJson = new StringBuilder();
        StringBuilder diffIds = new StringBuilder();
        for (Blob b : layers) {
            layerJson.append(layerJson.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                    + "\"digest\":\"" + b.digest + "\",\"size\":" + Files.size(b.file) + "}");
            diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(b.diffId).append('"');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[" + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = sha256(manifest);
        byte[] index = ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MANIFEST_TYPE + "\",\"digest\":\""
                + manifestDigest + "\",\"size\":" + manifest.length + "}]}").getBytes(StandardCharsets.UTF_8);

        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(
                Files.newOutputStream(dir.resolve("image.tar")), 1 << 16))) {
            put(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            put(tar, "index.json", index);
            put(tar, "blobs/sha256/" + manifestDigest.substring(7), manifest);
            put(tar, "blobs/sha256/" + sha256(config).substring(7), config);
            for (Blob b : layers) {
                TarArchiveEntry e = new TarArchiveEntry("blobs/sha256/" + b.digest.substring(7));
                e.setSize(Files.size(b.file));
                tar.putArchiveEntry(e);
                try (InputStream in = Files.newInputStream(b.file)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
                Files.delete(b.file);
            }
        }
        Files.delete(blobs);
        reports(Files.createDirectories(dir.resolve("reports")), leaves, reports, reportFiles, manifestDigest);
        System.err.printf("wrote %s (%d MB) and %d reports of %d files%n", dir.resolve("image.tar"),
                Files.size(dir.resolve("image.tar")) >> 20, reports, reportFiles);
    }

    /** {@code n} file paths: the leaves of the generated tree, so that no file is also a directory. */
    static List<String> leaves(int n) {
        List<String> all = RealisticPaths.generate(11, n * 13 / 10);
        TreeSet<String> sorted = new TreeSet<>(all);
        List<String> leaves = new ArrayList<>();
        for (String p : all) {
            String next = sorted.higher(p + "/");
            boolean isDir = sorted.contains(p + "/") || (next != null && next.startsWith(p + "/"))
                    || sorted.subSet(p + "/", p + "0").size() > 0;
            if (!isDir) {
                leaves.add(p);
            }
            if (leaves.size() == n) {
                break;
            }
        }
        return leaves;
    }

    private record Blob(Path file, String digest, String diffId) {}

    private static Blob layer(Path dir, String name, List<String> files, List<String> whiteouts, String opaque,
            Random random) throws Exception {
        Path file = dir.resolve(name + ".tar.gz");
        MessageDigest compressed = MessageDigest.getInstance("SHA-256");
        MessageDigest uncompressed = MessageDigest.getInstance("SHA-256");
        try (OutputStream raw = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), compressed);
                GZIPOutputStream gz = new GZIPOutputStream(raw, 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(gz, uncompressed))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            Set<String> dirs = new HashSet<>();
            for (String w : whiteouts) {
                String parent = parent(w);
                put(tar, parent.substring(1) + "/.wh." + w.substring(parent.length() + 1), new byte[0]);
            }
            if (opaque != null) {
                put(tar, opaque.substring(1) + "/.wh..wh..opq", new byte[0]);
            }
            byte[] content = new byte[1 << 20];
            for (int i = 0; i < content.length; i++) {
                content[i] = (byte) ('a' + random.nextInt(16));
            }
            for (int i = 0; i < files.size(); i++) {
                String path = files.get(i);
                for (String d = parent(path); !d.equals("/") && dirs.add(d); d = parent(d)) {
                    TarArchiveEntry e = new TarArchiveEntry(d.substring(1) + "/");
                    e.setMode(040755);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                }
                if (i % 100 == 99) {
                    TarArchiveEntry e = new TarArchiveEntry(path.substring(1), TarConstants.LF_SYMLINK);
                    String previous = files.get(i - 1);
                    e.setLinkName(parent(previous).equals(parent(path)) ? previous.substring(parent(path).length() + 1) : previous);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                    continue;
                }
                // log-normal: median ~400 B, mean ~1.2 KB, a few files near the 1 MB cap
                int size = (int) Math.min(content.length, Math.exp(6 + 1.5 * random.nextGaussian()));
                TarArchiveEntry e = new TarArchiveEntry(path.substring(1));
                e.setSize(size);
                tar.putArchiveEntry(e);
                tar.write(content, random.nextInt(content.length - size + 1), size);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return new Blob(file, "sha256:" + HexFormat.of().formatHex(compressed.digest()),
                "sha256:" + HexFormat.of().formatHex(uncompressed.digest()));
    }

    private static void reports(Path dir, List<String> leaves, int reports, int files, String digest) {
        List<String> pool = PathList.shuffled(leaves, 5);
        int core = files * 85 / 100;
        int absent = files / 100;
        IntStream.range(0, reports).parallel().forEach(r -> {
            Random random = new Random(2000 + r);
            Set<String> chosen = new HashSet<>(pool.subList(0, core));
            for (int i = 0; i < absent; i++) {
                chosen.add(i % 2 == 0 ? "/proc/" + (100 + r) + "/fd/" + i : "/tmp/run-" + r + "/f" + i);
            }
            while (chosen.size() < files) {
                chosen.add(pool.get(core + random.nextInt(pool.size() - core)));
            }
            ContainerReport app = new ContainerReport("app", null, 0, null, "bench:1", digest,
                    Instant.parse("2026-11-01T09:00:00Z"), null, 3L * files, 0, SortedPaths.of(chosen));
            ReportJson.write(new Report(Report.SCHEMA_VERSION, "bench-" + r, "default", Map.of(), null, null,
                    3L * files, 0, 0, List.of(app)), dir.resolve(String.format("report-%03d.json", r)));
        });
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    // ---- in-process timing ----------------------------------------------------------------------

    static void run(Path dir, int rounds) throws Exception {
        List<Path> reportFiles;
        try (var walk = Files.list(dir.resolve("reports"))) {
            reportFiles = walk.sorted().toList();
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int round = 1; round <= rounds; round++) {
            long p0 = os.getProcessCpuTime();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Image image = Image.read(dir.resolve("image.tar"), w -> { });
            long t1 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            Usage usage = new Usage();
            long adding = 0;
            for (Path f : reportFiles) {
                Report r = ReportJson.read(f, w -> { });
                long a = System.nanoTime();
                usage.add(r.containers(), r.mergedReports());
                adding += System.nanoTime() - a;
            }
            long t2 = System.nanoTime();
            long c2 = threads.getCurrentThreadCpuTime();
            UnusedResult result = UnusedAnalysis.analyze(image, usage, 1, w -> { });
            long t3 = System.nanoTime();
            long c3 = threads.getCurrentThreadCpuTime();
            long p3 = os.getProcessCpuTime();
            System.gc();
            long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            System.out.printf("round %d: image %d ms, %d reports %d ms (of which adding to the usage %d ms), analysis %d ms, total %d ms; "
                    + "tree ~%d MB, heap after GC %d MB; %d files, %d kept, %d unused (%.1f%% of bytes), keep list %d%n",
                    round, ms(t1 - t0), reportFiles.size(), ms(t2 - t1), ms(adding), ms(t3 - t2), ms(t3 - t0),
                    image.estimatedBytes() >> 20, heap >> 20, result.imageFiles(), result.keptFiles(),
                    result.unusedFiles(), 100 * result.unusedShare(), result.keepList().size());
            System.out.printf("         CPU of this thread: image %d ms, reports %d ms, analysis %d ms, total %d ms; "
                    + "of the process (read-ahead, JIT, GC too) %d ms (load %s)%n",
                    ms(c1 - c0), ms(c2 - c1), ms(c3 - c2), ms(c3 - c0), ms(p3 - p0),
                    String.format("%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
