package dev.snoop.bpf;

import static dev.snoop.bpf.BpfTestSupport.require;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.bpf.BpfTestSupport.Cgroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Loads the real object, attaches it and runs real processes in real cgroups. Needs root; skips
 * without it, fails under CI=true. {@link BpfRecorderLegacyTest} runs the same tests on the legacy
 * program set.
 */
@Tag("bpf")
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BpfRecorderTest {

    private BpfRecorder recorder;
    private Cgroup testRoot;
    private Path work;
    private Path fileops;
    private Set<Integer> ourPrograms = Set.of();
    private int attachedCount;
    private final List<FileEvent> seen = new ArrayList<>();

    /** The options every recorder of this class opens with. */
    RecorderOptions options() {
        return RecorderOptions.defaults();
    }

    /** The program set {@link #options()} should load on this machine. */
    ProgramSet expectedSet() {
        return KernelFeatures.chooseSet(ProgramSet.AUTO).set();
    }

    @BeforeAll
    void open() throws IOException {
        require(BpfTestSupport.isRoot(), "not root: these tests load BPF programs and create cgroups");
        require(BpfTestSupport.hasTool("bpftool"), "bpftool is not installed (./test.sh installs it)");
        // this JVM's own programs, by the fds it holds: other recorders may load theirs meanwhile
        Set<Integer> before = BpfTestSupport.heldProgramIds();
        try {
            recorder = BpfRecorder.open(options());
        } catch (BpfException e) {
            require(false, "BPF cannot be loaded here: " + e.getMessage());
        }
        ourPrograms = new HashSet<>(BpfTestSupport.heldProgramIds());
        ourPrograms.removeAll(before);
        attachedCount = recorder.attachedPrograms().size();
        work = Files.createTempDirectory("snoop-bpf-test").toRealPath();
        fileops = BpfTestSupport.compileC("fileops", work);
        testRoot = Cgroup.create(BpfTestSupport.cgroup2Mount(), "snoop-test-" + UUID.randomUUID());
        Files.writeString(work.resolve("abs.txt"), "a");
        Files.writeString(work.resolve("rel.txt"), "r");
        Files.createDirectory(work.resolve("sub"));
        Files.writeString(work.resolve("sub/at.txt"), "s");
        Files.createSymbolicLink(work.resolve("link"), work.resolve("abs.txt"));
    }

    @AfterAll
    void close() throws IOException, InterruptedException {
        try {
            if (recorder != null) {
                recorder.close();
                recorder.close();
                assertThrows(IllegalStateException.class, () -> recorder.counters());
                assertEquals(attachedCount, ourPrograms.size(), "programs seen while open: " + ourPrograms);
                /* the kernel frees a detached tracing program after an RCU grace period */
                Set<Integer> left = Set.of();
                for (int i = 0; i < 100; i++) {
                    left = new HashSet<>(BpfTestSupport.snoopProgramIds());
                    left.retainAll(ourPrograms);
                    if (left.isEmpty()) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertEquals(Set.of(), left, "programs still loaded 10 s after close");
            }
        } finally {
            if (testRoot != null) {
                testRoot.close();
            }
        }
    }

    @Test
    void testOpen_attachesAllProgramsAndSizesMaps() {
        List<String> expected = new ArrayList<>();
        if (recorder.attachment() == Attachment.RAW) {
            expected.addAll(AttachPlan.RAW_PROGRAMS);
        } else {
            for (String syscall : BpfArch.current().syscalls()) {
                expected.add(AttachPlan.program(BpfArch.current(), recorder.attachment(), syscall));
            }
        }
        expected.add("tp_btf__sched_process_exec");
        assertEquals(expected, recorder.attachedPrograms());
        /* the modes better than the one used say why they were not */
        for (Attachment better : AttachPlan.ORDER.subList(0, AttachPlan.ORDER.indexOf(recorder.attachment()))) {
            assertTrue(recorder.skippedPrograms().containsKey(better.label() + " attachment"), recorder.skippedPrograms().toString());
        }
        assertEquals(AttachPlan.ORDER.indexOf(recorder.attachment()), recorder.skippedPrograms().size(),
                recorder.skippedPrograms().toString());
        assertEquals(expectedSet(), recorder.programSet());
        assertEquals(4 << 20, recorder.mapMaxEntries().get("events"));
        assertEquals(RecorderOptions.DEFAULT_DEDUP_ENTRIES, recorder.mapMaxEntries().get("dedup"));
        assertEquals(RecorderOptions.DEFAULT_START_ENTRIES, recorder.mapMaxEntries().get("start"));
        assertEquals(RecorderOptions.DEFAULT_CGROUP_VERDICT_ENTRIES, recorder.mapMaxEntries().get("cgroup_verdicts"));
    }

    @Test
    void testOpen_mapSizesFromOptions_areTheLoadedSizes() throws IOException {
        RecorderOptions small = RecorderOptions.defaults().withRingBufferBytes(1 << 16).withDedupEntries(1000)
                .withStartEntries(300).withCgroupVerdictEntries(200);
        try (BpfRecorder sized = BpfRecorder.open(small)) {
            assertEquals(1 << 16, sized.mapMaxEntries().get("events"));
            assertEquals(1000, sized.mapMaxEntries().get("dedup"));
            assertEquals(300, sized.mapMaxEntries().get("start"));
            assertEquals(200, sized.mapMaxEntries().get("cgroup_verdicts"));
        }
    }

    @Test
    void testRecord_containerMode_fileSyscalls() throws IOException {
        try (Cgroup c = testRoot.child("container")) {
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(fileops.toString(), "open", work + "/abs.txt", "cd", work.toString(), "open", "rel.txt",
                    "dirfd", work + "/sub", "openat", "at.txt", "stat", work + "/abs.txt",
                    "access", work + "/rel.txt", "readlink", work + "/link");
            List<FileEvent> events = await(c.id(), e -> e.stream().anyMatch(x -> x.kind() == EventKind.READLINK));

            FileEvent abs = only(events, EventKind.OPEN, work + "/abs.txt");
            assertFalse(abs.failed());
            assertEquals(Files.getAttribute(work.resolve("abs.txt"), "unix:ino"), abs.ino());
            FileEvent rel = only(events, EventKind.OPEN, work + "/rel.txt");
            assertEquals("rel.txt", rel.path());
            assertEquals(-100, rel.dirfd());
            FileEvent at = only(events, EventKind.OPENAT, work + "/sub/at.txt");
            assertEquals("at.txt", at.path());
            assertTrue(at.dirfd() >= 0, "dirfd " + at.dirfd());
            only(events, EventKind.STAT, work + "/abs.txt");
            /* a second stat-class access to abs.txt would be deduped: access() goes to another file */
            only(events, EventKind.ACCESS, work + "/rel.txt");
            only(events, EventKind.READLINK, work + "/link");
            only(events, EventKind.EXEC_FILE, fileops.toString());
            only(events, EventKind.EXEC_FILENAME, fileops.toString());
            assertTrue(events.stream().allMatch(e -> e.containerCgroupId() == c.id()));
            assertEquals(0, recorder.droppedFor(c.id()));
            recorder.untraceRoot(c.id());
        }
    }

    @Test
    void testOpen_forcedRaw_recordsWithTheRawTracepoints() throws IOException {
        try (BpfRecorder raw = BpfRecorder.open(options().withAttachment(Attachment.RAW));
                Cgroup c = testRoot.child("raw")) {
            assertEquals(Attachment.RAW, raw.attachment());
            assertEquals(List.of("tp_btf__sys_enter", "tp_btf__sys_exit", "tp_btf__sched_process_exec"),
                    raw.attachedPrograms());
            assertEquals(java.util.Map.of(), raw.skippedPrograms());
            raw.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(fileops.toString(), "open", work + "/abs.txt", "stat", work + "/rel.txt");
            List<FileEvent> events = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (events.stream().noneMatch(e -> e.kind() == EventKind.STAT) && System.nanoTime() < deadline) {
                raw.poll(Duration.ofMillis(100), e -> {
                    if (e.containerCgroupId() == c.id()) {
                        events.add(e);
                    }
                });
            }
            only(events, EventKind.OPEN, work + "/abs.txt");
            only(events, EventKind.STAT, work + "/rel.txt");
        }
    }

    @Test
    void testRecord_script_reportsInterpreter() throws IOException {
        Path script = work.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\ntrue\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Cgroup c = testRoot.child("script")) {
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(script.toString());
            List<FileEvent> events = await(c.id(), e -> e.stream().anyMatch(x -> x.kind() == EventKind.EXEC_FILE));
            only(events, EventKind.EXEC_FILENAME, script.toString());
            only(events, EventKind.EXEC_INTERP, "/bin/sh");
            only(events, EventKind.EXEC_FILE, Path.of("/bin/sh").toRealPath().toString());
            recorder.untraceRoot(c.id());
        }
    }

    @Test
    void testRecord_dynamicBinary_reportsElfInterpreterOrSaysNotSeen() throws IOException {
        Path loader = Path.of("/lib64/ld-linux-x86-64.so.2").toRealPath();
        try (Cgroup c = testRoot.child("dynamic")) {
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(fileops.toString(), "open", work + "/dynamic-marker");
            List<FileEvent> events = await(c.id(), e -> e.stream().anyMatch(x -> x.path().endsWith("dynamic-marker")));
            List<FileEvent> interps = events.stream().filter(e -> e.kind() == EventKind.EXEC_ELF_INTERP).toList();
            if (recorder.notSeen().contains(KernelFeatures.ELF_INTERPRETER_MAPPING)) {
                /* the legacy set on a kernel without the VMA list: nothing sent, nothing guessed */
                assertEquals(ProgramSet.LEGACY, recorder.programSet());
                assertEquals(List.of(), interps);
            } else {
                only(events, EventKind.EXEC_ELF_INTERP, loader.toString());
            }
            recorder.untraceRoot(c.id());
        }
    }

    @Test
    void testRecord_pathOf4000Bytes_arrivesWhole() throws IOException {
        Path deep = work;
        while (deep.toString().length() < 3800) {
            deep = deep.resolve("d".repeat(200));
        }
        Files.createDirectories(deep);
        Path file = deep.resolve("f".repeat(4000 - deep.toString().length() - 1));
        Files.writeString(file, "deep");
        assertEquals(4000, file.toString().length());
        try (Cgroup c = testRoot.child("long")) {
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(fileops.toString(), "open", file.toString(), "cd", deep.toString(), "stat", file.getFileName().toString());
            List<FileEvent> events = await(c.id(), e -> e.stream().anyMatch(x -> x.kind() == EventKind.STAT));
            assertEquals(4000, only(events, EventKind.OPEN, file.toString()).pathBytes().length);
            FileEvent relative = only(events, EventKind.STAT, file.toString());
            assertFalse(relative.dirUnresolved());
            recorder.untraceRoot(c.id());
        }
    }

    @Test
    void testRecord_otherCgroup_producesNothing() throws IOException {
        try (Cgroup traced = testRoot.child("traced"); Cgroup other = testRoot.child("other")) {
            recorder.traceRoot(traced.id(), RootMode.CONTAINER);
            other.run(fileops.toString(), "open", work + "/untraced-marker");
            traced.run(fileops.toString(), "open", work + "/traced-marker");
            await(traced.id(), e -> e.stream().anyMatch(x -> x.path().endsWith("traced-marker")));
            assertTrue(seen.stream().noneMatch(e -> e.containerCgroupId() == other.id()
                    || e.path().endsWith("untraced-marker")));
            recorder.untraceRoot(traced.id());
        }
    }

    @Test
    void testRecord_rootAddedAfterFirstSyscalls_verdictRenewed() throws IOException {
        try (Cgroup c = testRoot.child("late-root")) {
            /* judged untraced first: neither the verdict LRU nor the per-CPU last verdict may outlive the change */
            c.run(fileops.toString(), "open", work + "/before-root-marker");
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(fileops.toString(), "open", work + "/after-root-marker");
            await(c.id(), e -> e.stream().anyMatch(x -> x.path().endsWith("after-root-marker")));
            assertTrue(seen.stream().noneMatch(e -> e.path().endsWith("before-root-marker")));
            recorder.untraceRoot(c.id());
        }
    }

    @Test
    void testRecord_parentMode_childrenAreContainers() throws IOException {
        try (Cgroup pod = testRoot.child("pod"); Cgroup sync = testRoot.child("sync")) {
            Cgroup excluded = pod.child("excluded");
            recorder.traceRoot(pod.id(), RootMode.PARENT);
            recorder.exclude(excluded.id());
            recorder.traceRoot(sync.id(), RootMode.CONTAINER);
            /* created after the root was traced: matched by ancestry on its first syscall */
            Cgroup late = pod.child("late");
            Cgroup inner = late.child("inner");
            late.run(fileops.toString(), "open", work + "/late-marker");
            inner.run(fileops.toString(), "open", work + "/inner-marker");
            excluded.run(fileops.toString(), "open", work + "/excluded-marker");
            pod.run(fileops.toString(), "open", work + "/pod-marker");

            List<FileEvent> lateEvents = await(late.id(), e -> e.stream().anyMatch(x -> x.path().endsWith("inner-marker")));
            only(lateEvents, EventKind.EXEC_FILE, fileops.toString());
            only(lateEvents, EventKind.OPEN, work + "/late-marker");
            only(lateEvents, EventKind.OPEN, work + "/inner-marker");
            await(pod.id(), e -> e.stream().anyMatch(x -> x.path().endsWith("pod-marker")));

            recorder.untraceRoot(pod.id());
            late.run(fileops.toString(), "open", work + "/after-untrace-marker");
            sync.run(fileops.toString(), "open", work + "/sync-marker");
            await(sync.id(), e -> e.stream().anyMatch(x -> x.path().endsWith("sync-marker")));
            assertTrue(seen.stream().noneMatch(e -> e.containerCgroupId() == excluded.id()
                    || e.path().endsWith("excluded-marker") || e.path().endsWith("after-untrace-marker")));
            recorder.untraceRoot(sync.id());
        }
    }

    @Test
    void testCounters_perKindCountsAndDedup() throws IOException {
        try (Cgroup c = testRoot.child("counted")) {
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            Counters before = recorder.counters();
            c.run(fileops.toString(), "repeat", "20", work + "/missing-dedup",
                    "stat", work + "/abs.txt", "stat", work + "/abs.txt", "stat", work + "/abs.txt");
            List<FileEvent> events = await(c.id(), e -> e.stream().anyMatch(x -> x.kind() == EventKind.STAT));
            Counters after = recorder.counters();

            assertTrue(after.count(EventKind.OPEN) - before.count(EventKind.OPEN) >= 20);
            assertTrue(after.count(EventKind.STAT) - before.count(EventKind.STAT) >= 3);
            assertTrue(after.count(EventKind.EXEC_FILE) - before.count(EventKind.EXEC_FILE) >= 1);
            assertTrue(after.deduped() - before.deduped() >= 19 + 2, "deduped " + (after.deduped() - before.deduped()));
            assertTrue(after.emitted() - before.emitted() >= events.size());
            assertEquals(1, events.stream().filter(e -> e.path().endsWith("missing-dedup")).count());
            assertTrue(only(events, EventKind.OPEN, work + "/missing-dedup").failed());
            recorder.untraceRoot(c.id());
        }
    }

    @Test
    void testPoll_sinkThrows_rethrownAfterPoll() throws IOException {
        try (Cgroup c = testRoot.child("throwing")) {
            recorder.traceRoot(c.id(), RootMode.CONTAINER);
            c.run(fileops.toString(), "open", work + "/throw-marker");
            IllegalStateException boom = new IllegalStateException("sink failed");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            RuntimeException thrown = null;
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    recorder.poll(Duration.ofMillis(50), e -> {
                        throw boom;
                    });
                } catch (RuntimeException e) {
                    thrown = e;
                }
            }
            assertSame(boom, thrown);
            recorder.untraceRoot(c.id());
        }
    }

    /** Polls until the events of one container satisfy done, or fails after 10 s. */
    private List<FileEvent> await(long containerId, Predicate<List<FileEvent>> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<FileEvent> mine = seen.stream().filter(e -> e.containerCgroupId() == containerId).toList();
            if (done.test(mine)) {
                return mine;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("events of cgroup " + containerId + " so far: " + mine);
            }
            recorder.poll(Duration.ofMillis(50), seen::add);
        }
    }

    /** The one event of this kind for this absolute path. */
    private static FileEvent only(List<FileEvent> events, EventKind kind, String absolutePath) {
        List<FileEvent> match = events.stream()
                .filter(e -> e.kind() == kind && e.absolutePath().equals(absolutePath)).toList();
        assertEquals(1, match.size(), () -> kind + " " + absolutePath + " in "
                + events.stream().map(FileEvent::toString).collect(Collectors.joining("\n  ", "\n  ", "")));
        return match.get(0);
    }
}
