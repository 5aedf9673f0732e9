package dev.snoop.image;

import dev.snoop.core.path.SortedPaths;
import java.util.List;

/**
 * What an image carries that no report used, as {@code snoop unused} prints it.
 *
 * <p>"Files" are everything but directories (regular files, symlinks, devices); bytes count each
 * hard-linked file's content once. A kept file is in the closed keep list; every other file is
 * unused.
 *
 * @param image the image path as given
 * @param format what kind of image it was
 * @param imageDigest the image's digest, or null (a root filesystem)
 * @param reports the reports compared, a merged one counting as the reports it unites
 * @param usedIn how many of them must have used a file for it to count as used
 * @param imageFiles files in the image
 * @param imageBytes bytes of file content in the image
 * @param keptFiles files in the keep list
 * @param keptBytes bytes kept
 * @param unusedBytes bytes that removing the unused files frees
 * @param usedPaths paths the reports used (at least {@code usedIn} times)
 * @param usedNotInImage of those, paths that are not in the image (created at run time, /proc)
 * @param createdAtRunTime the used paths not in the image that lie under one of its directories,
 *     in the reports' order (sorted): files the program created at run time, whose nearest
 *     directory the keep list keeps
 * @param keepList the closed keep list: used files, the symlinks on their way and their targets,
 *     and the parent directories of all of them, sorted
 * @param directories the directories that hold unused files, most reclaimable bytes first
 * @param packageManager "dpkg", "apk", or null when the image has no package database
 * @param packages the installed packages with files in the image: unused ones (none used), then
 *     partly used ones, each group by unused bytes, largest first
 * @param fullyUsedPackages packages every file of which was used
 * @param packagesWithoutFiles installed packages none of whose files are in the image
 */
public record UnusedResult(
        String image,
        String format,
        String imageDigest,
        int reports,
        int usedIn,
        long imageFiles,
        long imageBytes,
        long keptFiles,
        long keptBytes,
        long unusedBytes,
        long usedPaths,
        long usedNotInImage,
        List<String> createdAtRunTime,
        SortedPaths keepList,
        List<Directory> directories,
        String packageManager,
        List<PackageUse> packages,
        int fullyUsedPackages,
        int packagesWithoutFiles) {

    public long unusedFiles() {
        return imageFiles - keptFiles;
    }

    /** Unused bytes as a share of the image's bytes, 0 to 1. */
    public double unusedShare() {
        return imageBytes == 0 ? 0 : (double) unusedBytes / imageBytes;
    }

    /** The unused packages: installed, with files in the image, none of them used. */
    public List<PackageUse> unusedPackages() {
        return packages.stream().filter(p -> p.usedFiles() == 0).toList();
    }

    /** The packages some but not all of whose files were used. */
    public List<PackageUse> partlyUsedPackages() {
        return packages.stream().filter(p -> p.usedFiles() > 0).toList();
    }

    /**
     * A directory's unused files (not those of its subdirectories).
     *
     * @param bytes what removing them frees: hard links whose content another kept or listed path
     *     shares count 0
     */
    public record Directory(String path, long bytes, List<UnusedFile> files) {}

    /**
     * @param type "file", "symlink" or "other" (device, FIFO, socket)
     * @param size the file's size ({@code 0} for a symlink)
     * @param bytes what removing it frees (0 for a hard link whose content stays)
     */
    public record UnusedFile(String path, String type, long size, long bytes) {}

    /** One package and how much of it was used. */
    public record PackageUse(String name, String version, int files, int usedFiles, long bytes, long usedBytes) {
        public double usedShare() {
            return files == 0 ? 0 : (double) usedFiles / files;
        }
    }
}
