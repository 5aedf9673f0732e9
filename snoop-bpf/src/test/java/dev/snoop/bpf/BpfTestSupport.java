package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** What the tests that need root, a compiler or a kernel share. */
final class BpfTestSupport {

    static final boolean CI = "true".equals(System.getenv("CI"));

    private BpfTestSupport() {
    }

    /** Skips the test with the reason, or fails it under CI=true, where everything must be present. */
    static void require(boolean condition, String reason) {
        if (!condition) {
            if (CI) {
                fail("CI=true and " + reason);
            }
            assumeTrue(false, reason);
        }
    }

    /** Whether a command is on PATH (a missing tool skips its test with the reason, outside CI). */
    static boolean hasTool(String name) {
        return java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, name)));
    }

    static boolean isRoot() {
        try {
            return "0".equals(run(List.of("id", "-u")).strip());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** bpf/ beside the modules: surefire passes it, else the working directory is the module. */
    static Path bpfDir() {
        return Path.of(System.getProperty("snoop.bpf.dir", "../bpf")).toAbsolutePath().normalize();
    }

    /** Compiles src/test/c/NAME.c with the system cc into dir; skips (or fails under CI) without one. */
    static Path compileC(String name, Path dir) {
        Path source = Path.of("src/test/c", name + ".c").toAbsolutePath();
        Path out = dir.resolve(name);
        try {
            Process p = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", out.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                fail("cc " + source + " failed:\n" + log);
            }
        } catch (IOException e) {
            require(false, "no C compiler (cc): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        }
        return out;
    }

    /** Runs a command to its end and returns stdout; fails on a non-zero exit. */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + p.exitValue());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first cgroup2 mount in /proc/self/mountinfo (field 5, after the 4 ids). */
    static Path cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash > 4 && dash + 1 < f.length && f[dash + 1].equals("cgroup2")) {
                return Path.of(f[4].replace("\\040", " "));
            }
        }
        throw new IllegalStateException("no cgroup2 mount in /proc/self/mountinfo");
    }

    /** The ids of loaded programs with snoop's names, as bpftool lists them. */
    static Set<Integer> snoopProgramIds() {
        Set<Integer> ids = new TreeSet<>();
        for (String line : run(List.of("bpftool", "prog", "show")).split("\n")) {
            /* "12: tracing  name tp_btf__sys_ent  tag ..." (names are cut at 15 characters) */
            if (line.contains(" name tp_btf__s") || line.contains(" name tracepoint__s") || line.contains(" name fexit__x64_s")
                    || line.contains(" name fexit__arm64_")) {
                ids.add(Integer.parseInt(line.substring(0, line.indexOf(':')).strip()));
            }
        }
        return ids;
    }

    /**
     * The BPF programs this JVM holds file descriptors of ({@code prog_id} in /proc/self/fdinfo):
     * its own, whatever other recorders load on the same kernel meanwhile.
     */
    static Set<Integer> heldProgramIds() {
        Set<Integer> ids = new TreeSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    for (String line : Files.readAllLines(fd)) {
                        if (line.startsWith("prog_id:")) {
                            ids.add(Integer.parseInt(line.substring("prog_id:".length()).strip()));
                        }
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fdinfo", e);
        }
        return ids;
    }

    /** A real cgroup v2 directory, removed on close once its processes have exited. */
    record Cgroup(Path dir) implements AutoCloseable {

        static Cgroup create(Path parent, String name) throws IOException {
            return new Cgroup(Files.createDirectory(parent.resolve(name)));
        }

        /** The cgroup id: the inode number of its directory. */
        long id() {
            try {
                return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        Cgroup child(String name) throws IOException {
            return create(dir, name);
        }

        /** Runs command in this cgroup from its first instruction (sh moves itself, then execs). */
        String run(String... command) {
            List<String> c = new ArrayList<>(List.of("sh", "-c",
                    "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", dir.toString()));
            c.addAll(List.of(command));
            return BpfTestSupport.run(c);
        }

        @Override
        public void close() throws IOException {
            try (var children = Files.list(dir)) {
                for (Path p : children.filter(Files::isDirectory).toList()) {
                    new Cgroup(p).close();
                }
            }
            Files.delete(dir);
        }
    }
}
