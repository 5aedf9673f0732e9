package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryPressureTest {
    @TempDir
    Path tmp;

    /** Feeds one sample a second from {@code second}; returns the lines it asked to log. */
    private static List<String> feed(MemoryPressure p, long[] faults, long[] limits, int fromSecond) {
        List<String> logged = new ArrayList<>();
        for (int i = 0; i < faults.length; i++) {
            String line = p.update(new MemoryPressure.Sample(faults[i], limits[i]), (fromSecond + i) * 1000L);
            if (line != null) {
                logged.add(line);
            }
        }
        return logged;
    }

    @Test
    void testUpdate_steadyFaultsAndNoLimitEvents_noPressure() {
        MemoryPressure p = new MemoryPressure();
        // start-up faults are before the first sample; then a few a second, as page cache comes and goes
        long[] faults = {9000, 9010, 9030, 9040, 9040, 9080, 9090, 9100};
        List<String> logged = feed(p, faults, new long[faults.length], 0);
        assertFalse(p.underPressure());
        assertNull(p.reason());
        assertEquals(List.of(), logged);
        assertEquals(9100, p.majorFaults());
    }

    @Test
    void testUpdate_climbingMajorFaults_pressureLoggedOnceAMinuteThenOver() {
        MemoryPressure p = new MemoryPressure();
        long[] faults = new long[200];
        long[] limits = new long[200];
        for (int i = 0; i < 100; i++) {
            faults[i] = 500L * i; // thrashing: 500 a second for 100 s
        }
        for (int i = 100; i < 200; i++) {
            faults[i] = faults[99]; // then none
        }
        List<String> logged = feed(p, faults, limits, 0);
        // at 1 s, then 61 s; over 30 quiet samples after the window has emptied
        assertEquals(3, logged.size(), logged.toString());
        assertTrue(logged.get(0).startsWith("memory pressure: the recorder may be thrashing (500 major faults/s)"), logged.get(0));
        assertEquals("memory pressure over", logged.get(2));
        assertFalse(p.underPressure());
    }

    @Test
    void testUpdate_limitEventsAlone_noPressure() {
        MemoryPressure p = new MemoryPressure();
        // page cache meeting the limit: the kernel drops it, little is read back
        feed(p, new long[] {0, 5, 10, 16, 20}, new long[] {7, 700, 9000, 20000, 40000}, 0);
        assertFalse(p.underPressure());
    }

    @Test
    void testUpdate_limitEventsWithSomeFaults_pressureWithTheirCount_heldThroughShortGaps() {
        MemoryPressure p = new MemoryPressure();
        feed(p, new long[] {0, 30, 60}, new long[] {7, 7, 9}, 0);
        assertTrue(p.underPressure());
        assertEquals("30 major faults/s, 2 memory limit events in 2 s", p.reason());
        // a quiet stretch shorter than HOLD keeps it
        long[] quiet = new long[MemoryPressure.HOLD - 1];
        java.util.Arrays.fill(quiet, 60);
        long[] same = new long[quiet.length];
        java.util.Arrays.fill(same, 9);
        feed(p, quiet, same, 3);
        assertTrue(p.underPressure(), "flapped off within the hold");
    }

    @Test
    void testUpdate_missingSources_neverPressure() {
        MemoryPressure p = new MemoryPressure();
        feed(p, new long[] {-1, -1, -1}, new long[] {-1, -1, -1}, 0);
        assertFalse(p.underPressure());
    }

    @Test
    void testFind_v1MemoryControllerOfAHybridHost() {
        List<String> cgroups = List.of("12:pids:/x", "4:memory:/snoop-membench", "0::/user.slice");
        List<String> mounts = List.of(
                "30 25 0:27 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory",
                "31 25 0:28 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw");
        assertEquals(Path.of("/sys/fs/cgroup/memory/snoop-membench"), MemoryCounters.find(cgroups, mounts, false));
        assertEquals(Path.of("/sys/fs/cgroup/unified/user.slice"), MemoryCounters.find(cgroups, mounts, true));
    }

    @Test
    void testFind_v2InsideACgroupNamespace() {
        List<String> cgroups = List.of("0::/");
        List<String> mounts = List.of("600 590 0:29 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw");
        assertEquals(Path.of("/sys/fs/cgroup"), MemoryCounters.find(cgroups, mounts, true));
        assertNull(MemoryCounters.find(cgroups, mounts, false));
    }

    @Test
    void testRead_statAndMemoryEventsFiles() throws IOException {
        Path stat = tmp.resolve("stat");
        // a comm with a space and a parenthesis: fields count from the last ')'
        Files.writeString(stat, "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1000 0 77 0 12 3 0 0 20 0 19 0\n");
        Path events = tmp.resolve("memory.events");
        Files.writeString(events, "low 0\nhigh 5\nmax 3\noom 1\noom_kill 0\n");
        MemoryPressure.Sample s = new MemoryCounters(stat, events, true).read();
        assertEquals(new MemoryPressure.Sample(77, 8), s);
        Path failcnt = tmp.resolve("memory.failcnt");
        Files.writeString(failcnt, "12\n");
        assertEquals(new MemoryPressure.Sample(77, 12), new MemoryCounters(stat, failcnt, false).read());
        assertEquals(new MemoryPressure.Sample(77, -1), new MemoryCounters(stat, null, false).read());
    }

    @Test
    void testOfSelf_readsThisProcess() {
        MemoryPressure.Sample s = MemoryCounters.ofSelf().read();
        assertTrue(s.majorFaults() >= 0, s.toString());
    }
}
