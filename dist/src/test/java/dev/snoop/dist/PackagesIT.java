package dev.snoop.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the packages the build made and uses them as a user would: the archive unpacked anywhere,
 * and the Debian package with dpkg on this machine, removed at the end. The Debian test needs root
 * and a Debian system without a snoop package; elsewhere it skips with the reason, and under CI
 * ({@code CI=true}) it must run.
 */
class PackagesIT {
    private static final Path DIST = Path.of(System.getProperty("snoop.dist.dir", "target"));
    private static final String NAME = System.getProperty("snoop.dist.name");
    private static final String VERSION_LINE = "snoop " + NAME.replaceFirst("^snoop-(.*)-linux-[^-]+$", "$1");

    @Test
    void testArchive_unpackedAnywhere_runsAndHasManPagesAndCompletions(@TempDir Path dir) throws Exception {
        Path archive = DIST.resolve(NAME + ".tar.gz");
        assertTrue(Files.isRegularFile(archive), archive + " was not built");
        assertEquals(0, run(dir, "tar", "xzf", archive.toString()).code());
        Path home = dir.resolve(NAME);
        for (String file : List.of("snoop", "snoop.jar", "LICENSE", "README.md", "completions/snoop.bash",
                "completions/snoop.zsh", "man/man1/snoop.1", "man/man1/snoop-record.1", "man/man1/snoop-diff.1")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), "the archive lacks " + file);
        }
        assertTrue(Files.isExecutable(home.resolve("snoop")));
        // through a symlink elsewhere, as a user links it into ~/.local/bin
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("snoop"), home.resolve("snoop"));
        Result version = run(dir, bin.resolve("snoop").toString(), "--version");
        assertEquals(0, version.code(), version.output());
        assertTrue(version.output().startsWith(VERSION_LINE + "\n"), version.output());
        Result page = run(dir, "man", "-l", home.resolve("man/man1/snoop-diff.1").toString());
        assertEquals(0, page.code(), page.output());
        assertTrue(page.output().contains("snoop-diff - Compare two reports"), page.output());
    }

    @Test
    void testDebianPackage_installs_works_andRemovesCleanly() throws Exception {
        requireDpkgAsRoot();
        Path deb;
        try (var files = Files.list(DIST)) {
            deb = files.filter(f -> f.getFileName().toString().matches("snoop_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no snoop_*_all.deb in " + DIST));
        }
        Path cwd = Path.of(".");
        Result install = run(cwd, "dpkg", "-i", deb.toString());
        try {
            assertEquals(0, install.code(), install.output());
            Result version = run(cwd, "sh", "-c", "cd / && snoop --version");
            assertEquals(0, version.code(), version.output());
            assertTrue(version.output().startsWith(VERSION_LINE + "\n"), version.output());
            assertEquals("/usr/lib/snoop/snoop", Path.of("/usr/bin/snoop").toRealPath().toString());
            // postinst dumps a class-data-sharing archive for this machine's Java
            assertTrue(Files.isRegularFile(Path.of("/usr/lib/snoop/snoop.jsa")), "postinst made no snoop.jsa");

            Result page = run(cwd, "env", "MANPAGER=cat", "MANWIDTH=100", "man", "snoop-diff");
            assertEquals(0, page.code(), page.output());
            assertTrue(page.output().contains("snoop-diff - Compare two reports"), page.output());
            Result top = run(cwd, "env", "MANPAGER=cat", "man", "1", "snoop");
            assertTrue(top.output().contains("snoop-record(1)") || top.output().contains("SNOOP(1)"), top.output());

            Result completion = run(cwd, "bash", "-c", "source /usr/share/bash-completion/completions/snoop; compopt() { :; }; "
                    + "COMP_WORDS=(snoop un); COMP_CWORD=1; COMP_LINE='snoop un'; _complete_snoop; echo \"${COMPREPLY[@]}\"");
            assertEquals(0, completion.code(), completion.output());
            assertEquals("unused", completion.output().trim());
            assertTrue(Files.isRegularFile(Path.of("/usr/share/snoop/completion.zsh")));
        } finally {
            List<String> installed = run(cwd, "dpkg-query", "-L", "snoop").output().lines().toList();
            Result remove = run(cwd, "dpkg", "-r", "snoop");
            assertEquals(0, remove.code(), remove.output());
            List<String> left = new ArrayList<>();
            for (String path : installed) {
                if (path.contains("snoop") && Files.exists(Path.of(path), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    left.add(path);
                }
            }
            assertEquals(List.of(), left, "dpkg -r left these behind");
            assertFalse(Files.exists(Path.of("/usr/lib/snoop")), "dpkg -r left /usr/lib/snoop");
            // dpkg keeps a removed package with maintainer scripts as "config-files" until purged
            Result purge = run(cwd, "dpkg", "-P", "snoop");
            assertEquals(0, purge.code(), purge.output());
        }
    }

    private static void requireDpkgAsRoot() throws Exception {
        String missing = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            missing = "not running as root";
        } else if (run(Path.of("."), "sh", "-c", "command -v dpkg && command -v man").code() != 0) {
            missing = "dpkg or man is not installed";
        } else if (run(Path.of("."), "dpkg-query", "-W", "-f=${Status}", "snoop").output().trim().endsWith(" installed")) {
            missing = "a snoop package is already installed, which this test would replace";
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the Debian package test must run under CI, but " + missing);
            }
            assumeTrue(false, "Debian package test skipped: " + missing);
        }
    }

    private record Result(int code, String output) {}

    private static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + ": still running after 120 s");
        }
        return new Result(p.exitValue(), output);
    }
}
