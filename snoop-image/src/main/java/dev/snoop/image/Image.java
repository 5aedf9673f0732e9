package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipException;

/**
 * A container image reduced to what {@code snoop unused} needs: its final file tree (layers
 * applied in order, whiteouts honoured), what it is known as, and its package database files.
 *
 * <p>Reads an OCI image layout (directory or tar), a docker save archive (tar or unpacked), a root
 * filesystem tar ({@code docker export}) or a root filesystem directory. Layers are streamed from
 * the archive and never unpacked; manifests, configs and layers are checked against their digests.
 */
public final class Image {
    private final Path source;
    private final String format;
    private final FileTree tree;
    private final String digest;
    private final Set<String> digests;
    private final Set<String> refs;
    private final Map<String, byte[]> packageFiles;

    private Image(Path source, String format, FileTree tree, String digest, Set<String> digests, Set<String> refs,
            Map<String, byte[]> packageFiles) {
        this.source = source;
        this.format = format;
        this.tree = tree;
        this.digest = digest;
        this.digests = digests;
        this.refs = refs;
        this.packageFiles = packageFiles;
    }

    /** An image made of parts already read, as {@link ImageTree#read} rebuilds one. */
    static Image of(Path source, String format, FileTree tree, String digest, Set<String> digests, Set<String> refs,
            Map<String, byte[]> packageFiles) {
        return new Image(source, format, tree, digest, digests, refs, packageFiles);
    }

    /**
     * Reads the image at {@code path}.
     *
     * @param warnings receives one line per problem that was contained, each naming the image
     * @throws NotAnImageException if {@code path} does not exist or is not an image
     * @throws SnoopException if the image is damaged (a digest mismatch, a bad tar) or unsafe (an
     *     entry that escapes the root)
     */
    public static Image read(Path path, Consumer<String> warnings) {
        try {
            if (Files.isDirectory(path)) {
                return readDirectory(path, warnings);
            }
            if (!Files.exists(path)) {
                throw new NotAnImageException(path + ": no such file or directory");
            }
            return readTar(path, warnings);
        } catch (AccessDeniedException e) {
            throw new SnoopException(path + ": permission denied" + (e.getFile() == null || e.getFile().equals(path.toString()) ? "" : ": " + e.getFile()), e);
        } catch (ZipException e) {
            throw new SnoopException(path + ": a layer is not valid gzip: " + e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            throw new SnoopException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Image readDirectory(Path dir, Consumer<String> warnings) throws IOException {
        if (Files.exists(dir.resolve(ImageManifest.OCI_INDEX)) || Files.exists(dir.resolve(ImageManifest.DOCKER_MANIFEST))) {
            try (DirBlobs blobs = new DirBlobs(dir)) {
                return fromArchive(dir, blobs, warnings);
            }
        }
        FileTree tree = new FileTree();
        PackageFiles packageFiles = new PackageFiles();
        new RootfsReader(dir, tree, packageFiles, warnings).read();
        return new Image(dir, "root filesystem directory", tree, null, Set.of(), Set.of(), packageFiles.live(tree));
    }

    private static Image readTar(Path file, Consumer<String> warnings) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            throw new NotAnImageException(file + ": a compressed file; decompress it first (gunzip), "
                    + "snoop reads image tars in place");
        }
        boolean ustar = head.length >= 262
                && new String(head, 257, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ustar");
        if (ustar && head.length < 512) {
            throw new SnoopException(file + ": not a valid tar archive: truncated inside the first header ("
                    + head.length + " bytes)");
        }
        if (!ustar) {
            throw new NotAnImageException(file + ": not an image: expected an OCI layout or docker save tar, "
                    + "or a root filesystem directory");
        }
        try (TarBlobs blobs = new TarBlobs(file)) {
            if (blobs.exists(ImageManifest.OCI_INDEX) || blobs.exists(ImageManifest.DOCKER_MANIFEST)) {
                return fromArchive(file, blobs, warnings);
            }
        }
        // no manifest: a root filesystem tar, as docker export writes it, applied as one layer
        FileTree tree = new FileTree();
        PackageFiles packageFiles = new PackageFiles();
        try (InputStream in = Files.newInputStream(file)) {
            new LayerApplier(tree, packageFiles, warnings).apply(new java.io.BufferedInputStream(in, 1 << 16), file.toString());
        }
        return new Image(file, "root filesystem tar", tree, null, Set.of(), Set.of(), packageFiles.live(tree));
    }

    private static Image fromArchive(Path source, Blobs blobs, Consumer<String> warnings) throws IOException {
        ImageManifest manifest = blobs.exists(ImageManifest.OCI_INDEX)
                ? ImageManifest.oci(blobs, warnings)
                : ImageManifest.docker(blobs, warnings);
        FileTree tree = new FileTree();
        PackageFiles packageFiles = new PackageFiles();
        LayerApplier applier = new LayerApplier(tree, packageFiles, warnings);
        int i = 0;
        for (ImageManifest.Layer layer : manifest.layers()) {
            i++;
            String where = blobs.describe() + ": layer " + i + (layer.digest() == null ? " (" + layer.blob() + ")"
                    : " (" + shortDigest(layer.digest()) + ")");
            applyLayer(blobs, layer, applier, where);
        }
        return new Image(source, manifest.format(), tree, manifest.digest(), manifest.digests(), manifest.refs(),
                packageFiles.live(tree));
    }

    private static void applyLayer(Blobs blobs, ImageManifest.Layer layer, LayerApplier applier, String where) throws IOException {
        try (InputStream raw = blobs.open(layer.blob())) {
            Digests.Checking compressed = layer.digest() != null && !layer.ofUncompressed()
                    ? new Digests.Checking(raw, layer.digest(), layer.size(), where) : null;
            InputStream tar = LayerStreams.uncompressed(compressed != null ? compressed : raw, layer.mediaType(), where);
            Digests.Checking uncompressed = layer.digest() != null && layer.ofUncompressed()
                    ? new Digests.Checking(tar, layer.digest(), -1, where) : null;
            Digests.Checking checking = compressed != null ? compressed : uncompressed;
            // hashing and inflating run on a thread of their own, parsing and applying on this one
            ReadAhead ahead = new ReadAhead(uncompressed != null ? uncompressed : tar);
            try {
                applier.apply(ahead, where);
                LayerStreams.drain(ahead);
            } catch (IOException | SnoopException e) {
                ahead.close();
                if (checking != null) {
                    // a damaged layer usually fails to parse first: say why if the digest knows
                    try {
                        checking.finish();
                    } catch (IOException ignored) {
                        // report the original failure
                    }
                }
                if (e instanceof ZipException z) {
                    throw new SnoopException(where + ": not valid gzip: " + z.getMessage(), z);
                }
                throw e;
            } finally {
                ahead.close();
            }
            if (checking != null) {
                checking.finish();
            }
        }
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return colon >= 0 && digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
    }

    /** The path the image was read from. */
    public Path source() {
        return source;
    }

    /** What kind of image it was, e.g. "OCI image layout". */
    public String format() {
        return format;
    }

    /** The digest the image is best known by (the manifest's, or docker's image id), or null. */
    public String digest() {
        return digest;
    }

    /** Every digest that names this image: index, manifest and config. */
    public Set<String> digests() {
        return digests;
    }

    /** The references the archive names, e.g. {@code shop:1.2}. */
    public Set<String> refs() {
        return refs;
    }

    FileTree tree() {
        return tree;
    }

    Map<String, byte[]> packageFiles() {
        return packageFiles;
    }

    /** Approximate heap held by the file tree. */
    public long estimatedBytes() {
        return tree.estimatedBytes();
    }
}
