package dev.snoop.image;

import dev.snoop.core.path.QuotedPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The packages an image's package manager installed, with the files each one owns: dpkg
 * ({@code var/lib/dpkg/status} and {@code var/lib/dpkg/info/*.list}) or apk
 * ({@code lib/apk/db/installed}).
 */
final class PackageDatabase {
    /** One installed package; {@code files} are absolute paths as the database lists them. */
    record Package(String name, String version, List<String> files) {}

    private PackageDatabase() {}

    /** The package manager whose database {@code files} holds ("dpkg", "apk"), or null. */
    static String manager(Map<String, byte[]> files) {
        if (files.containsKey(PackageFiles.DPKG_STATUS)) {
            return "dpkg";
        }
        return files.containsKey(PackageFiles.APK_INSTALLED) ? "apk" : null;
    }

    /** The installed packages in database order; empty if the image has no database. */
    static List<Package> read(Map<String, byte[]> files, Consumer<String> warnings) {
        String manager = manager(files);
        if ("dpkg".equals(manager)) {
            return dpkg(files, warnings);
        }
        if ("apk".equals(manager)) {
            return apk(text(files.get(PackageFiles.APK_INSTALLED)));
        }
        return List.of();
    }

    private static List<Package> dpkg(Map<String, byte[]> files, Consumer<String> warnings) {
        List<Package> packages = new ArrayList<>();
        int missingLists = 0;
        String missingExample = null;
        for (String paragraph : text(files.get(PackageFiles.DPKG_STATUS)).split("\n\n")) {
            String name = null;
            String version = null;
            String arch = null;
            String status = null;
            for (String line : paragraph.split("\n")) {
                if (line.startsWith("Package: ")) {
                    name = line.substring(9).trim();
                } else if (line.startsWith("Version: ")) {
                    version = line.substring(9).trim();
                } else if (line.startsWith("Architecture: ")) {
                    arch = line.substring(14).trim();
                } else if (line.startsWith("Status: ")) {
                    status = line.substring(8).trim();
                }
            }
            // "install ok installed"; config-files and not-installed leave no files behind
            if (name == null || status == null || !status.endsWith(" installed")) {
                continue;
            }
            byte[] list = files.get(PackageFiles.DPKG_INFO + name + ".list");
            if (list == null && arch != null) {
                list = files.get(PackageFiles.DPKG_INFO + name + ":" + arch + ".list");
            }
            if (list == null) {
                if (missingLists++ == 0) {
                    missingExample = name;
                }
                packages.add(new Package(name, version, List.of()));
                continue;
            }
            List<String> paths = new ArrayList<>();
            for (String line : text(list).split("\n")) {
                if (line.startsWith("/") && !line.equals("/.")) {
                    paths.add(line);
                }
            }
            packages.add(new Package(name, version, paths));
        }
        if (missingLists > 0) {
            warnings.accept(PackageFiles.DPKG_INFO + ": no file list for " + missingLists + " installed "
                    + LayerApplier.plural(missingLists, "package") + " (first: " + QuotedPaths.quote(missingExample) + ")");
        }
        return packages;
    }

    private static List<Package> apk(String installed) {
        List<Package> packages = new ArrayList<>();
        for (String paragraph : installed.split("\n\n")) {
            String name = null;
            String version = null;
            String dir = "";
            List<String> paths = new ArrayList<>();
            for (String line : paragraph.split("\n")) {
                if (line.length() < 2 || line.charAt(1) != ':') {
                    continue;
                }
                String value = line.substring(2);
                switch (line.charAt(0)) {
                    case 'P' -> name = value;
                    case 'V' -> version = value;
                    case 'F' -> dir = value;
                    case 'R' -> paths.add("/" + (dir.isEmpty() ? "" : dir + "/") + value);
                    default -> { }
                }
            }
            if (name != null) {
                packages.add(new Package(name, version, paths));
            }
        }
        return packages;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
}
