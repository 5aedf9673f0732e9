package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.snoop.bpf.EventKind;
import dev.snoop.bpf.FileEvent;
import dev.snoop.core.path.PathFilter;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import dev.snoop.core.report.ContainerReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What each kind of kernel event does to a recording. The kernel side is tested for real in
 * snoop-bpf and end to end; this pins the decisions user space makes on decoded events.
 */
class EventRouterTest {
    private static final long APP = 42;
    private static final int PATH_FAULT = 1;
    private static final int TOO_LONG = 2;
    private static final int RELATIVE = 4;
    private static final int DIR_UNRESOLVED = 8;
    private static final int DIRECTORY = 16;
    private static final int EMPTY_PATH = 32;
    private static final int PSEUDO = 64;

    @ParameterizedTest(name = "{0} flags={1} result={2} {3} [{4}] -> {5} {6}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            OPENAT          | 0            | 3   | /etc/hosts     | ''          | /etc/hosts         | r
            OPENAT          | 16           | 3   | /etc           | ''          | /etc               | d
            OPEN            | 0            | -13 | /etc/shadow    | ''          | /etc/shadow        | r
            OPENAT          | 0            | -2  | /etc/missing   | ''          | NULL               | NULL
            OPENAT          | 0            | -36 | /tmp/too-long  | ''          | NULL               | NULL
            NEWFSTATAT      | 0            | -20 | /etc/hosts/x   | ''          | NULL               | NULL
            STATX           | 0            | 0   | /usr/bin/env   | ''          | /usr/bin/env       | m
            READLINKAT      | 4            | 7   | link           | app,srv     | /srv/app/link      | m
            OPENAT          | 4            | 3   | ../etc/x.conf  | bin,app     | /app/etc/x.conf    | r
            NEWFSTATAT      | 32           | 0   | ''             | libc.so.6,lib | /lib/libc.so.6   | m
            NEWFSTATAT      | 96           | 0   | ''             | ''          | NULL               | NULL
            NEWFSTATAT      | 40           | -9  | ''             | ''          | NULL               | NULL
            EXEC_FILENAME   | 0            | 0   | /bin/sh        | ''          | /bin/sh            | x
            EXEC_ELF_INTERP | 32           | 0   | ''             | ld.so,lib64 | /lib64/ld.so       | x
            EXECVE          | 0            | -13 | /usr/bin/tool  | ''          | /usr/bin/tool      | x
            OPENAT          | 0            | 3   | /proc/1/maps   | ''          | NULL               | NULL
            """)
    void eachEventKind(EventKind kind, int flags, int result, String path, String chain, String file, String access) {
        Recording recording = new Recording(Clock.systemUTC(), PathFilter.defaults());
        router(recording, new ArrayList<>()).accept(event(APP, kind, flags, result, path, chain));
        List<ContainerReport> containers = recording.snapshot().containers();
        if (file == null) {
            assertEquals(0, containers.isEmpty() ? 0 : containers.get(0).files().size());
            return;
        }
        ContainerReport app = containers.get(0);
        assertEquals(List.of(file), paths(app.files()));
        assertEquals(access, AccessKind.letters(app.access().bitsAt(0)));
    }

    @ParameterizedTest(name = "flags={0} result={1}: failed reads {2}, unresolved {3}")
    @CsvSource(delimiter = '|', textBlock = """
            1  | 3   | 1 | 0
            2  | 3   | 1 | 0
            1  | -14 | 0 | 0
            2  | -36 | 0 | 0
            12 | 3   | 0 | 1
            """)
    void whatIsMissedIsCountedNeverGuessed(int flags, int result, long failedReads, long unresolved) {
        Recording recording = new Recording(Clock.systemUTC(), PathFilter.defaults());
        router(recording, new ArrayList<>()).accept(event(APP, EventKind.OPENAT, flags, result, "", ""));
        List<ContainerReport> containers = recording.snapshot().containers();
        if (failedReads == 0 && unresolved == 0) {
            assertEquals(List.of(), containers, "a path the syscall itself refused is nothing missed");
            return;
        }
        ContainerReport app = containers.get(0);
        assertEquals(0, app.files().size());
        assertEquals(failedReads, app.completeness().failedPathReads());
        assertEquals(unresolved, app.completeness().unresolvedPaths());
        assertEquals(false, app.completeness().complete(app.droppedEvents()));
    }

    @org.junit.jupiter.api.Test
    void cgroupEventsNameContainersAndUnknownCgroupsAreCountedNotRecorded() {
        Recording recording = new Recording(Clock.systemUTC(), PathFilter.defaults());
        List<String> announced = new ArrayList<>();
        EventRouter router = router(recording, announced);
        router.accept(event(APP, EventKind.CGROUP, 0, 0, "", "app,pod1,kubepods"));
        router.accept(event(7, EventKind.OPENAT, 0, 3, "/etc/hosts", ""));
        assertEquals(List.of("42=/kubepods/pod1/app"), announced);
        assertEquals(1, router.unattributed());
        assertEquals(List.of(), recording.snapshot().containers());
    }

    private static EventRouter router(Recording recording, List<String> announced) {
        Map<Long, Identity> known = Map.of(APP, new Identity("app", null, APP, "/pod/app", null, null));
        return new EventRouter(recording, known::get, (id, path) -> announced.add(id + "=" + path),
                new Log(new PrintWriter(new StringWriter()), Log.Level.INFO));
    }

    /** An event as the decoder makes it; the chain is given innermost first, comma-separated. */
    private static FileEvent event(long container, EventKind kind, int flags, int result, String path, String chain) {
        StringBuilder names = new StringBuilder();
        if (!chain.isEmpty()) {
            for (String name : chain.split(",")) {
                names.append(name).append('\0');
            }
        }
        return new FileEvent(container, 0, 100, 100, kind, flags, result, -100, 0,
                path.getBytes(StandardCharsets.UTF_8), names.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> paths(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }
}
