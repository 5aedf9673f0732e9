package dev.snoop.server;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.Completeness;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.merge.ReportMerger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small fleet of recorded pods for the fleet API's tests: two versions of shop, a sidecar, another namespace. */
final class FleetReports {
    static final Instant START = Instant.parse("2026-11-01T09:00:00Z");
    static final String V1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    static final String V2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    static final String PROXY = "sha256:9999999999999999999999999999999999999999999999999999999999999999";

    private FleetReports() {}

    /** A Deployment's pod {@code workload-5b8d-suffix}; its recording began at {@link #START}. */
    static Report pod(String namespace, String workload, String suffix, ContainerReport... containers) {
        Instant updated = START.plusSeconds(600);
        long total = 0;
        long dropped = 0;
        for (ContainerReport c : containers) {
            total += c.totalEvents();
            dropped += c.droppedEvents();
        }
        return new Report(Report.SCHEMA_VERSION, workload + "-5b8d-" + suffix, namespace,
                Map.of("pod-template-hash", "5b8d"), START, updated, total, dropped, 0, List.of(containers));
    }

    /**
     * A container first seen {@code startedAfterSeconds} after its recording began (0: found
     * running at the start), with {@code dropped} lost events and these files.
     */
    static ContainerReport container(String name, String digest, long startedAfterSeconds, long dropped, List<String> files) {
        Instant started = START.plusSeconds(startedAfterSeconds);
        Instant updated = START.plusSeconds(600);
        return new ContainerReport(name, "containerd://" + name + "-" + files.size() + "-" + startedAfterSeconds, 0, null,
                V2.equals(digest) ? "shop:1.4" : V1.equals(digest) ? "shop:1.3" : "envoy:1.30", digest, started, updated,
                files.size() * 10L, dropped, SortedPaths.of(files), null, new Completeness(0, 0, updated.minusSeconds(60)));
    }

    /** The files of shop v1's replica {@code i}: common ones, /usr/share/zoneinfo/UTC in replicas 0 and 1, a cache file of its own. */
    static List<String> v1Files(int i) {
        List<String> files = new ArrayList<>(List.of("/usr/bin/shop", "/etc/shop.conf", "/lib/x86_64-linux-gnu/libc.so.6",
                "/tmp/cache/" + i));
        if (i < 2) {
            files.add("/usr/share/zoneinfo/UTC");
        }
        return files;
    }

    /** v2 reads /etc/shop.yaml instead of /etc/shop.conf and loads libssl. */
    static List<String> v2Files(int i) {
        List<String> files = new ArrayList<>(List.of("/usr/bin/shop", "/etc/shop.yaml", "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib/x86_64-linux-gnu/libssl.so.3", "/tmp/cache/" + i));
        return files;
    }

    static ContainerReport proxy() {
        return container("proxy", PROXY, 0, 0, List.of("/usr/bin/envoy", "/etc/envoy/envoy.yaml"));
    }

    /** The newest report of each pod of the fleet, as the recorders last wrote them. */
    static List<Report> fleet() {
        List<Report> reports = new ArrayList<>();
        String[] suffixes = {"aaaaa", "bbbbb", "ccccc"};
        for (int i = 0; i < 3; i++) {
            // replica 2 was found running (recorded late) and lost events; 0 and 1 were recorded from their start
            reports.add(pod("shop", "shop", suffixes[i],
                    container("app", V1, i == 2 ? 0 : 5, i == 2 ? 3 : 0, v1Files(i)), proxy()));
        }
        reports.add(pod("shop", "shop", "ddddd", container("app", V2, 5, 0, v2Files(0))));
        reports.add(pod("shop", "shop", "eeeee", container("app", V2, 5, 0, v2Files(1))));
        reports.add(pod("other", "thing", "zzzzz", container("app", V1, 5, 0, List.of("/usr/bin/shop", "/other/only"))));
        return reports;
    }

    /** What snoop merge --with-counts makes of {@code reports}. */
    static Report merge(List<Report> reports) {
        ReportMerger merger = new ReportMerger(true);
        reports.forEach(merger::add);
        return merger.result();
    }

    /** The entry of container {@code name} on image {@code digest}. */
    static ContainerReport entry(Report report, String name, String digest) {
        return report.containers().stream().filter(c -> c.name().equals(name) && digest.equals(c.imageDigest()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + "@" + digest + " in " + report.containers()));
    }

    /** Each file of an entry with its seen_in, "path=count", in order. */
    static List<String> counted(ContainerReport c) {
        List<String> out = new ArrayList<>();
        SortedPaths.Cursor cursor = c.files().cursor();
        while (cursor.next()) {
            out.add(cursor.path() + "=" + cursor.count());
        }
        return out;
    }

    static byte[] json(Report report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ReportJson.write(report, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
