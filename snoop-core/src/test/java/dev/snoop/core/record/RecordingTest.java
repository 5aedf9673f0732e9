package dev.snoop.core.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.PathFilter;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.record.Recording.Identity;
import dev.snoop.core.record.Recording.Outcome;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T10:00:00Z"), ZoneOffset.UTC);
    private static final Identity APP = new Identity("app", "c1", 7, "/pod/app", "shop:1", "sha256:aa");

    @Test
    void accessKindsAccumulateAndPathsAreNormalizedFilteredAndCounted() {
        Recording r = new Recording(CLOCK, PathFilter.defaults());
        assertEquals(Outcome.NEW, r.record(APP, "/etc/./hosts", null, AccessKind.METADATA.bit()));
        assertEquals(Outcome.KNOWN, r.record(APP, "/etc/hosts", null, AccessKind.OPEN.bit()));
        assertEquals(Outcome.NEW, r.record(APP, "x.conf", "/app", AccessKind.OPEN.bit()));
        assertEquals(Outcome.EXCLUDED, r.record(APP, "/proc/1/maps", null, AccessKind.OPEN.bit()));
        assertEquals(Outcome.UNRESOLVED, r.record(APP, "relative", null, AccessKind.OPEN.bit()));
        assertEquals(Outcome.INVALID, r.record(APP, "", "/", AccessKind.OPEN.bit()));
        r.countEvents(APP, 10, 1);
        ContainerReport app = r.snapshot().containers().get(0);
        assertEquals(List.of("/app/x.conf", "/etc/hosts"), list(app));
        assertEquals("r", AccessKind.letters(app.access().bitsAt(0)));
        assertEquals("rm", AccessKind.letters(app.access().bitsAt(1)));
        assertEquals(1, app.completeness().unresolvedPaths());
        assertEquals(false, app.completeness().complete(app.droppedEvents()));
        assertEquals(10, app.totalEvents());
    }

    /** The kernel's bytes give the same recording as the decoded String, whatever the name. */
    @Test
    void namesAsBytesRecordExactlyAsStrings() {
        byte[][] names = {
            "/etc/hosts".getBytes(StandardCharsets.UTF_8),
            "/etc/hosts".getBytes(StandardCharsets.UTF_8), // again: KNOWN
            "/usr//lib/./x/../libc.so.6".getBytes(StandardCharsets.UTF_8), // not normalized
            "/srv/caf\u00e9/men\u00fc".getBytes(StandardCharsets.UTF_8), // not ASCII
            {'/', 't', 'm', 'p', '/', (byte) 0xff, 'x'}, // not UTF-8: decoded with U+FFFD, as the String path does
            "/proc/1/maps".getBytes(StandardCharsets.UTF_8), // excluded
            "/dev".getBytes(StandardCharsets.UTF_8),
            "/".getBytes(StandardCharsets.UTF_8),
            {'/', 'a', 0, 'b'}, // NUL: invalid
        };
        Recording bytes = new Recording(CLOCK, PathFilter.defaults());
        Recording strings = new Recording(CLOCK, PathFilter.defaults());
        for (byte[] name : names) {
            String decoded = new String(name, StandardCharsets.UTF_8);
            assertEquals(strings.record(APP, decoded, null, AccessKind.OPEN.bit()),
                    bytes.record(APP, name, AccessKind.OPEN.bit()), decoded);
        }
        ContainerReport fromBytes = bytes.snapshot().containers().get(0);
        ContainerReport fromStrings = strings.snapshot().containers().get(0);
        assertEquals(list(fromStrings), list(fromBytes));
        assertEquals(List.of("/", "/etc/hosts", "/srv/caf\u00e9/men\u00fc", "/tmp/\ufffdx", "/usr/lib/libc.so.6"), list(fromBytes));
    }

    @Test
    void aRestartedContainerContinuesItsEntry() {
        Recording r = new Recording(CLOCK, PathFilter.none());
        r.record(APP, "/a", null, AccessKind.OPEN.bit());
        Identity restarted = new Identity("app", "c2", 8, "/pod/app2", "shop:1", "sha256:aa");
        r.record(restarted, "/b", null, AccessKind.OPEN.bit());
        Report report = r.snapshot();
        assertEquals(1, report.containers().size());
        assertEquals(List.of("/a", "/b"), list(report.containers().get(0)));
        assertEquals("c2", report.containers().get(0).containerId());
    }

    @Test
    void resumingFromAWrittenReportLosesNothing() throws Exception {
        Recording before = new Recording(CLOCK, PathFilter.none());
        before.record(APP, "/usr/bin/app", null, AccessKind.EXEC.bit());
        before.record(APP, "/etc/app.conf", null, AccessKind.OPEN.bit() | AccessKind.METADATA.bit());
        before.countEvents(APP, 5, 0);
        before.countFailedPathRead(APP);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        ReportJson.write(before.snapshot(), written);
        Report read = ReportJson.read(new ByteArrayInputStream(written.toByteArray()), "r.json", w -> { });

        Recording after = new Recording(Clock.offset(CLOCK, java.time.Duration.ofMinutes(5)), PathFilter.none());
        after.resume(read);
        after.record(APP, "/etc/other.conf", null, AccessKind.OPEN.bit());
        after.countEvents(APP, 2, 0);
        ContainerReport app = after.snapshot().containers().get(0);
        assertEquals(List.of("/etc/app.conf", "/etc/other.conf", "/usr/bin/app"), list(app));
        assertEquals("rm", AccessKind.letters(app.access().bitsAt(0)));
        assertEquals("x", AccessKind.letters(app.access().bitsAt(2)));
        assertEquals(7, app.totalEvents());
        assertEquals(1, app.completeness().failedPathReads());
        assertEquals(CLOCK.instant(), after.snapshot().startedAt(), "the recording's start is the first run's");
        assertTrue(app.startedAt().equals(CLOCK.instant()));
    }

    @Test
    void testRename_provisionalEntryTakesTheResolvedNameAndLateEventsFollow() {
        Recording r = new Recording(CLOCK, PathFilter.none());
        Identity byCgroup = new Identity("cri-containerd-abc.scope", "abc", 9, "/pod/cri-containerd-abc.scope", null, null);
        r.record(APP, "/first", null, AccessKind.OPEN.bit());
        r.record(byCgroup, "/a", null, AccessKind.OPEN.bit());
        r.countEvents(byCgroup, 3, 1);
        Identity resolved = new Identity("web", "abc", 9, "/pod/cri-containerd-abc.scope", "nginx:1", "sha256:bb");
        r.rename(byCgroup, resolved);
        r.record(byCgroup, "/late", null, AccessKind.EXEC.bit()); // an event read before the switch
        r.record(resolved, "/b", null, AccessKind.OPEN.bit());
        Report report = r.snapshot();
        assertEquals(List.of("app", "web"), report.containers().stream().map(ContainerReport::name).toList());
        ContainerReport web = report.containers().get(1);
        assertEquals(List.of("/a", "/b", "/late"), list(web));
        assertEquals("nginx:1", web.imageRef());
        assertEquals(3, web.totalEvents());
        assertEquals(1, web.droppedEvents());
    }

    @Test
    void testRename_toTheNameOfAnEarlierEntry_mergesIntoIt() {
        Recording r = new Recording(CLOCK, PathFilter.none());
        r.record(APP, "/a", null, AccessKind.OPEN.bit());
        r.record(APP, "/shared", null, AccessKind.OPEN.bit());
        r.countEvents(APP, 2, 0);
        Identity byCgroup = new Identity("cgroup-8", null, 8, null, null, null);
        r.record(byCgroup, "/shared", null, AccessKind.EXEC.bit());
        r.record(byCgroup, "/b", null, AccessKind.OPEN.bit());
        r.countEvents(byCgroup, 5, 0);
        Identity restarted = new Identity("app", "c2", 8, "/pod/app2", "shop:1", "sha256:aa");
        r.rename(byCgroup, restarted);
        Report report = r.snapshot();
        assertEquals(1, report.containers().size());
        ContainerReport app = report.containers().get(0);
        assertEquals(List.of("/a", "/b", "/shared"), list(app));
        assertEquals(AccessKind.letters(AccessKind.OPEN.bit() | AccessKind.EXEC.bit()), AccessKind.letters(app.access().bitsAt(2)));
        assertEquals(7, app.totalEvents());
        assertEquals("c2", app.containerId());
    }

    @Test
    void testDiscard_aSandboxRecordedProvisionallyLeavesNothing() {
        Recording r = new Recording(CLOCK, PathFilter.none());
        Identity sandbox = new Identity("pause-cgroup", "p", 5, "/pod/p", null, null);
        r.record(sandbox, "/pause", null, AccessKind.EXEC.bit());
        r.discard(sandbox);
        assertEquals(Outcome.DISCARDED, r.record(sandbox, "/late", null, AccessKind.OPEN.bit()));
        r.countEvents(sandbox, 1, 0);
        assertEquals(List.of(), r.snapshot().containers());
    }

    @Test
    void testSnapshot_whileAnotherThreadRecords_isAConsistentPrefix() throws Exception {
        Recording r = new Recording(CLOCK, PathFilter.none());
        for (int i = 0; i < 100_000; i++) {
            r.record(APP, "/srv/" + (i % 50) + "/f" + i, null, AccessKind.OPEN.bit());
        }
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 100_000; i++) {
                r.record(APP, "/srv/" + (i % 50) + "/f" + i, null, AccessKind.METADATA.bit()); // old chunks change
                r.record(APP, "/new/" + (i % 50) + "/g" + i, null, AccessKind.OPEN.bit());
            }
        });
        writer.start();
        int last = 0;
        while (writer.isAlive()) {
            ContainerReport app = r.snapshot().containers().get(0);
            assertTrue(app.files().size() >= last && app.files().size() <= 200_000, "size " + app.files().size());
            assertEquals(app.files().size(), app.access().size());
            last = app.files().size();
        }
        writer.join();
        ContainerReport app = r.snapshot().containers().get(0);
        assertEquals(200_000, app.files().size());
        for (int i = 0; i < app.access().size(); i++) {
            assertTrue(app.access().bitsAt(i) != 0);
        }
    }

    private static List<String> list(ContainerReport c) {
        List<String> paths = new ArrayList<>();
        c.files().forEach(paths::add);
        return paths;
    }
}
