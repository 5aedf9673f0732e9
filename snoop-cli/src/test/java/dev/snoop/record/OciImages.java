package dev.snoop.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds a one-layer OCI image archive (as {@code ctr image import} takes it) from a root
 * filesystem directory, with the system {@code tar}: no registry, no network.
 */
final class OciImages {
    private OciImages() {}

    /**
     * Packs {@code rootfs} into {@code target} as an OCI image layout tar named {@code name}.
     *
     * @return the manifest's digest, {@code sha256:...}, which containerd reports for the image
     */
    static String build(Path rootfs, String name, Path target) throws IOException, InterruptedException {
        Path layout = Files.createTempDirectory(target.getParent(), "oci-");
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layer = layout.resolve("layer.tar");
        // numeric owner root, fixed mtime: the same rootfs gives the same digest
        tar(List.of("tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0",
                "-C", rootfs.toString(), "-cf", layer.toString(), "."));
        byte[] layerBytes = Files.readAllBytes(layer);
        Files.delete(layer);
        String layerDigest = put(blobs, layerBytes);
        String config = """
                {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},\
                "rootfs":{"type":"layers","diff_ids":["%s"]}}""".formatted(layerDigest);
        String configDigest = put(blobs, config.getBytes());
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
                .formatted(configDigest, config.getBytes().length, layerDigest, layerBytes.length);
        String manifestDigest = put(blobs, manifest.getBytes());
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), """
                {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "digest":"%s","size":%d,"annotations":{"io.containerd.image.name":"%s",\
                "org.opencontainers.image.ref.name":"%s"}}]}"""
                .formatted(manifestDigest, manifest.getBytes().length, name, name.substring(name.lastIndexOf(':') + 1)));
        tar(List.of("tar", "-C", layout.toString(), "-cf", target.toString(), "oci-layout", "index.json", "blobs"));
        return manifestDigest;
    }

    private static String put(Path blobs, byte[] content) throws IOException {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            Files.write(blobs.resolve(hex), content);
            return "sha256:" + hex;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void tar(List<String> command) throws IOException, InterruptedException {
        Commands.run(Duration.ofSeconds(60), command);
    }
}
