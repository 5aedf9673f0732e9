package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.bpf.KernelFeatures;
import dev.snoop.bpf.ProgramSet;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snoop record} for real: real BPF, real cgroups, real processes, real reports. */
@Tag("bpf")
class RecordEndToEndTest {
    private static final Duration START = Duration.ofSeconds(30);
    /** Targets are rescanned every second; the rest is room for a loaded machine. */
    private static final Duration RESCAN_DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
    }

    @Test
    void recordsEveryTracedSyscallOfAWorkloadAndNothingFromAnotherCgroup() throws Exception {
        Report written = recordWorkload(Map.of());
        assertEquals(KernelFeatures.chooseSet(ProgramSet.AUTO).set().label(), written.recording().programSet());
    }

    /**
     * The same workload and assertions on the legacy program set (the one 5.10 and 5.15 get),
     * forced here: the coverage must be the same. Only the ELF interpreter's mapping needs the VMA
     * list the legacy set walks before 6.1; where the kernel lacks it the report says so.
     */
    @Test
    void theLegacyProgramSetRecordsTheSameWorkloadCompletely() throws Exception {
        Report written = recordWorkload(Map.of("SNOOP_PROGRAMS", "legacy"));
        assertEquals("legacy", written.recording().programSet());
        assertEquals(KernelFeatures.chooseSet(ProgramSet.LEGACY).notSeen(), written.recording().notSeen());
    }

    /** Records {@link Workload} in one cgroup and another cgroup's cat; checks the report; returns it. */
    private Report recordWorkload(Map<String, String> env) throws Exception {
        Workload workload = Workload.create(Files.createDirectories(tmp.resolve("work")));
        Path other = Files.writeString(tmp.resolve("work/other-cgroup.txt"), "not traced\n");
        Path report = tmp.resolve("report.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-e2e")) {
            Path app = cgroup.child("app");
            Path elsewhere = cgroup.child("elsewhere");
            try (SnoopProcess snoop = SnoopProcess.start(env, null, List.of(), List.of(), "--cgroup", app.toString(),
                    "--report-path", report.toString(), "--report-interval", "1s", "--metrics-addr", "127.0.0.1:0",
                    "--log-level", "debug")) {
                snoop.awaitRecording(START);
                run(workload.in(app));
                run(TestCgroup.in(elsewhere, List.of("cat", other.toString())));
                assertEquals(0, snoop.terminate(), snoop.log());

                Report written = ReportJson.read(report, w -> {});
                ContainerReport entry = onlyContainer(report);
                List<String> files = list(entry.files());
                Set<String> expected = workload.expected();
                List<String> missing = new ArrayList<>(expected);
                missing.removeAll(files);
                assertEquals(List.of(), missing, "missing from the report; log:\n" + snoop.log());
                assertEquals(List.of(), Workload.unexpected(files, expected), "not touched by the workload; log:\n" + snoop.log());
                assertFalse(files.contains(other.toString()), "a file of another cgroup");
                assertFalse(files.contains(workload.dir.resolve("missing.txt").toString()), "a failed open");
                // the dynamic binary brought its ELF interpreter, found in the binary, not by a syscall
                boolean interpreter = files.stream().anyMatch(f -> f.matches(".*/ld-linux[^/]*\\.so\\.2"));
                if (written.recording().notSeen().contains(KernelFeatures.ELF_INTERPRETER_MAPPING)) {
                    assertFalse(interpreter, "not seen, yet reported: " + files); // never guessed
                } else {
                    assertTrue(interpreter, files.toString());
                }
                assertTrue(files.stream().anyMatch(f -> f.endsWith("/libc.so.6")), files.toString());

                assertEquals("r", access(entry, workload.dir.resolve("open.txt")));
                assertEquals("m", access(entry, workload.dir.resolve("stat.txt")));
                assertEquals("d", access(entry, workload.dir.resolve("sub")));
                assertEquals("x", access(entry, workload.binary));
                assertTrue(access(entry, workload.script).contains("x"));
                assertTrue(access(entry, workload.dir.resolve("link-to-target")).contains("m"));
                assertTrue(entry.completeness().complete(entry.droppedEvents()), "complete: " + entry.completeness());
                assertTrue(entry.totalEvents() >= expected.size(), "total_events " + entry.totalEvents());
                assertEquals(app.getFileName().toString(), entry.name());
                return written;
            }
        }
    }

    @Test
    void excludeSelfTracesContainersThatStartLaterButNotItself() throws Exception {
        Path report = tmp.resolve("report.json");
        Path shared = Files.writeString(tmp.resolve("shared.txt"), "both\n");
        try (TestCgroup pod = TestCgroup.create("snoop-pod")) {
            Path self = pod.child("snoop");
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), "--report-path", report.toString(),
                    "--report-interval", "1s", "--metrics-addr", "off")) {
                snoop.awaitRecording(START);
                // both containers' cgroups are created after snoop started
                Path web = pod.child("web");
                Path worker = pod.child("worker");
                run(TestCgroup.in(web, List.of("cat", shared.toString(), "/etc/hostname")));
                run(TestCgroup.in(worker, List.of("cat", shared.toString(), "/etc/os-release")));
                // a restart: the cgroup goes away and comes back under the same name
                Files.delete(worker);
                Files.createDirectory(worker);
                run(TestCgroup.in(worker, List.of("cat", "/etc/issue")));
                assertEquals(0, snoop.terminate(), snoop.log());
            }
            Report written = ReportJson.read(report, w -> {});
            assertEquals(List.of("web", "worker"), written.containers().stream().map(ContainerReport::name).toList());
            List<String> webFiles = list(written.containers().get(0).files());
            List<String> workerFiles = list(written.containers().get(1).files());
            assertTrue(webFiles.contains(shared.toString()), "web: " + webFiles);
            assertTrue(workerFiles.contains(shared.toString()), "worker: " + workerFiles);
            assertTrue(webFiles.contains("/etc/hostname") && !workerFiles.contains("/etc/hostname"));
            assertTrue(workerFiles.contains("/etc/os-release") && workerFiles.contains("/etc/issue"), workerFiles.toString());
            // snoop's own JVM opened hundreds of jars and libraries: none may show up
            assertTrue(written.containers().stream().flatMap(c -> list(c.files()).stream())
                    .noneMatch(f -> f.contains("/jvm/") || f.endsWith(".jar")), "snoop's own files");
        }
    }

    @Test
    void aContainerIdNamedBeforeItsCgroupExistsIsTracedWithinTwoSeconds() throws Exception {
        Path report = tmp.resolve("report.json");
        String id = "3f2a9c" + "0123456789abcdef".repeat(4).substring(6);
        try (TestCgroup pod = TestCgroup.create("snoop-id")) {
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--container-id", id.substring(0, 12),
                    "--report-path", report.toString(), "--report-interval", "1s", "--metrics-addr", "off",
                    "--log-level", "debug")) {
                snoop.awaitRecording(START);
                // as containerd names it, created after snoop started
                Path container = pod.child("cri-containerd-" + id + ".scope");
                awaitTraced(snoop, container, RESCAN_DEADLINE);
                run(TestCgroup.in(container, List.of("cat", "/etc/hostname")));
                assertEquals(0, snoop.terminate(), snoop.log());
            }
            ContainerReport entry = onlyContainer(report);
            assertEquals(id, entry.containerId());
            assertTrue(list(entry.files()).contains("/etc/hostname"), entry.toString());
        }
    }

    /**
     * A --cgroup must exist at start (issue 9: one that did not, or was not cgroup v2, was accepted
     * and traced nothing; now exit 2, see RecordStartTest): a container that starts later is named
     * by --container-id, awaited (snoop_targets_waiting) and traced once its cgroup appears.
     */
    @Test
    void aContainerIdThatAppearsLaterIsAwaitedAndTraced() throws Exception {
        Path report = tmp.resolve("report.json");
        String id = "1a7e" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (TestCgroup pod = TestCgroup.create("snoop-later")) {
            Path later = pod.dir().resolve("cri-containerd-" + id + ".scope");
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--container-id", id,
                    "--report-path", report.toString(), "--report-interval", "1s", "--metrics-addr", "127.0.0.1:0",
                    "--log-level", "debug")) {
                snoop.awaitRecording(START);
                String metrics = get("http://127.0.0.1:" + snoop.metricsPort() + "/metrics");
                assertEquals(0.0, metric(metrics, "snoop_target_errors_total"));
                assertEquals(1.0, metric(metrics, "snoop_targets_waiting"), "the later cgroup is awaited");
                Files.createDirectory(later);
                awaitTraced(snoop, later, RESCAN_DEADLINE);
                run(TestCgroup.in(later, List.of("cat", "/etc/hostname")));
                assertEquals(0, snoop.terminate(), snoop.log());
            }
            assertTrue(list(onlyContainer(report).files()).contains("/etc/hostname"));
        }
    }

    @Test
    void inAPrivateCgroupNamespaceTheHostTreeIsNamedWithCgroupRoot() throws Exception {
        Path report = tmp.resolve("report.json");
        Path mount = CgroupFs.current().mount();
        try (TestCgroup pod = TestCgroup.create("snoop-cgns")) {
            Path self = pod.child("snoop");
            // as in a container: /proc/self/cgroup says "0::/", the pod's siblings are only in the host tree
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), List.of("unshare", "--cgroup", "--"),
                    "--cgroup-root", mount.toString(), "--report-path", report.toString(), "--metrics-addr", "off")) {
                snoop.awaitRecording(START);
                Path app = pod.child("app");
                run(TestCgroup.in(app, List.of("cat", "/etc/hostname")));
                assertEquals(0, snoop.terminate(), snoop.log());
            }
            ContainerReport entry = onlyContainer(report);
            assertEquals("app", entry.name());
            assertEquals(pod.pathInHierarchy() + "/app", entry.cgroupPath());
            assertTrue(list(entry.files()).contains("/etc/hostname"));
        }
    }

    @Test
    void aRestartedSnoopContinuesTheReportOfItsPod() throws Exception {
        Path report = tmp.resolve("report.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-resume")) {
            Path app = cgroup.child("app");
            long firstEvents;
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(), "--pod-name", "p",
                    "--report-path", report.toString(), "--metrics-addr", "off")) {
                snoop.awaitRecording(START);
                run(TestCgroup.in(app, List.of("cat", "/etc/hostname")));
                assertEquals(0, snoop.terminate(), snoop.log());
                firstEvents = onlyContainer(report).totalEvents();
            }
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(), "--pod-name", "p",
                    "--report-path", report.toString(), "--metrics-addr", "off")) {
                snoop.awaitRecording(START);
                assertTrue(snoop.log().contains("continuing the existing report"), snoop.log());
                run(TestCgroup.in(app, List.of("cat", "/etc/os-release")));
                assertEquals(0, snoop.terminate(), snoop.log());
            }
            ContainerReport entry = onlyContainer(report);
            assertTrue(list(entry.files()).containsAll(List.of("/etc/hostname", "/etc/os-release")), entry.toString());
            assertTrue(entry.totalEvents() > firstEvents, entry.totalEvents() + " after " + firstEvents);
            assertTrue(access(entry, Path.of("/etc/hostname")).contains("r"), "access kinds survive the restart");
        }
    }

    @Test
    void sigkillLeavesTheLastCompleteReportAndNoBpfProgramBehind() throws Exception {
        Path report = tmp.resolve("report.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-kill")) {
            Path app = cgroup.child("app");
            SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(),
                    "--report-path", report.toString(), "--report-interval", "1s", "--metrics-addr", "off");
            Set<String> ours;
            Set<String> ourLinks;
            try (snoop) {
                snoop.awaitRecording(START);
                // its own programs and links, by the file descriptors it holds: other recorders may
                // load and unload programs on this kernel at the same time
                ours = heldBpfIds(snoop.pid(), "prog_id");
                ourLinks = heldBpfIds(snoop.pid(), "link_id");
                assertTrue(bpfIds("prog").containsAll(ours), "bpftool lists the programs the fds hold");
                assertFalse(ours.isEmpty(), "snoop's programs are loaded");
                assertFalse(ourLinks.isEmpty(), "snoop's links are attached");
                run(TestCgroup.in(app, List.of("cat", "/etc/hostname")));
                waitFor(() -> Files.exists(report) && readable(report).contains("/etc/hostname"), Duration.ofSeconds(10));
                snoop.process().destroyForcibly(); // SIGKILL
                snoop.process().waitFor(10, TimeUnit.SECONDS);
            }
            assertTrue(list(onlyContainer(report).files()).contains("/etc/hostname"));
            try (var files = Files.list(tmp)) {
                assertEquals(List.of(report), files.toList(), "no temporary file is left");
            }
            // programs and links are held by file descriptors only (nothing pinned): the kernel
            // releases them with the process, asynchronously
            waitFor(() -> java.util.Collections.disjoint(bpfIds("prog"), ours)
                    && java.util.Collections.disjoint(bpfIds("link"), ourLinks), Duration.ofSeconds(10));
        }
    }

    /**
     * The ids of the BPF programs ({@code prog_id}) or links ({@code link_id}) process {@code pid}
     * holds file descriptors of, from {@code /proc/PID/fdinfo}: a program's fd and a link's fd
     * name their program, a link's fd its link.
     */
    static Set<String> heldBpfIds(long pid, String key) throws java.io.IOException {
        Set<String> ids = new java.util.TreeSet<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fdinfo"))) {
            for (Path fd : fds.toList()) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(fd);
                } catch (java.io.IOException e) {
                    continue; // closed since the listing
                }
                for (String line : lines) {
                    if (line.startsWith(key + ":")) {
                        ids.add(line.substring(key.length() + 1).trim());
                    }
                }
            }
        }
        return ids;
    }

    /** Waits for snoop's debug line saying it now traces {@code cgroup} (a target found by a rescan). */
    private static void awaitTraced(SnoopProcess snoop, Path cgroup, Duration timeout) throws Exception {
        String line = "msg=\"tracing cgroup\" cgroup_id=" + CgroupFs.idOf(cgroup) + " ";
        try {
            waitFor(() -> snoop.lines().stream().anyMatch(l -> l.contains(line)), timeout);
        } catch (AssertionError e) {
            throw new AssertionError("snoop did not trace " + cgroup + " within " + timeout + ":\n" + snoop.log(), e);
        }
    }

    /** The ids of BPF programs or links loaded now, from bpftool's JSON. */
    static Set<String> bpfIds(String what) {
        String json = bpftool("-j", what, "show");
        Set<String> ids = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(json);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void withoutBpfPrivilegesExitsOneWithAClearMessage() throws Exception {
        Path report = tmp.resolve("report.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-nocap")) {
            Path app = cgroup.child("app");
            // still uid 0, but with every capability dropped, as in a container without CAP_BPF
            try (SnoopProcess snoop = SnoopProcess.start(null,
                    List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"),
                    "--cgroup", app.toString(), "--report-path", report.toString(), "--metrics-addr", "off")) {
                int code = snoop.waitFor(Duration.ofSeconds(30));
                assertEquals(1, code, snoop.log());
                String last = snoop.log().lines().filter(l -> l.startsWith("snoop:")).findFirst().orElse(snoop.log());
                assertTrue(last.contains("CAP_BPF"), last);
                assertFalse(snoop.log().contains("\tat "), "no stack trace:\n" + snoop.log());
            }
        }
    }

    @Test
    void aFullDiskKeepsRecordingCountsFailedWritesAndWritesAgainWhenSpaceReturns() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        run(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString()));
        try (TestCgroup cgroup = TestCgroup.create("snoop-full")) {
            Path app = cgroup.child("app");
            Path filler = disk.resolve("filler");
            fill(filler);
            Path report = disk.resolve("report.json");
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(),
                    "--report-path", report.toString(), "--report-interval", "1s", "--metrics-addr", "127.0.0.1:0")) {
                snoop.awaitRecording(START);
                String metrics = "http://127.0.0.1:" + snoop.metricsPort();
                run(TestCgroup.in(app, List.of("cat", "/etc/hostname")));
                waitFor(() -> metric(get(metrics + "/metrics"), "snoop_report_write_errors_total") >= 2, Duration.ofSeconds(15));
                assertEquals(503, status(metrics + "/healthz"));
                assertFalse(Files.exists(report));
                Files.delete(filler);
                waitFor(() -> Files.exists(report), Duration.ofSeconds(10));
                assertEquals(200, status(metrics + "/healthz"));
                assertTrue(list(onlyContainer(report).files()).contains("/etc/hostname"));
                assertEquals(0, snoop.terminate(), snoop.log());
            }
        } finally {
            run(new ProcessBuilder("umount", disk.toString()));
        }
    }

    // --- helpers

    /** Writes zeros into {@code file} until the filesystem is full. */
    private static void fill(Path file) throws Exception {
        try (var out = Files.newOutputStream(file)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (java.io.IOException e) {
            // "No space left on device": what the test wants
        }
    }

    private static void run(ProcessBuilder pb) throws Exception {
        Commands.run(Duration.ofSeconds(60), pb);
    }

    static ContainerReport onlyContainer(Path report) {
        Report written = ReportJson.read(report, w -> {});
        assertEquals(1, written.containers().size(), written.containers().toString());
        return written.containers().get(0);
    }

    static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }

    private static String access(ContainerReport entry, Path file) {
        SortedPaths.Cursor cursor = entry.files().cursor();
        for (int i = 0; cursor.next(); i++) {
            if (cursor.path().equals(file.toString())) {
                return AccessKind.letters(entry.access().bitsAt(i));
            }
        }
        throw new AssertionError(file + " not in the report");
    }

    private static String readable(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "";
        }
    }

    static String bpftool(String... args) {
        try {
            List<String> command = new ArrayList<>(List.of("bpftool"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitFor(Condition condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The value of an unlabelled sample in Prometheus text, or -1. */
    static double metric(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
