package dev.snoop.record;

import dev.snoop.core.SnoopException;
import dev.snoop.core.report.StreamedReport;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * What is at {@code --report-path} when snoop starts, decided before anything loads. A report of
 * the same pod (a restarted sidecar) is continued. Anything else would be replaced by the first
 * write, so it is refused (exit 2) unless {@code --replace-report} says to replace it: a file
 * that is not a report, a report of another pod. A symbolic link, a directory, a device, a pipe
 * or a socket is always refused: the atomic rename would replace the link or fail. A report that
 * cannot be read (reports are created 0600, so a restart under another user cannot) fails with
 * exit 1 unless {@code --replace-report}: it is most likely a report that is still wanted.
 *
 * <p>The report is read as a stream into the path sets the recording continues
 * ({@link StreamedReport}): the document itself is never held, and the sets are the recording's
 * own afterwards, not a copy kept here for the whole run.
 *
 * @param previous the report to continue, or null to start a new one
 * @param replaced why the existing file is replaced, or null if there was nothing to replace
 */
public record ExistingReport(StreamedReport previous, String replaced) {
    private static final ExistingReport NONE = new ExistingReport(null, null);

    /**
     * @param option how the path was given, e.g. "--report-path r.json", for messages
     * @throws IllegalArgumentException for a path that must not be replaced (a usage error)
     * @throws SnoopException if the existing report cannot be read
     */
    public static ExistingReport check(Path path, String option, String podName, String namespace, boolean replace) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            throw new SnoopException(option + ": cannot inspect the existing file: " + e.getMessage(), e);
        }
        if (attributes.isSymbolicLink()) {
            throw new IllegalArgumentException(option + ": is a symbolic link; name the file itself "
                    + "(the report is replaced by a rename, which would replace the link)");
        }
        if (attributes.isDirectory()) {
            throw new IllegalArgumentException(option + ": is a directory");
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException(option + ": is not a regular file (a device, pipe or socket)");
        }
        if (replace) {
            return new ExistingReport(null, "--replace-report");
        }
        StreamedReport previous;
        try {
            previous = StreamedReport.read(path);
        } catch (AccessDeniedException e) {
            throw new SnoopException(option + ": the existing report cannot be read: permission denied (reports are "
                    + "created 0600: run as the user that wrote it, or give --replace-report to replace it)");
        } catch (IOException e) {
            throw new SnoopException(option + ": the existing report cannot be read: " + e.getMessage(), e);
        } catch (SnoopException e) {
            throw new IllegalArgumentException(option + ": the existing file is not a snoop report (" + e.getMessage()
                    + "); refusing to replace it: remove it, or give --replace-report");
        }
        if (!Objects.equals(previous.podName(), podName) || !Objects.equals(previous.namespace(), namespace)) {
            throw new IllegalArgumentException(option + ": the existing report is of pod " + pod(previous.namespace(),
                    previous.podName()) + ", not " + pod(namespace, podName) + "; refusing to replace it: "
                    + "remove it, or give --replace-report");
        }
        return new ExistingReport(previous, null);
    }

    private static String pod(String namespace, String name) {
        return name == null && namespace == null ? "(none)" : (namespace == null ? "" : namespace + "/") + name;
    }
}
