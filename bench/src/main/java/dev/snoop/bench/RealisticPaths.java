package dev.snoop.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates paths shaped like a container image's tree, deterministically from a seed.
 *
 * <p>The image is built package by package, as a distro installs it: a Python distribution under
 * {@code site-packages}, an npm package under {@code node_modules}, a shared library with its
 * {@code /usr/share/doc} entry, a locale's message catalogues, man pages, headers, an {@code /opt}
 * application, {@code /etc} files. Package sizes are heavy-tailed (most packages have a handful of
 * files, a few have thousands), so files per directory, path length and depth come out close to a
 * real distro tree; {@code PathStats} compares them with {@code find /usr -xdev}. About half of the
 * directories are listed themselves (one entry in fifteen; {@code find} lists all, one in nine), as
 * reports list the directories a process opened.
 */
final class RealisticPaths {
    private static final String[] LANGS = {"af", "ar", "ast", "be", "bg", "bn", "br", "bs", "ca", "cs", "cy", "da",
        "de", "el", "en_GB", "eo", "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "id",
        "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ms", "nb", "ne", "nl", "nn",
        "oc", "pa", "pl", "pt", "pt_BR", "ro", "ru", "sk", "sl", "sq", "sr", "sr@latin", "sv", "ta", "te", "th", "tr",
        "uk", "vi", "zh_CN", "zh_HK", "zh_TW"};
    private static final String[] SYLLABLES = {"ab", "ac", "al", "am", "an", "ar", "as", "at", "ba", "be", "bi", "bo",
        "ca", "ce", "ch", "co", "cr", "cu", "da", "de", "di", "do", "el", "en", "er", "es", "ex", "fa", "fi", "fo",
        "ga", "ge", "gi", "go", "gr", "ha", "he", "hi", "ho", "id", "il", "im", "in", "io", "ir", "is", "it", "ja",
        "ka", "ke", "ki", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu",
        "ob", "od", "of", "ol", "om", "on", "op", "or", "os", "ot", "pa", "pe", "pi", "po", "pr", "py", "qu", "ra",
        "re", "ri", "ro", "ru", "sa", "se", "si", "so", "st", "su", "ta", "te", "th", "ti", "to", "tr", "tu", "ty",
        "ul", "um", "un", "up", "ur", "us", "ut", "va", "ve", "vi", "vo", "wa", "we", "wi", "xa", "xe", "yo", "za"};
    private static final String[] SUBDIRS = {"core", "utils", "api", "internal", "tests", "_vendor", "backends",
        "plugins", "models", "io", "compat", "contrib", "data", "templates", "static", "locale", "commands", "fixes",
        "parsers", "handlers", "transport", "schemas", "types", "cli", "helpers", "ext", "testing", "lib", "src"};
    private static final String[] ETC_DIRS = {"/etc", "/etc/ssl/certs", "/etc/apt/apt.conf.d", "/etc/default",
        "/etc/init.d", "/etc/logrotate.d", "/etc/security", "/etc/systemd/system", "/etc/profile.d", "/etc/pam.d",
        "/etc/cron.d", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/fonts/conf.d", "/etc/ca-certificates/update.d"};

    private final Random random;
    private final Set<String> seen = new HashSet<>();
    private final List<String> out = new ArrayList<>();
    private int limit;

    RealisticPaths(long seed) {
        this.random = new Random(seed);
    }

    /** {@code n} distinct normalized paths, in the order they were created (grouped by directory). */
    static List<String> generate(long seed, int n) {
        RealisticPaths g = new RealisticPaths(seed);
        g.limit = n;
        while (g.out.size() < n) {
            g.addPackage();
        }
        return g.out;
    }

    private void addPackage() {
        int kind = random.nextInt(100);
        if (kind < 30) {
            python();
        } else if (kind < 48) {
            node();
        } else if (kind < 60) {
            sharedLibrary();
        } else if (kind < 68) {
            manPages();
        } else if (kind < 74) {
            locale();
        } else if (kind < 84) {
            headers();
        } else if (kind < 94) {
            optApp();
        } else {
            etc();
        }
    }

    private void python() {
        String version = random.nextInt(4) == 0 ? "3.9" : "3.11";
        String site = random.nextBoolean() ? "/usr/lib/python" + version + "/site-packages/"
                : "/usr/local/lib/python" + version + "/dist-packages/";
        String pkg = word(2, 4);
        String root = site + pkg;
        tree(root, packageSize(), new String[] {".py", ".py", ".py", ".pyi", ".so", ".json", ".txt"}, true);
        String dist = site + pkg + "-" + version() + ".dist-info";
        dir(dist);
        for (String f : new String[] {"METADATA", "RECORD", "WHEEL", "top_level.txt", "INSTALLER", "LICENSE"}) {
            file(dist + "/" + f);
        }
    }

    private void node() {
        String base = random.nextInt(5) == 0 ? "/usr/lib/node_modules/" : "/app/node_modules/";
        String pkg = random.nextInt(4) == 0 ? "@" + word(1, 3) + "/" + word(2, 4) : word(2, 4) + (random.nextBoolean() ? "-" + word(1, 3) : "");
        String root = base + pkg;
        file(root + "/package.json");
        file(root + "/README.md");
        file(root + "/LICENSE");
        String[] js = {".js", ".js", ".js", ".d.ts", ".js.map", ".mjs", ".cjs", ".json"};
        tree(root + (random.nextBoolean() ? "/lib" : "/dist"), packageSize(), js, false);
    }

    private void sharedLibrary() {
        String name = word(1, 4);
        String arch = random.nextInt(3) == 0 ? "/lib/x86_64-linux-gnu/" : "/usr/lib/x86_64-linux-gnu/";
        int major = random.nextInt(12);
        file(arch + "lib" + name + ".so." + major);
        file(arch + "lib" + name + ".so." + major + "." + random.nextInt(30) + "." + random.nextInt(10));
        if (random.nextInt(3) == 0) {
            tree(arch + name, packageSize() / 2 + 1, new String[] {".so", ".so", ".conf", ".cache"}, false);
        }
        String doc = "/usr/share/doc/lib" + name + major;
        file(doc + "/copyright");
        file(doc + "/changelog.Debian.gz");
    }

    private void manPages() {
        int section = 1 + random.nextInt(8);
        int count = 1 + random.nextInt(12);
        String lang = random.nextInt(4) == 0 ? LANGS[random.nextInt(LANGS.length)] + "/" : "";
        for (int i = 0; i < count; i++) {
            file("/usr/share/man/" + lang + "man" + section + "/" + stem() + "." + section + ".gz");
        }
    }

    private void locale() {
        String domain = word(2, 4);
        int langs = 5 + random.nextInt(LANGS.length - 5);
        for (int i = 0; i < langs; i++) {
            file("/usr/share/locale/" + LANGS[i] + "/LC_MESSAGES/" + domain + ".mo");
        }
    }

    private void headers() {
        String lib = word(2, 4);
        String base = random.nextBoolean() ? "/usr/include/" + lib : "/usr/include/" + lib + "-" + (1 + random.nextInt(15));
        tree(base, packageSize(), new String[] {".h", ".h", ".h", ".hpp", ".inc", ".def"}, false);
    }

    private void optApp() {
        String app = word(2, 3);
        String root = "/opt/" + app + "/" + app + "-" + version();
        file(root + "/bin/" + app);
        tree(root + "/lib", packageSize() * 2, new String[] {".jar", ".so", ".py", ".js", ".dat", ".properties", ".xml"}, false);
        tree(root + "/share", packageSize() / 2 + 1, new String[] {".png", ".svg", ".css", ".html", ".txt"}, false);
    }

    private void etc() {
        int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++) {
            String d = ETC_DIRS[random.nextInt(ETC_DIRS.length)];
            file(d + "/" + stem() + (random.nextBoolean() ? ".conf" : ""));
        }
    }

    /** Files under {@code root} in a few levels of subdirectories, like a source package. */
    private void tree(String root, int files, String[] extensions, boolean pycache) {
        dir(root);
        List<String> dirs = new ArrayList<>();
        dirs.add(root);
        int made = 0;
        while (made < files && out.size() < limit) {
            // a new subdirectory every ~12 files: about eight files per directory, as in /usr
            String parent = dirs.get(random.nextInt(dirs.size()));
            String d = random.nextInt(12) == 0 && parent.length() < 120
                    ? parent + "/" + (random.nextBoolean() ? SUBDIRS[random.nextInt(SUBDIRS.length)] : word(1, 3))
                    : parent;
            if (!d.equals(parent)) {
                dirs.add(d);
                dir(d);
            }
            String stem = stem();
            String ext = extensions[random.nextInt(extensions.length)];
            if (file(d + "/" + stem + ext)) {
                made++;
                if (pycache && ext.equals(".py") && random.nextInt(3) == 0) {
                    file(d + "/__pycache__/" + stem + ".cpython-311.pyc");
                }
            }
        }
    }

    /** Heavy-tailed: median ~6 files, mean ~30, a few packages with thousands. */
    private int packageSize() {
        double u = random.nextDouble();
        return (int) Math.min(5000, 2 + 4 / Math.pow(1 - u, 0.9));
    }

    /** File names run long in real trees: test_http_client_errors, font-awesome-brands. */
    private String stem() {
        StringBuilder sb = new StringBuilder(word(2, 4));
        char sep = random.nextBoolean() ? '_' : '-';
        for (int parts = random.nextInt(4); parts > 0; parts--) {
            sb.append(sep).append(word(1, 4));
        }
        return sb.toString();
    }

    private String version() {
        return random.nextInt(4) + "." + random.nextInt(30) + "." + random.nextInt(10);
    }

    private String word(int minSyllables, int maxSyllables) {
        int n = minSyllables + random.nextInt(maxSyllables - minSyllables + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        return sb.toString();
    }

    /** Directories are listed now and then, as a report lists the directories a process opened. */
    private void dir(String path) {
        if (random.nextInt(10) < 7) {
            file(path);
        }
    }

    private boolean file(String path) {
        if (out.size() >= limit || !seen.add(path)) {
            return false;
        }
        out.add(path);
        return true;
    }
}
