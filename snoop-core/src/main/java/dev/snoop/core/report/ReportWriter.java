package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.snoop.core.path.SortedPaths;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * Writes a report as deterministic JSON: fields in declaration order, optional fields omitted when
 * unknown, labels and paths sorted, two-space indent and one path per line, so that reports kept
 * in git diff line by line.
 */
final class ReportWriter {
    private final JsonGenerator out;

    ReportWriter(JsonGenerator out) {
        this.out = out;
    }

    void write(Report report) throws IOException {
        out.writeStartObject();
        out.writeNumberField("schema_version", Report.SCHEMA_VERSION);
        optional("pod_name", report.podName());
        optional("namespace", report.namespace());
        out.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> label : report.labels().entrySet()) {
            out.writeStringField(label.getKey(), label.getValue());
        }
        out.writeEndObject();
        optional("started_at", report.startedAt());
        optional("last_updated_at", report.lastUpdatedAt());
        out.writeNumberField("total_events", report.totalEvents());
        out.writeNumberField("dropped_events", report.droppedEvents());
        if (report.mergedReports() > 0) {
            out.writeNumberField("merged_reports", report.mergedReports());
        }
        if (report.recording() != null) {
            write(report.recording());
        }
        out.writeArrayFieldStart("containers");
        for (ContainerReport container : report.containers()) {
            write(container);
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private void write(ContainerReport c) throws IOException {
        out.writeStartObject();
        out.writeStringField("name", c.name());
        optional("container_id", c.containerId());
        if (c.cgroupId() != 0) {
            out.writeNumberField("cgroup_id", c.cgroupId());
        }
        optional("cgroup_path", c.cgroupPath());
        optional("image_ref", c.imageRef());
        optional("image_digest", c.imageDigest());
        optional("started_at", c.startedAt());
        optional("last_updated_at", c.lastUpdatedAt());
        out.writeNumberField("unique_files", c.files().size());
        out.writeNumberField("total_events", c.totalEvents());
        out.writeNumberField("dropped_events", c.droppedEvents());
        Completeness completeness = c.completeness();
        if (completeness != null) {
            out.writeBooleanField("complete", completeness.complete(c.droppedEvents()));
            out.writeNumberField("failed_path_reads", completeness.failedPathReads());
            out.writeNumberField("unresolved_paths", completeness.unresolvedPaths());
            optional("last_new_file_at", completeness.lastNewFileAt());
        }
        out.writeArrayFieldStart("files");
        SortedPaths.Cursor cursor = c.files().cursor();
        while (cursor.next()) {
            ReportJson.writePath(out, cursor);
        }
        out.writeEndArray();
        if (c.access() != null) {
            out.writeArrayFieldStart("access");
            for (int i = 0; i < c.access().size(); i++) {
                out.writeString(AccessKind.letters(c.access().bitsAt(i)));
            }
            out.writeEndArray();
        }
        if (c.files().hasCounts()) {
            out.writeArrayFieldStart("seen_in");
            cursor = c.files().cursor();
            while (cursor.next()) {
                out.writeNumber(cursor.count());
            }
            out.writeEndArray();
        }
        out.writeEndObject();
    }

    private void write(RecordingInfo info) throws IOException {
        out.writeObjectFieldStart("recording");
        optional("snoop_version", info.snoopVersion());
        optional("kernel_release", info.kernelRelease());
        optional("attachment", info.attachment());
        optional("program_set", info.programSet());
        if (!info.notSeen().isEmpty()) {
            out.writeArrayFieldStart("not_seen");
            for (String item : info.notSeen()) {
                out.writeString(item);
            }
            out.writeEndArray();
        }
        out.writeArrayFieldStart("probes");
        for (String probe : info.probes()) {
            out.writeString(probe);
        }
        out.writeEndArray();
        out.writeObjectFieldStart("skipped_probes");
        for (Map.Entry<String, String> skipped : info.skippedProbes().entrySet()) {
            out.writeStringField(skipped.getKey(), skipped.getValue());
        }
        out.writeEndObject();
        out.writeArrayFieldStart("blind_spots");
        for (String blindSpot : info.blindSpots()) {
            out.writeString(blindSpot);
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private void optional(String field, String value) throws IOException {
        if (value != null) {
            out.writeStringField(field, value);
        }
    }

    private void optional(String field, Instant value) throws IOException {
        if (value != null) {
            out.writeStringField(field, value.toString());
        }
    }
}
