package dev.snoop.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The files {@code src/test/c/touch_files.c} touches, laid out under a work directory, and the
 * static binary built from it. {@link #expected} is what a report must list for one run.
 */
final class Workload {
    static final List<String> PLAIN = List.of("open.txt", "openat.txt", "openat2.txt", "stat.txt", "access.txt",
            "newfstatat.txt", "statx.txt", "faccessat.txt", "faccessat2.txt", "thread.txt",
            "dotdot.txt", "script-read.txt", "sub/dirfd.txt", "sub/dirfd-stat.txt", "sub/deeper/relative.txt");

    final Path dir;
    final Path binary;
    final Path longPath;
    final Path script;
    final Path dynamic;

    private Workload(Path dir, Path binary, Path longPath, Path script, Path dynamic) {
        this.dir = dir;
        this.binary = binary;
        this.longPath = longPath;
        this.script = script;
        this.dynamic = dynamic;
    }

    /** Lays out the files in {@code dir} and compiles the workload statically with gcc. */
    static Workload create(Path dir) throws IOException, InterruptedException {
        for (String name : PLAIN) {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, name + "\n");
        }
        // opened only through the link: the report names the link, as the program did
        Files.writeString(dir.resolve("target.txt"), "target\n");
        Files.createSymbolicLink(dir.resolve("link-to-target"), Path.of("target.txt"));
        Files.createSymbolicLink(dir.resolve("sub/dirfd-link"), Path.of("dirfd.txt"));
        // a path of about 4000 bytes: 40 levels of 95-byte names
        Path deep = dir.resolve("long");
        while (deep.toString().length() < 3900) {
            deep = deep.resolve("d".repeat(95));
        }
        Files.createDirectories(deep);
        Path longPath = deep.resolve("f");
        Files.writeString(longPath, "long\n");
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\n: < " + dir.resolve("script-read.txt") + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        // a dynamic binary of our own, so its path is known exactly
        Path dynamic = dir.resolve("true-dynamic");
        Files.copy(Path.of("/bin/true"), dynamic);
        Files.setPosixFilePermissions(dynamic, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path executedAt = dir.resolve("true-at"); // run with execveat relative to a directory fd
        Files.copy(Path.of("/bin/true"), executedAt);
        Files.setPosixFilePermissions(executedAt, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path binary = dir.resolve("touch_files");
        Path source = Path.of("src/test/c/touch_files.c").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), source.toString(), "-lpthread")
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc failed: " + output);
        }
        return new Workload(dir, binary, longPath, script, dynamic);
    }

    /** The workload's process, to be started in a cgroup with {@link TestCgroup#in}. */
    ProcessBuilder in(Path cgroup) {
        ProcessBuilder pb = TestCgroup.in(cgroup, command());
        pb.directory(dir.toFile()); // the shell exports it as $PWD, which dash later checks
        return pb;
    }

    List<String> command() {
        return List.of(binary.toString(), dir.toString(), longPath.toString(), script.toString(), dynamic.toString());
    }

    /** Every file one run must leave in the report, except what the dynamic loader opens. */
    Set<String> expected() {
        Set<String> files = new TreeSet<>();
        for (String name : PLAIN) {
            files.add(dir.resolve(name).toString());
        }
        files.add(dir.resolve("created.txt").toString());
        files.add(dir.resolve("link-to-target").toString());
        files.add(dir.resolve("sub").toString());
        files.add(dir.resolve("sub/dirfd-link").toString());
        files.add(longPath.toString());
        files.add(binary.toString());
        files.add(script.toString());
        files.add(dynamic.toString());
        files.add(dir.resolve("true-at").toString());
        files.add("/bin/sh");
        // dash, running the script, checks its working directory: stat(".") after the workload's
        // chdir("/"), and stat($PWD), which the test sets to the work directory
        files.add("/");
        files.add(dir.toString());
        return files;
    }

    /** Paths the dynamic loader and the shell's own start-up may add besides {@link #expected}. */
    static boolean loaderFile(String path) {
        return path.startsWith("/lib/") || path.startsWith("/lib64/") || path.startsWith("/usr/lib/")
                || path.equals("/etc/ld.so.cache") || path.equals("/etc/ld.so.preload")
                || path.equals("/usr/bin/dash") || path.equals("/bin/dash");
    }

    static List<String> unexpected(List<String> reported, Set<String> expected) {
        List<String> extra = new ArrayList<>();
        for (String path : reported) {
            if (!expected.contains(path) && !loaderFile(path)) {
                extra.add(path);
            }
        }
        return extra;
    }
}
