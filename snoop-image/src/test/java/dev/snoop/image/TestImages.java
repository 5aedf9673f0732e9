package dev.snoop.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds real image archives for tests: layer tars with directories, files, symlinks, hard links
 * and whiteouts, put together as an OCI layout (tar or directory) or a docker save tar, with
 * correct digests unless a test asks for a broken one.
 */
public final class TestImages {
    private TestImages() {}

    /** One layer tar, built entry by entry in the order given. */
    public static final class Layer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar;

        public Layer() {
            tar = new TarArchiveOutputStream(bytes);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        public Layer dir(String name) {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(040755);
            return add(e, null);
        }

        /** A regular file of {@code size} bytes ('x' repeated). */
        public Layer file(String name, int size) {
            return file(name, "x".repeat(size).getBytes(StandardCharsets.UTF_8));
        }

        public Layer file(String name, byte[] content) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(0100644);
            e.setSize(content.length);
            return add(e, content);
        }

        /** An executable file (mode 0755). */
        public Layer executable(String name, byte[] content) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(0100755);
            e.setSize(content.length);
            return add(e, content);
        }

        public Layer symlink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(target);
            e.setMode(0120777);
            return add(e, null);
        }

        public Layer hardLink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
            e.setLinkName(target);
            e.setMode(0100644);
            return add(e, null);
        }

        /** Removes {@code name} of the layers below. */
        public Layer whiteout(String dir, String name) {
            return file((dir.isEmpty() ? "" : dir + "/") + LayerApplier.WHITEOUT + name, 0);
        }

        /** Hides what the layers below have in {@code dir}. */
        public Layer opaque(String dir) {
            return file(dir + "/" + LayerApplier.OPAQUE, 0);
        }

        public Layer add(TarArchiveEntry e, byte[] content) {
            try {
                tar.putArchiveEntry(e);
                if (content != null) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return this;
        }

        public byte[] tar() {
            try {
                tar.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An image's blobs by name, written as a tar or into a directory. */
    public static final class Archive {
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private String digest;

        public Archive put(String name, byte[] content) {
            files.put(name, content);
            return this;
        }

        public byte[] get(String name) {
            return files.get(name);
        }

        public Map<String, byte[]> files() {
            return files;
        }

        /** The manifest digest of an OCI archive, the config digest of a docker one. */
        public String digest() {
            return digest;
        }

        public Path writeTar(Path file) throws IOException {
            try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                    e.setSize(f.getValue().length);
                    tar.putArchiveEntry(e);
                    tar.write(f.getValue());
                    tar.closeArchiveEntry();
                }
            }
            return file;
        }

        public Path writeDir(Path dir) throws IOException {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue());
            }
            return dir;
        }
    }

    /** An OCI image layout of gzipped layers, as skopeo copy oci-archive: writes it. */
    public static Archive oci(Layer... layers) {
        Archive a = new Archive();
        List<String> diffIds = new ArrayList<>();
        StringBuilder layerDescriptors = new StringBuilder();
        for (Layer layer : layers) {
            byte[] tar = layer.tar();
            byte[] gz = gzip(tar);
            diffIds.add(Digests.of(tar));
            String digest = Digests.of(gz);
            a.put("blobs/" + digest.replace(':', '/'), gz);
            layerDescriptors.append(layerDescriptors.length() == 0 ? "" : ",")
                    .append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", digest, gz.length));
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
                + jsonList(diffIds) + "}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = Digests.of(config);
        a.put("blobs/" + configDigest.replace(':', '/'), config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + layerDescriptors + "]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = Digests.of(manifest);
        a.put("blobs/" + manifestDigest.replace(':', '/'), manifest);
        a.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        a.put("index.json", ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"test:1\"}}]}").getBytes(StandardCharsets.UTF_8));
        a.digest = manifestDigest;
        return a;
    }

    /** A docker save archive (legacy layout: {@code <id>/layer.tar}, uncompressed). */
    public static Archive docker(Layer... layers) {
        Archive a = new Archive();
        List<String> diffIds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Layer layer : layers) {
            byte[] tar = layer.tar();
            String diffId = Digests.of(tar);
            diffIds.add(diffId);
            String name = diffId.substring(7) + "/layer.tar";
            names.add(name);
            a.put(name, tar);
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
                + jsonList(diffIds) + "}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = Digests.of(config);
        a.put(configDigest.substring(7) + ".json", config);
        a.put("manifest.json", ("[{\"Config\":\"" + configDigest.substring(7) + ".json\",\"RepoTags\":[\"test:1\"],\"Layers\":"
                + jsonList(names) + "}]").getBytes(StandardCharsets.UTF_8));
        a.digest = configDigest;
        return a;
    }

    /**
     * The sample image most tests use, two layers:
     *
     * <pre>
     * 1: /bin -> usr/bin, /lib -> usr/lib, /usr/bin/{sh 100, unused-tool 200},
     *    /usr/lib/{libc.so.6 1000, libc.so -> libc.so.6, libfoo.so -> /usr/lib/libfoo.so.1,
     *    libfoo.so.1 -> libfoo.so.1.2.3, libfoo.so.1.2.3 500, libbar.so 300},
     *    /etc/{passwd 50, shadow 60, hostname 10, evil -> ../../../../etc/hostname},
     *    /var/cache/apt/pkgcache.bin 4000,
     *    /opt/app/{big.dat 10000, big-link == big.dat, data 700, data.hl == data}
     * 2: /etc/.wh.shadow, /var/cache/apt/new.bin 40 then .wh..wh..opq, /usr/bin/sh 120,
     *    /opt/app/config.json 20
     * </pre>
     */
    public static Layer[] sampleLayers() {
        Layer base = new Layer()
                .dir("usr").dir("usr/bin").dir("usr/lib").dir("etc").dir("var").dir("var/cache").dir("var/cache/apt")
                .dir("opt").dir("opt/app")
                .symlink("bin", "usr/bin")
                .symlink("lib", "usr/lib")
                .file("usr/bin/sh", 100)
                .file("usr/bin/unused-tool", 200)
                .file("usr/lib/libc.so.6", 1000)
                .symlink("usr/lib/libc.so", "libc.so.6")
                .symlink("usr/lib/libfoo.so", "/usr/lib/libfoo.so.1")
                .symlink("usr/lib/libfoo.so.1", "libfoo.so.1.2.3")
                .file("usr/lib/libfoo.so.1.2.3", 500)
                .file("usr/lib/libbar.so", 300)
                .file("etc/passwd", 50)
                .file("etc/shadow", 60)
                .file("etc/hostname", 10)
                .symlink("etc/evil", "../../../../etc/hostname")
                .file("var/cache/apt/pkgcache.bin", 4000)
                .file("opt/app/big.dat", 10000)
                .hardLink("opt/app/big-link", "opt/app/big.dat")
                .file("opt/app/data", 700)
                .hardLink("opt/app/data.hl", "opt/app/data");
        Layer top = new Layer()
                .whiteout("etc", "shadow")
                .file("var/cache/apt/new.bin", 40)
                .opaque("var/cache/apt")
                .file("usr/bin/sh", 120)
                .file("opt/app/config.json", 20);
        return new Layer[] {base, top};
    }

    /** The paths a recording of the sample image used; two of them are not in the image. */
    public static final List<String> SAMPLE_USED = List.of("/bin/sh", "/lib/libc.so", "/usr/lib/libfoo.so",
            "/etc/passwd", "/etc/evil", "/opt/app/data.hl", "/opt/app/config.json", "/tmp/runtime", "/proc/self/maps", "/etc");

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private static String jsonList(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (String v : values) {
            sb.append(sb.length() == 1 ? "" : ",").append('"').append(v).append('"');
        }
        return sb.append(']').toString();
    }
}
