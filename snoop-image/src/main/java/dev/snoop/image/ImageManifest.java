package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What an image archive says about its image: the layers in order with their digests, and what the
 * image is known as (digests and references), read from an OCI {@code index.json} or a docker save
 * {@code manifest.json}. Every manifest and config blob read is checked against its digest.
 */
record ImageManifest(String format, List<Layer> layers, String digest, Set<String> digests, Set<String> refs) {
    /**
     * One layer.
     *
     * @param blob its name in the archive
     * @param digest what it must hash to, or null if nothing says
     * @param size its size in bytes, or -1
     * @param mediaType the OCI media type, or null
     * @param ofUncompressed whether {@code digest} is of the uncompressed tar (a docker diff id)
     */
    record Layer(String blob, String digest, long size, String mediaType, boolean ofUncompressed) {}

    static final String OCI_INDEX = "index.json";
    static final String DOCKER_MANIFEST = "manifest.json";
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String CONTAINERD_NAME = "io.containerd.image.name";

    /** Reads an OCI image layout: {@code index.json}, then the (nested) manifest it points to. */
    static ImageManifest oci(Blobs blobs, Consumer<String> warnings) throws IOException {
        String where = blobs.describe();
        Map<String, Object> index = Json.object(Json.parse(blobs.readSmall(OCI_INDEX), where + ": " + OCI_INDEX),
                where + ": " + OCI_INDEX, "the index");
        Set<String> digests = new LinkedHashSet<>();
        Set<String> refs = new LinkedHashSet<>();
        Map<String, Object> descriptor = choose(index, where + ": " + OCI_INDEX, warnings);
        annotations(descriptor, refs);
        String topDigest = Json.string(descriptor.get("digest"), where, "the manifest descriptor's digest");
        for (int depth = 0; ; depth++) {
            String digest = Json.string(descriptor.get("digest"), where, "a descriptor's digest");
            String blobWhere = where + ": " + digest;
            byte[] bytes = blobs.readSmall(Digests.blobPath(digest, blobWhere));
            Digests.verify(bytes, digest, blobWhere);
            digests.add(digest);
            Map<String, Object> doc = Json.object(Json.parse(bytes, blobWhere), blobWhere, "the manifest");
            if (doc.containsKey("manifests")) {
                if (depth > 4) {
                    throw new SnoopException(blobWhere + ": image indexes nested too deep");
                }
                descriptor = choose(doc, blobWhere, warnings);
                continue;
            }
            Map<String, Object> config = Json.object(doc.get("config"), blobWhere, "'config'");
            String configDigest = Json.string(config.get("digest"), blobWhere, "the config digest");
            byte[] configBytes = blobs.readSmall(Digests.blobPath(configDigest, blobWhere));
            Digests.verify(configBytes, configDigest, where + ": config " + configDigest);
            digests.add(configDigest);
            List<Layer> layers = new ArrayList<>();
            for (Object o : Json.list(doc.get("layers"), blobWhere, "'layers'")) {
                Map<String, Object> layer = Json.object(o, blobWhere, "a layer descriptor");
                String layerDigest = Json.string(layer.get("digest"), blobWhere, "a layer digest");
                layers.add(new Layer(Digests.blobPath(layerDigest, blobWhere), layerDigest,
                        Json.number(layer.get("size"), -1), Json.optionalString(layer.get("mediaType")), false));
            }
            return new ImageManifest("OCI image layout", layers, topDigest, digests, refs);
        }
    }

    /** Reads a docker save archive: the first image of {@code manifest.json}. */
    static ImageManifest docker(Blobs blobs, Consumer<String> warnings) throws IOException {
        String where = blobs.describe() + ": " + DOCKER_MANIFEST;
        List<Object> images = Json.list(Json.parse(blobs.readSmall(DOCKER_MANIFEST), where), where, "the manifest");
        if (images.isEmpty()) {
            throw new SnoopException(where + ": no image in the archive");
        }
        Map<String, Object> image = Json.object(images.get(0), where, "an image entry");
        Set<String> refs = new LinkedHashSet<>();
        for (Object tag : Json.optionalList(image.get("RepoTags"), where, "'RepoTags'")) {
            refs.add(Json.string(tag, where, "a tag"));
        }
        if (images.size() > 1) {
            warnings.accept(where + ": " + images.size() + " images in the archive; using the first"
                    + (refs.isEmpty() ? "" : " (" + String.join(", ", refs) + ")"));
        }
        String configName = Json.string(image.get("Config"), where, "'Config'");
        byte[] configBytes = blobs.readSmall(configName);
        String configDigest = Digests.of(configBytes);
        String named = configName.replaceFirst("^blobs/sha256/", "").replaceFirst("\\.json$", "");
        if (named.matches("[0-9a-f]{64}") && !configDigest.equals("sha256:" + named)) {
            throw new SnoopException(blobs.describe() + ": " + configName + ": digest mismatch: the content hashes to " + configDigest);
        }
        Map<String, Object> config = Json.object(Json.parse(configBytes, blobs.describe() + ": " + configName),
                blobs.describe() + ": " + configName, "the config");
        List<Object> diffIds = List.of();
        if (config.get("rootfs") instanceof Map<?, ?> rootfs) {
            diffIds = Json.optionalList(rootfs.get("diff_ids"), where, "'diff_ids'");
        }
        List<Object> layerNames = Json.list(image.get("Layers"), where, "'Layers'");
        boolean verified = diffIds.size() == layerNames.size();
        if (!verified) {
            warnings.accept(where + ": the config lists " + diffIds.size() + " layer digests for "
                    + layerNames.size() + " layers; layers are not verified");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            String diffId = verified ? Json.string(diffIds.get(i), where, "a diff id") : null;
            layers.add(new Layer(Json.string(layerNames.get(i), where, "a layer name"), diffId, -1, null, true));
        }
        return new ImageManifest("docker save archive", layers, configDigest, Set.of(configDigest), refs);
    }

    /** The descriptor to use from an index: the only one, or the first for this machine's platform. */
    private static Map<String, Object> choose(Map<String, Object> index, String where, Consumer<String> warnings) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object o : Json.list(index.get("manifests"), where, "'manifests'")) {
            all.add(Json.object(o, where, "a manifest descriptor"));
        }
        if (all.isEmpty()) {
            throw new SnoopException(where + ": no image in the index");
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String wanted = arch.equals("x86_64") ? "amd64" : arch.equals("aarch64") ? "arm64" : arch;
        List<Map<String, Object>> matching = all.stream().filter(d -> d.get("platform") instanceof Map<?, ?> p
                && "linux".equals(p.get("os")) && wanted.equals(p.get("architecture"))).toList();
        Map<String, Object> chosen = matching.isEmpty() ? all.get(0) : matching.get(0);
        warnings.accept(where + ": " + all.size() + " images in the index; using "
                + (matching.isEmpty() ? "the first" : "the first for linux/" + wanted) + " ("
                + Json.optionalString(chosen.get("digest")) + ")");
        return chosen;
    }

    private static void annotations(Map<String, Object> descriptor, Set<String> refs) {
        if (descriptor.get("annotations") instanceof Map<?, ?> annotations) {
            for (String key : List.of(CONTAINERD_NAME, REF_NAME)) {
                if (annotations.get(key) instanceof String ref) {
                    refs.add(ref);
                }
            }
        }
    }
}
