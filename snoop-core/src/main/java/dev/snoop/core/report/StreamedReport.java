package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.PathSet;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A report read as a stream straight into one {@link PathSet} per container, for a recorder that
 * continues it (a restarted sidecar). Unlike {@link ReportJson#read(Path, java.util.function.Consumer)}
 * the document is never held: Jackson reads the file through an 8 KB buffer, each path goes from
 * the parser's characters into the set without a String, and the {@code access} kinds become one
 * value per path. Reading a 100,000-file report this way peaks at the sets themselves, not at the
 * file's bytes, their slices and a String per access kind beside them (docs/performance.md).
 *
 * <p>{@link ReportReader} reads it, as it reads a report whole: the same fields with the same
 * meaning and checks, for the current document, the Go prototype's and the single-container shape;
 * what a recording does not keep ({@code seen_in}, labels, the recording block) is skipped. As
 * there, {@code access} applies only beside a list that was sorted and unique; paths that are not
 * normalized are normalized (a relative one against {@code /}), empty ones dropped
 * ({@link PathSetCollector}).
 */
public final class StreamedReport {
    private final String podName;
    private final String namespace;
    private final Instant startedAt;
    private final List<Container> containers;
    private final long fileCount;

    /**
     * One container of the report.
     *
     * @param files its paths, each with its access bits ({@link AccessKind}) as the value; handed
     *     over to whoever continues the recording, not copied
     */
    public record Container(String name, String containerId, long cgroupId, String cgroupPath, String imageRef,
            String imageDigest, Instant startedAt, Instant lastUpdatedAt, long totalEvents, long droppedEvents,
            Completeness completeness, PathSet files) {}

    private StreamedReport(String podName, String namespace, Instant startedAt, List<Container> containers) {
        this.podName = podName;
        this.namespace = namespace;
        this.startedAt = startedAt;
        this.containers = List.copyOf(containers);
        this.fileCount = containers.stream().mapToLong(c -> c.files().size()).sum();
    }

    public String podName() {
        return podName;
    }

    public String namespace() {
        return namespace;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public List<Container> containers() {
        return containers;
    }

    /** Unique files over all containers, as read. */
    public long fileCount() {
        return fileCount;
    }

    /**
     * @throws SnoopException if the file is not a report (with the reason, as ReportJson words it)
     * @throws IOException if it cannot be read
     */
    public static StreamedReport read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file);
                JsonParser parser = ReportJson.Jackson.FACTORY.createParser(in)) {
            return new ReportReader<>(JsonSource.of(parser), file.toString(), new PathSetSink()).read();
        } catch (JsonProcessingException | CharConversionException e) {
            throw ReportJson.notJson(file.toString(), e);
        }
    }

    /**
     * Takes what {@link ReportReader} reads into the path sets: no {@code seen_in}, labels or
     * recording block, which a recording does not keep (skipped unread); the kinds of access as the
     * values of the paths they line up with, and silently dropped where they do not.
     */
    private static final class PathSetSink implements ReportSink<PathSetCollector, Container, StreamedReport> {
        @Override
        public PathSetCollector newFiles() {
            return new PathSetCollector();
        }

        @Override
        public boolean keepsReportOnlyFields() {
            return false;
        }

        @Override
        public Container container(ContainerFields<PathSetCollector> c) {
            PathSetCollector files = c.files;
            PathSet set = files == null ? new PathSet() : files.finish(c.accessLinesUp(files.size()) ? c.accessBits() : null);
            return new Container(c.name, c.containerId, c.cgroupId, c.cgroupPath, c.imageRef, c.imageDigest, c.startedAt,
                    c.lastUpdatedAt, c.totalEvents, c.droppedEvents, c.completeness(), set);
        }

        @Override
        public StreamedReport report(ReportFields report, ContainerFields<PathSetCollector> top, List<Container> containers) {
            return new StreamedReport(report.podName(), report.namespace(), top.startedAt, containers);
        }
    }
}
