package dev.snoop.record;

/**
 * What a metadata source knows about a container.
 *
 * @param name its name in the pod, which keys its report entry
 * @param imageRef the image as the pod spec names it, or null
 * @param imageDigest {@code sha256:...}, or null
 * @param source where this came from ("kubernetes", "containerd"), for logs
 * @param sandbox true for a pod's sandbox ("pause") container, which is not part of the app
 */
public record ContainerInfo(String name, String imageRef, String imageDigest, String source, boolean sandbox) {

    public ContainerInfo(String name, String imageRef, String imageDigest, String source) {
        this(name, imageRef, imageDigest, source, false);
    }

    /** The digest part of an image reference such as {@code nginx@sha256:abc} (or {@code docker-pullable://...}), else null. */
    static String digestOf(String image) {
        if (image == null) {
            return null;
        }
        int at = image.lastIndexOf('@');
        if (at >= 0) {
            return image.substring(at + 1);
        }
        return image.startsWith("sha256:") ? image : null;
    }
}
