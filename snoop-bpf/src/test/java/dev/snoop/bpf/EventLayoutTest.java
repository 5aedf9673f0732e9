package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles bpf/snoop.h with the system C compiler and checks that every offset and constant
 * the Java side mirrors is what C says (a cheap version of Tetragon's alignchecker).
 */
class EventLayoutTest {

    @Test
    void testLayout_matchesSnoopHeader(@TempDir Path tmp) throws IOException, InterruptedException {
        Path binary = compileLayout(tmp);
        Process p = new ProcessBuilder(binary.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        Map<String, Long> c = new TreeMap<>();
        for (String line : out.split("\n")) {
            int sp = line.lastIndexOf(' ');
            c.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }

        Map<String, Long> java = new LinkedHashMap<>();
        java.put("offsetof(cgroup_id)", (long) Wire.OFF_CGROUP_ID);
        java.put("offsetof(ino)", (long) Wire.OFF_INO);
        java.put("offsetof(pid)", (long) Wire.OFF_PID);
        java.put("offsetof(tid)", (long) Wire.OFF_TID);
        java.put("offsetof(kind)", (long) Wire.OFF_KIND);
        java.put("offsetof(flags)", (long) Wire.OFF_FLAGS);
        java.put("offsetof(result)", (long) Wire.OFF_RESULT);
        java.put("offsetof(dirfd)", (long) Wire.OFF_DIRFD);
        java.put("offsetof(open_flags)", (long) Wire.OFF_OPEN_FLAGS);
        java.put("offsetof(path_len)", (long) Wire.OFF_PATH_LEN);
        java.put("offsetof(dir_len)", (long) Wire.OFF_DIR_LEN);
        java.put("offsetof(data)", (long) Wire.EVENT_HEADER);
        java.put("sizeof(struct event)", (long) (Wire.EVENT_HEADER + Wire.PATH_MAX + Wire.DIR_MAX));
        java.put("sizeof(struct cgroup_verdict)", (long) Wire.VERDICT_SIZE);
        java.put("SNOOP_EVENT_HEADER", (long) Wire.EVENT_HEADER);
        java.put("SNOOP_PATH_MAX", (long) Wire.PATH_MAX);
        java.put("SNOOP_DIR_MAX", (long) Wire.DIR_MAX);
        java.put("SNOOP_CGROUP_DEPTH", (long) Wire.CGROUP_DEPTH);
        java.put("SNOOP_F_PATH_FAULT", (long) Wire.F_PATH_FAULT);
        java.put("SNOOP_F_PATH_TOO_LONG", (long) Wire.F_PATH_TOO_LONG);
        java.put("SNOOP_F_RELATIVE", (long) Wire.F_RELATIVE);
        java.put("SNOOP_F_DIR_UNRESOLVED", (long) Wire.F_DIR_UNRESOLVED);
        java.put("SNOOP_F_DIRECTORY", (long) Wire.F_DIRECTORY);
        java.put("SNOOP_F_EMPTY_PATH", (long) Wire.F_EMPTY_PATH);
        java.put("SNOOP_F_PSEUDO", (long) Wire.F_PSEUDO);
        java.put("SNOOP_CTR_DROPPED", (long) Wire.CTR_DROPPED);
        java.put("SNOOP_CTR_PATH_FAULT", (long) Wire.CTR_PATH_FAULT);
        java.put("SNOOP_CTR_PATH_TOO_LONG", (long) Wire.CTR_PATH_TOO_LONG);
        java.put("SNOOP_CTR_DIR_UNRESOLVED", (long) Wire.CTR_DIR_UNRESOLVED);
        java.put("SNOOP_CTR_DEDUPED", (long) Wire.CTR_DEDUPED);
        java.put("SNOOP_CTR_EMITTED", (long) Wire.CTR_EMITTED);
        java.put("SNOOP_CTR_RUNTIME_SKIPPED", (long) Wire.CTR_RUNTIME_SKIPPED);
        java.put("SNOOP_CTR_KIND_BASE", (long) Wire.CTR_KIND_BASE);
        java.put("SNOOP_CTR_MAX", (long) Wire.CTR_MAX);
        java.put("SNOOP_ROOT_CONTAINER", (long) RootMode.CONTAINER.wireId());
        java.put("SNOOP_ROOT_PARENT", (long) RootMode.PARENT.wireId());
        for (EventKind k : EventKind.values()) {
            java.put("SNOOP_KIND_" + k.name(), (long) k.wireId());
        }
        java.put("SNOOP_KIND_MAX", (long) Wire.KIND_MAX);
        // BpfRecorder.containerCounts() reads two u64 at these offsets
        java.put("offsetof(container_stats.events)", 0L);
        java.put("offsetof(container_stats.dropped)", (long) Long.BYTES);
        java.put("sizeof(struct container_stats)", 2L * Long.BYTES);

        assertEquals(new TreeMap<>(java), c);
    }

    private static Path compileLayout(Path tmp) throws IOException, InterruptedException {
        Path source = Path.of("src/test/c/layout.c").toAbsolutePath();
        Path binary = tmp.resolve("layout");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-Wall", "-Werror", "-I", BpfTestSupport.bpfDir().toString(),
                    "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            BpfTestSupport.require(false, "no C compiler (cc) to check bpf/snoop.h: " + e.getMessage());
            throw e;
        }
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (cc.waitFor() != 0) {
            if (log.contains("linux/types.h")) {
                BpfTestSupport.require(false, "linux/types.h missing: install linux-libc-dev");
            }
            fail("cc " + source + " failed:\n" + log);
        }
        return binary;
    }
}
