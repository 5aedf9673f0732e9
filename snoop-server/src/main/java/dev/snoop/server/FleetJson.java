package dev.snoop.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.diff.ContainerDiff;
import dev.snoop.diff.ReportDiff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The fleet API's answers as JSON (docs/fleet.md): one line each, except the union, which is a
 * report as {@code snoop merge --with-counts} writes it, and the diff, which is what {@code snoop
 * diff --format json} prints. Fields are snake_case as in reports; unknown values are omitted or
 * null as each route documents.
 */
final class FleetJson {
    /** The routes under {@code /v1/images/{key}}. */
    static final List<String> IMAGE_ROUTES = List.of("/summary", "/report", "/instances", "/timeline", ImageTrees.SUFFIX);

    private static final JsonFactory FACTORY = new JsonFactory();

    private FleetJson() {}

    private interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private static byte[] oneLine(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // memory only
        }
        out.write('\n');
        return out.toByteArray();
    }

    static byte[] workloads(FleetQueries.Page<FleetQueries.WorkloadRow> page) {
        return oneLine(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("workloads");
            for (FleetQueries.WorkloadRow w : page.items()) {
                json.writeStartObject();
                json.writeStringField("namespace", w.namespace());
                json.writeStringField("kind", w.kind());
                json.writeStringField("name", w.name());
                strings(json, "containers", w.containers());
                json.writeNumberField("instances", w.instances());
                time(json, "last_report_at", w.lastReportAt());
                json.writeArrayFieldStart("images");
                for (FleetQueries.ImageUse use : w.images()) {
                    json.writeStartObject();
                    json.writeStringField("container", use.container());
                    nullable(json, "image", use.key());
                    nullable(json, "digest", use.digest());
                    nullable(json, "ref", use.ref());
                    json.writeNumberField("instances", use.instances());
                    time(json, "last_report_at", use.lastReportAt());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            next(json, page);
            json.writeEndObject();
        });
    }

    static byte[] images(FleetQueries.Page<FleetQueries.ImageRow> page) {
        return oneLine(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("images");
            for (FleetQueries.ImageRow i : page.items()) {
                json.writeStartObject();
                json.writeStringField("image", i.key());
                nullable(json, "digest", i.digest());
                nullable(json, "ref", i.ref());
                strings(json, "containers", i.containers());
                strings(json, "workloads", i.workloads());
                json.writeNumberField("instances", i.instances());
                json.writeNumberField("complete", i.complete());
                json.writeNumberField("max_instance_files", i.maxInstanceFiles());
                time(json, "first_report_at", i.firstReportAt());
                time(json, "last_report_at", i.lastReportAt());
                json.writeBooleanField("tree_attached", i.treeAttached());
                json.writeEndObject();
            }
            json.writeEndArray();
            next(json, page);
            json.writeEndObject();
        });
    }

    /** The summary of an image's union: counts only, never a file list. */
    static byte[] summary(String key, FleetQueries.Union union, long recentSeconds, boolean treeAttached) {
        Instant now = Instant.now();
        List<FleetQueries.InstanceRow> rows = union.instances();
        return oneLine(json -> {
            json.writeStartObject();
            json.writeStringField("image", key);
            ContainerReport any = union.report().containers().get(0);
            nullable(json, "digest", any.imageDigest());
            nullable(json, "ref", any.imageRef());
            json.writeNumberField("merged_reports", union.report().mergedReports());
            json.writeArrayFieldStart("containers");
            for (ContainerReport c : union.report().containers()) {
                int instances = union.instancesByContainer().get(c.name());
                long every = 0;
                long one = 0;
                SortedPaths.Cursor cursor = c.files().cursor();
                while (cursor.next()) {
                    every += cursor.count() >= instances ? 1 : 0;
                    one += cursor.count() == 1 ? 1 : 0;
                }
                json.writeStartObject();
                json.writeStringField("name", c.name());
                json.writeNumberField("instances", instances);
                json.writeNumberField("files", c.files().size());
                json.writeNumberField("files_in_every_instance", every);
                json.writeNumberField("files_in_one_instance", one);
                json.writeNumberField("total_events", c.totalEvents());
                json.writeNumberField("dropped_events", c.droppedEvents());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeObjectFieldStart("coverage");
            json.writeNumberField("instances", rows.size());
            json.writeNumberField("instances_with_files", rows.stream().filter(r -> r.files() > 0).count());
            json.writeNumberField("instances_reporting_recently", rows.stream().filter(r -> r.lastUpdatedAt() != null
                    && r.lastUpdatedAt().isAfter(now.minusSeconds(recentSeconds))).count());
            json.writeNumberField("recent_seconds", recentSeconds);
            tri(json, "complete", rows.stream().map(FleetQueries.InstanceRow::complete).toList());
            tri(json, "from_start", rows.stream().map(FleetQueries.InstanceRow::fromStart).toList());
            time(json, "first_report_at", rows.stream().map(FleetQueries.InstanceRow::firstReportAt)
                    .filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null));
            time(json, "last_report_at", rows.stream().map(FleetQueries.InstanceRow::lastUpdatedAt)
                    .filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(null));
            Instant lastNew = rows.stream().map(FleetQueries.InstanceRow::lastNewFileAt)
                    .filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(null);
            time(json, "last_new_file_at", lastNew);
            since(json, "seconds_since_last_new_file", lastNew, now);
            json.writeEndObject();
            json.writeBooleanField("tree_attached", treeAttached);
            json.writeEndObject();
        });
    }

    /** The union as a report, in the report format (docs/report-format.md). */
    static byte[] report(Report report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ReportJson.write(report, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] instances(FleetQueries.Page<FleetQueries.InstanceRow> page, Instant now) {
        return oneLine(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("instances");
            for (FleetQueries.InstanceRow r : page.items()) {
                json.writeStartObject();
                json.writeStringField("namespace", r.namespace());
                json.writeStringField("pod_name", r.podName());
                json.writeStringField("container", r.containerName());
                json.writeStringField("workload_kind", r.workloadKind());
                json.writeStringField("workload", r.workloadName());
                nullable(json, "pod_uid", r.podUid());
                nullable(json, "container_id", r.containerId());
                time(json, "started_at", r.startedAt().equals(Instant.EPOCH) ? null : r.startedAt());
                time(json, "recording_started_at", r.recordingStartedAt());
                bool(json, "from_start", r.fromStart());
                json.writeNumberField("files", r.files());
                bool(json, "complete", r.complete());
                json.writeNumberField("total_events", r.totalEvents());
                json.writeNumberField("dropped_events", r.droppedEvents());
                json.writeNumberField("failed_path_reads", r.failedPathReads());
                json.writeNumberField("unresolved_paths", r.unresolvedPaths());
                time(json, "first_report_at", r.firstReportAt());
                time(json, "last_report_at", r.lastUpdatedAt());
                time(json, "last_new_file_at", r.lastNewFileAt());
                since(json, "seconds_since_last_new_file", r.lastNewFileAt(), now);
                json.writeEndObject();
            }
            json.writeEndArray();
            next(json, page);
            json.writeEndObject();
        });
    }

    /** @param requestedSeconds the width asked for: the one used when there is a single bucket (nothing was widened) */
    static byte[] timeline(List<FleetQueries.Bucket> buckets, long requestedSeconds) {
        return oneLine(json -> {
            json.writeStartObject();
            long bucket = buckets.size() > 1
                    ? Duration.between(buckets.get(0).start(), buckets.get(1).start()).getSeconds() : requestedSeconds;
            json.writeNumberField("bucket_seconds", bucket);
            json.writeArrayFieldStart("buckets");
            long files = 0;
            for (FleetQueries.Bucket b : buckets) {
                files += b.newFiles();
                json.writeStartObject();
                json.writeStringField("start", b.start().toString());
                json.writeNumberField("new_files", b.newFiles());
                json.writeNumberField("files", files);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** As {@code snoop diff --format json}: one container's diff as an object, several under "containers". */
    static byte[] diff(Report older, Report newer, String container) {
        ReportDiff diff = ReportDiff.of(older, newer, container);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            if (diff.containers().size() == 1) {
                diffContainer(json, diff.containers().get(0), false);
            } else {
                json.writeStartObject();
                json.writeArrayFieldStart("containers");
                for (ContainerDiff c : diff.containers()) {
                    diffContainer(json, c, true);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void diffContainer(JsonGenerator json, ContainerDiff c, boolean named) throws IOException {
        json.writeStartObject();
        if (named) {
            json.writeStringField("name", c.name());
        }
        paths(json, "removed", c.removed());
        paths(json, "added", c.added());
        json.writeNumberField("unchanged_count", c.unchangedCount());
        json.writeEndObject();
    }

    private static void paths(JsonGenerator json, String field, SortedPaths paths) throws IOException {
        json.writeArrayFieldStart(field);
        SortedPaths.Cursor cursor = paths.cursor();
        while (cursor.next()) {
            ReportJson.writePath(json, cursor);
        }
        json.writeEndArray();
    }

    /** Counts of true, false and unknown. */
    private static void tri(JsonGenerator json, String field, List<Boolean> values) throws IOException {
        json.writeObjectFieldStart(field);
        json.writeNumberField("true", values.stream().filter(Boolean.TRUE::equals).count());
        json.writeNumberField("false", values.stream().filter(Boolean.FALSE::equals).count());
        json.writeNumberField("unknown", values.stream().filter(java.util.Objects::isNull).count());
        json.writeEndObject();
    }

    private static void next(JsonGenerator json, FleetQueries.Page<?> page) throws IOException {
        nullable(json, "next_cursor", FleetHandler.Cursor.encode(page.nextAfter()));
    }

    private static void strings(JsonGenerator json, String field, Set<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String v : values) {
            json.writeString(v);
        }
        json.writeEndArray();
    }

    private static void nullable(JsonGenerator json, String field, String value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, value);
        }
    }

    private static void bool(JsonGenerator json, String field, Boolean value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeBooleanField(field, value);
        }
    }

    private static void time(JsonGenerator json, String field, Instant value) throws IOException {
        nullable(json, field, value == null ? null : value.toString());
    }

    private static void since(JsonGenerator json, String field, Instant then, Instant now) throws IOException {
        if (then == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, Math.max(0, Duration.between(then, now).getSeconds()));
        }
    }
}
