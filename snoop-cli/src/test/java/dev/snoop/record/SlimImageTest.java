package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snoop.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that a keep list slims for real: a Debian root filesystem (debootstrap minbase with
 * python3) runs a workload under runc while snoop records it; {@code snoop unused --format
 * keep-list} names what to keep; a root with only those files runs the same workload with the
 * same output.
 */
@Tag("bpf")
class SlimImageTest {
    /** The workload: the interpreter, coreutils, sed and a shell, as a small service's start-up would. */
    private static final String WORKLOAD = "python3 -c 'import sys, os; print(sys.version_info[0], os.path.basename(sys.executable))'"
            + " && echo snoop | sed s/snoop/slim/ && ls /usr/share > /dev/null && date +%Y > /dev/null && id -u";
    /** Mount points the runtime needs and snoop never reports (they are excluded). */
    static final List<String> RUNTIME_MOUNT_POINTS = List.of("proc", "dev", "sys", "tmp");

    @TempDir
    Path tmp;

    @BeforeEach
    void requireTools() {
        BpfTests.require();
        BpfTests.requireTool("runc", "debootstrap");
    }

    @Test
    void aRootWithOnlyTheKeepListRunsTheSameWorkload() throws Exception {
        Path full = debianRoot();
        Path report = tmp.resolve("report.json");
        String fullOutput;
        try (TestCgroup pod = TestCgroup.create("snoop-slim")) {
            Path self = pod.child("snoop");
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), "--report-path", report.toString(),
                    "--metrics-addr", "off", "--image-ref", "debian:bookworm-minbase-python3")) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                fullOutput = runc(full, pod.pathInHierarchy() + "/app", "full");
                assertEquals(0, snoop.terminate(), snoop.log());
            } finally {
                RecordContainerTest.removeV1(pod.pathInHierarchy());
            }
        }
        assertEquals("3 python3\nslim\n0\n", fullOutput);

        String keepList = snoop("unused", "--image", full.toString(), "--format", "keep-list", report.toString());
        JsonNode summary = new ObjectMapper().readTree(
                snoop("unused", "--image", full.toString(), "--format", "json", report.toString()));
        Path slim = Files.createDirectories(tmp.resolve("slim"));
        for (String path : keepList.lines().toList()) {
            copyEntry(full, slim, path);
        }
        for (String dir : RUNTIME_MOUNT_POINTS) {
            Files.createDirectories(slim.resolve(dir));
        }

        String slimOutput;
        try (TestCgroup pod = TestCgroup.create("snoop-slim-run")) {
            try {
                slimOutput = runc(slim, pod.pathInHierarchy() + "/app", "slim");
            } finally {
                RecordContainerTest.removeV1(pod.pathInHierarchy());
            }
        }
        assertEquals(fullOutput, slimOutput, "the slim root runs the workload alike");

        long kept = summary.path("kept_bytes").asLong();
        long image = summary.path("image_bytes").asLong();
        int unusedPackages = summary.path("packages").path("unused").size();
        System.out.printf("slim image: kept %d of %d files, %.1f of %.1f MiB (%.1f%% removed); %d of %d dpkg packages unused%n",
                summary.path("kept_files").asLong(), summary.path("image_files").asLong(), kept / 1048576.0,
                image / 1048576.0, 100.0 * (image - kept) / image, unusedPackages,
                unusedPackages + summary.path("packages").path("partly_used").size()
                        + summary.path("packages").path("fully_used").size());
        assertTrue(kept < image / 4, "most of a minbase root is not needed by this workload: kept " + kept + " of " + image);
        assertTrue(unusedPackages > 20, "unused packages: " + unusedPackages);
    }

    /** A bookworm minbase root with python3, made once per machine and reused (it takes a minute or two). */
    private static Path debianRoot() throws Exception {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "snoop-test-bookworm-python3");
        if (Files.exists(root.resolve(".complete"))) {
            return root;
        }
        Path building = Path.of(root + ".partial");
        Commands.run(Duration.ofMinutes(2), List.of("rm", "-rf", building.toString(), root.toString()));
        Commands.run(Duration.ofMinutes(15), List.of("debootstrap", "--variant=minbase", "--include=python3-minimal",
                "bookworm", building.toString(), "http://deb.debian.org/debian"));
        Files.move(building, root);
        Files.writeString(root.resolve(".complete"), "");
        return root;
    }

    /** Runs the workload in a read-only container on {@code rootfs}; returns its output. */
    private String runc(Path rootfs, String cgroupsPath, String name) throws Exception {
        Path bundle = RuncBundles.write(tmp.resolve("bundle-" + name), rootfs, List.of("/bin/sh", "-c", WORKLOAD), cgroupsPath);
        return RuncBundles.run(bundle, "snoop-slim-" + name + "-" + System.nanoTime(), Duration.ofMinutes(1));
    }

    /** Copies one entry as it is (directory, symlink or file with its mode and owner), its parents being there already. */
    static void copyEntry(Path from, Path to, String path) throws Exception {
        Path source = from.resolve(path.substring(1));
        Path target = to.resolve(path.substring(1));
        if (Files.isSymbolicLink(source)) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
        } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(target);
            Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
            Files.setAttribute(target, "unix:uid", Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            Files.setAttribute(target, "unix:gid", Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        } else {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
    }

    static String snoop(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }
}
