package dev.snoop.record;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.core.report.SetChecksum;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * What snoop serve has acknowledged of this recording, and the requests that bring it up to date
 * (docs/server.md, "Deltas"). Until a whole report has been acknowledged (after a start, or after
 * the server asked for a resync) a report is sent as it is; after that only its files that are
 * new, or whose access kinds grew, since the last acknowledgement, with every container's
 * cumulative counters and, in the {@code Snoop-Delivery} header, the checksum of the whole set,
 * which the server checks. A report too large for the server is sent in parts of at most so many
 * files, each a report of its own that the server stores idempotently; only the last part carries
 * the checksum.
 *
 * <p>Held in memory only, as 8 bytes a file: a restarted sidecar sends its report in full once,
 * and so learns again what the server has. Used by the one sending thread.
 */
final class Acknowledged {
    /** Kind of a request's body, for the metrics. */
    enum Kind { FULL, DELTA }

    /** One request: the report's files at {@code selected} (per container, indices into its files). */
    record Part(Report report, int[][] selected, int files, String header, Kind kind, boolean last, long[] hashes) {}

    /** Sorted hashes of the files acknowledged, each file's tied to its container entry. */
    private long[] acked = new long[0];
    /** A whole report was acknowledged since the start or the last resync: deltas may be sent. */
    private boolean known;
    private volatile long ackedFiles;

    /**
     * The requests that deliver {@code report}: one, or parts of at most {@code maxFiles} files
     * each. The last carries the checksum if the server's state is known.
     */
    List<Part> plan(Report report, int maxFiles) {
        List<ContainerReport> containers = report.containers();
        long[] all = new long[Math.toIntExact(report.fileCount())];
        long[][] hashes = new long[containers.size()][];
        int pending = 0;
        int k = 0;
        for (int c = 0; c < containers.size(); c++) {
            ContainerReport container = containers.get(c);
            hashes[c] = keyedHashes(container);
            for (long h : hashes[c]) {
                all[k++] = h;
                if (Arrays.binarySearch(acked, h) < 0) {
                    pending++;
                }
            }
        }
        Arrays.sort(all);
        int partFiles = Math.max(1, maxFiles);
        int count = Math.max(1, (pending + partFiles - 1) / partFiles);
        SetChecksum whole = SetChecksum.of(report);
        String header = known ? "delta; files=" + whole.files() + "; checksum=" + whole.hex() : null;
        List<Part> parts = new ArrayList<>(count);
        int c = 0;
        int i = 0;
        for (int p = 0; p < count; p++) {
            boolean last = p == count - 1;
            int[][] selected = new int[containers.size()][];
            long[] partHashes = new long[Math.min(partFiles, pending)];
            int taken = 0;
            int[] sizes = new int[containers.size()];
            List<int[]> picks = new ArrayList<>();
            while (c < containers.size() && taken < partFiles) {
                if (i < hashes[c].length) {
                    if (Arrays.binarySearch(acked, hashes[c][i]) < 0) {
                        picks.add(new int[] {c, i});
                        partHashes[taken++] = hashes[c][i];
                        sizes[c]++;
                    }
                    i++;
                } else {
                    c++;
                    i = 0;
                }
            }
            for (int s = 0; s < selected.length; s++) {
                selected[s] = new int[sizes[s]];
                sizes[s] = 0;
            }
            for (int[] pick : picks) {
                selected[pick[0]][sizes[pick[0]]++] = pick[1];
            }
            parts.add(new Part(report, selected, taken, last ? header : null, known ? Kind.DELTA : Kind.FULL, last,
                    last ? all : Arrays.copyOf(partHashes, taken)));
        }
        return parts;
    }

    /** The server stored {@code part}. */
    void acknowledged(Part part) {
        if (part.last()) {
            acked = part.hashes(); // exactly the report's files: access kinds that grew replace the older ones
            known = true;
        } else {
            long[] merged = Arrays.copyOf(acked, acked.length + part.hashes().length);
            System.arraycopy(part.hashes(), 0, merged, acked.length, part.hashes().length);
            Arrays.sort(merged);
            acked = merged;
        }
        ackedFiles = acked.length;
    }

    /** The server's set is not what was acknowledged (it answered 409 resync): the next report goes in full. */
    void resync() {
        acked = new long[0];
        known = false;
        ackedFiles = 0;
    }

    /** Whether the next request is checked against the whole set. */
    boolean known() {
        return known;
    }

    /** How many files are acknowledged; read from any thread. */
    long files() {
        return ackedFiles;
    }

    /** The part as a gzipped report: every container with its counters, only the part's files. */
    static byte[] gzipBody(Part part) throws IOException {
        List<ContainerReport> containers = part.report().containers();
        List<ContainerReport> subset = new ArrayList<>(containers.size());
        for (int c = 0; c < containers.size(); c++) {
            subset.add(select(containers.get(c), part.selected()[c]));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            ReportJson.write(part.report().withContainers(subset), gz);
        }
        return out.toByteArray();
    }

    private static ContainerReport select(ContainerReport container, int[] indices) {
        if (indices.length == container.files().size()) {
            return container;
        }
        List<String> paths = new ArrayList<>(indices.length);
        byte[] bits = new byte[indices.length];
        int next = 0;
        int i = 0;
        for (String path : container.files()) {
            if (next < indices.length && indices[next] == i) {
                paths.add(path);
                bits[next++] = (byte) (container.access() == null ? 0 : container.access().bitsAt(i));
            }
            i++;
        }
        ContainerReport files = container.withFiles(SortedPaths.of(paths));
        return container.access() == null ? files : files.withAccess(FileAccess.of(bits, bits.length));
    }

    /** Each file's hash (path and access) mixed with its container entry's, so that two containers' files differ. */
    private static long[] keyedHashes(ContainerReport container) {
        long key = SetChecksum.fileHash(container.name() + '\0' + container.imageKey() + '\0' + container.containerId()
                + '\0' + container.startedAt(), 0) * 0x9E3779B97F4A7C15L;
        long[] hashes = new long[container.files().size()];
        int i = 0;
        for (String path : container.files()) {
            hashes[i] = SetChecksum.fileHash(path, container.access() == null ? 0 : container.access().bitsAt(i)) ^ key;
            i++;
        }
        return hashes;
    }
}
