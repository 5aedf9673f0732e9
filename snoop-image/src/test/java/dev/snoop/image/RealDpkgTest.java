package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package analysis against this machine's real dpkg database: its {@code status} file and the
 * file lists of three installed packages go into an image together with those packages' files (at
 * their physical paths, behind this machine's merged-/usr symlinks), so the lists' real quirks
 * (directories, {@code /bin} paths through symlinks, {@code :arch} list names) are exercised.
 */
class RealDpkgTest {
    private static final Path DPKG = Path.of("/var/lib/dpkg");

    @TempDir
    Path dir;

    private record Pkg(String name, byte[] list, String listName, List<String> listed, List<String> physical) {}

    @Test
    void testAnalyze_thisMachinesDpkgDatabase() throws Exception {
        assumeTrue(Files.isRegularFile(DPKG.resolve("status")), "no dpkg database on this machine");
        String status = Files.readString(DPKG.resolve("status"));
        List<Pkg> chosen = choose(status);
        assumeTrue(chosen.size() == 3, "fewer than three suitable installed packages");

        TestImages.Layer layer = new TestImages.Layer();
        for (String top : List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
            Path p = Path.of("/" + top);
            if (Files.isSymbolicLink(p)) {
                layer.symlink(top, Files.readSymbolicLink(p).toString());
            }
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Pkg p : chosen) {
            for (String physical : p.physical) {
                int size = 1 + sizes.size() % 13;
                sizes.put(physical, size);
                layer.file(physical.substring(1), size);
            }
            layer.file("var/lib/dpkg/info/" + p.listName, p.list);
        }
        layer.file("var/lib/dpkg/status", status.getBytes(StandardCharsets.UTF_8));
        Image image = Image.read(TestImages.oci(layer).writeTar(dir.resolve("debian.tar")), w -> { });

        // partly: the first listed file of package 0; fully: all of package 1; package 2 untouched
        Pkg partly = chosen.get(0);
        Pkg full = chosen.get(1);
        Pkg unused = chosen.get(2);
        List<String> used = new ArrayList<>(full.listed);
        used.add(partly.listed.get(0));
        Usage usage = new Usage();
        usage.add(List.of(ContainerReport.of("app", SortedPaths.of(used))), 0);
        List<String> warnings = new ArrayList<>();
        UnusedResult r = UnusedAnalysis.analyze(image, usage, 1, warnings::add);

        assertEquals("dpkg", r.packageManager());
        long unusedBytes = unused.physical.stream().mapToLong(sizes::get).sum();
        assertEquals(List.of(new UnusedResult.PackageUse(unused.name, version(status, unused.name),
                unused.physical.size(), 0, unusedBytes, 0)), r.unusedPackages());
        long partlyBytes = partly.physical.stream().mapToLong(sizes::get).sum();
        String firstPhysical = physical(partly.listed.get(0));
        assertEquals(List.of(new UnusedResult.PackageUse(partly.name, version(status, partly.name),
                partly.physical.size(), 1, partlyBytes, sizes.get(firstPhysical))), r.partlyUsedPackages());
        assertEquals(1, r.fullyUsedPackages());
        long installed = status.lines().filter(l -> l.startsWith("Status: ") && l.endsWith(" installed")).count();
        assertEquals(installed - 3, r.packagesWithoutFiles());
    }

    /** The first three installed packages with 2 to 200 regular files, none shared. */
    private static List<Pkg> choose(String status) throws IOException {
        List<Pkg> out = new ArrayList<>();
        Set<String> taken = new LinkedHashSet<>();
        for (String paragraph : status.split("\n\n")) {
            String name = field(paragraph, "Package");
            String arch = field(paragraph, "Architecture");
            String state = field(paragraph, "Status");
            if (name == null || state == null || !state.endsWith(" installed")) {
                continue;
            }
            String listName = name + ".list";
            if (!Files.exists(DPKG.resolve("info").resolve(listName))) {
                listName = name + ":" + arch + ".list";
            }
            Path listFile = DPKG.resolve("info").resolve(listName);
            if (!Files.isRegularFile(listFile)) {
                continue;
            }
            byte[] list = Files.readAllBytes(listFile);
            List<String> listed = new ArrayList<>();
            List<String> physical = new ArrayList<>();
            boolean clash = false;
            for (String line : new String(list, StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("/") || line.equals("/.")) {
                    continue;
                }
                String real = physical(line);
                if (real == null) {
                    continue;
                }
                clash |= taken.contains(real) || physical.contains(real);
                listed.add(line);
                physical.add(real);
            }
            if (clash || physical.size() < 2 || physical.size() > 200) {
                continue;
            }
            taken.addAll(physical);
            out.add(new Pkg(name, list, listName, listed, physical));
            if (out.size() == 3) {
                break;
            }
        }
        return out;
    }

    /** Where a listed path really is on this machine, if it is a regular file (not a symlink). */
    private static String physical(String listed) {
        Path p = Path.of(listed);
        try {
            Path real = p.getParent().toRealPath().resolve(p.getFileName());
            return Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) ? real.toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String version(String status, String name) {
        for (String paragraph : status.split("\n\n")) {
            if (name.equals(field(paragraph, "Package"))) {
                return field(paragraph, "Version");
            }
        }
        return null;
    }

    private static String field(String paragraph, String key) {
        for (String line : paragraph.split("\n")) {
            if (line.startsWith(key + ": ")) {
                return line.substring(key.length() + 2).trim();
            }
        }
        return null;
    }
}
