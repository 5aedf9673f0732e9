package dev.snoop.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** A real cgroup v2 directory made for one test, removed (with its children) afterwards. */
final class TestCgroup implements AutoCloseable {
    private final Path dir;

    private TestCgroup(Path dir) {
        this.dir = dir;
    }

    /** A fresh cgroup under the root of the v2 hierarchy. */
    static TestCgroup create(String prefix) throws IOException {
        Path mount = CgroupFs.current().mount();
        Path dir = mount.resolve(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(dir);
        return new TestCgroup(dir);
    }

    Path dir() {
        return dir;
    }

    /** A child cgroup, created now. */
    Path child(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /** The path inside the hierarchy, as runc's cgroupsPath takes it. */
    String pathInHierarchy() {
        return CgroupFs.current().pathOf(dir);
    }

    /** Runs {@code command} inside {@code cgroup}: the shell moves itself there, then execs. */
    static ProcessBuilder in(Path cgroup, List<String> command) {
        List<String> full = new java.util.ArrayList<>(List.of("sh", "-c",
                "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$@\"", "sh"));
        full.addAll(command);
        return new ProcessBuilder(full);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // processes may take a moment to leave; a cgroup with members cannot be removed
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                List<Path> dirs = walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
                boolean all = true;
                for (Path d : dirs) {
                    killMembers(d);
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException e) {
                        all = false;
                    }
                }
                if (all) {
                    return;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static void killMembers(Path cgroup) {
        try {
            for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // gone already
        }
    }
}
