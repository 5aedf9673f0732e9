package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.PathFilter;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import dev.snoop.core.report.ContainerReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new container is named at once, provisionally, while a metadata source that does not answer
 * holds only the resolver thread; its answer renames (or, for a sandbox, drops) the entry. Real
 * cgroups (root); the source is held on a latch, so nothing here depends on timing.
 */
class ContainerDirectoryTest {
    private static final String ID = "ab12".repeat(16);

    private final StringWriter logged = new StringWriter();
    private final Log log = new Log(new PrintWriter(logged, true), Log.Level.INFO);
    private final Recording recording = new Recording(Clock.systemUTC(), PathFilter.none());
    private final Resolver resolver = new Resolver(log);
    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private TestCgroup pod;
    private Path container;
    private long cgroupId;
    private CgroupFs fs;

    @BeforeEach
    void cgroups() throws Exception {
        BpfTests.require(); // root, for real cgroups
        fs = CgroupFs.current();
        pod = TestCgroup.create("snoop-directory");
        pod.child("snoop");
        container = pod.child("cri-containerd-" + ID + ".scope");
        cgroupId = CgroupFs.idOf(container);
        resolver.start();
    }

    @AfterEach
    void cleanUp() throws Exception {
        release.countDown();
        resolver.close();
        if (pod != null) {
            pod.close();
        }
    }

    private ContainerDirectory directory(ContainerInfo answer) {
        MetadataSource held = (containerId, cgroupPath) -> {
            asked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.ofNullable(answer).filter(a -> ID.equals(containerId));
        };
        Targets targets = new Targets(fs, TargetSpec.siblingsOfSelf(), pod.dir().resolve("snoop"));
        return new ContainerDirectory(targets, fs, null, null, List.of(held), recording, resolver, log);
    }

    @Test
    void testAnnounce_sourceNotAnswering_namedByItsCgroupAtOnceThenByTheSource() throws Exception {
        ContainerDirectory directory = directory(new ContainerInfo("web", "nginx:1", "sha256:" + "c".repeat(64), "test"));
        directory.announce(cgroupId, fs.pathOf(container));
        assertTrue(asked.await(10, TimeUnit.SECONDS), "the resolver asks the source");
        Identity first = directory.identityOf(cgroupId); // while the source holds the resolver
        assertEquals("cri-containerd-" + ID + ".scope", first.name());
        assertEquals(ID, first.containerId());
        recording.record(first, "/etc/hosts", null, AccessKind.OPEN.bit());

        release.countDown();
        assertTrue(resolver.awaitIdle(10_000));
        Identity resolved = directory.identityOf(cgroupId);
        assertEquals("web", resolved.name());
        recording.record(first, "/late", null, AccessKind.OPEN.bit()); // read before the switch
        recording.record(resolved, "/usr/sbin/nginx", null, AccessKind.EXEC.bit());
        ContainerReport entry = onlyEntry();
        assertEquals("web", entry.name());
        assertEquals("nginx:1", entry.imageRef());
        assertEquals(List.of("/etc/hosts", "/late", "/usr/sbin/nginx"), files(entry));
    }

    @Test
    void testAnnounce_sandbox_dropsWhatWasRecorded() throws Exception {
        ContainerDirectory directory = directory(new ContainerInfo("", null, null, "test", true));
        directory.announce(cgroupId, fs.pathOf(container));
        Identity first = directory.identityOf(cgroupId);
        recording.record(first, "/pause", null, AccessKind.EXEC.bit());
        release.countDown();
        assertTrue(resolver.awaitIdle(10_000));
        assertNull(directory.identityOf(cgroupId));
        recording.record(first, "/late", null, AccessKind.OPEN.bit());
        assertEquals(List.of(), recording.snapshot().containers());
    }

    @Test
    void testIdentityOf_notAnnounced_provisionalUntilTheTreeIsWalked() throws Exception {
        ContainerDirectory directory = directory(null);
        Identity first = directory.identityOf(cgroupId);
        assertEquals("cgroup-" + cgroupId, first.name());
        recording.record(first, "/bin/sh", null, AccessKind.EXEC.bit());
        release.countDown();
        assertTrue(resolver.awaitIdle(10_000));
        ContainerReport entry = onlyEntry();
        assertEquals("cri-containerd-" + ID + ".scope", entry.name(), "named by its cgroup: the source knows nothing");
        assertEquals(fs.pathOf(container), entry.cgroupPath());
        assertEquals(List.of("/bin/sh"), files(entry));
    }

    private ContainerReport onlyEntry() {
        List<ContainerReport> containers = recording.snapshot().containers();
        assertEquals(1, containers.size(), containers.toString());
        return containers.get(0);
    }

    private static List<String> files(ContainerReport entry) {
        List<String> files = new ArrayList<>();
        entry.files().forEach(files::add);
        return files;
    }
}
