package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.snoop.core.path.SortedPaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validates the example reports and what {@link ReportWriter} writes against {@code docs/report-schema.json}. */
class ReportSchemaTest {
    private static final Path ROOT = Path.of(System.getProperty("snoop.root", ".."));
    private static final Path SCHEMA = ROOT.resolve("docs/report-schema.json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonSchema schema;
    private static JsonNode schemaNode;

    @BeforeAll
    static void loadSchema() throws Exception {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        schemaNode = MAPPER.readTree(SCHEMA.toFile());
        schema = factory.getSchema(schemaNode, config);
    }

    private static Set<ValidationMessage> validate(String json) throws Exception {
        return schema.validate(MAPPER.readTree(json));
    }

    private static String written(Report report) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReportJson.write(report, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void testSchema_isValidDraft202012() throws Exception {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonSchema meta = factory.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertEquals(Set.of(), meta.validate(schemaNode));
    }

    static Stream<Path> examples() throws Exception {
        try (Stream<Path> walk = Files.walk(ROOT.resolve("examples"))) {
            List<Path> files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertFalse(files.isEmpty(), "no example reports found under " + ROOT.resolve("examples"));
            return files.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void testExample_valid(Path file) throws Exception {
        assertEquals(Set.of(), validate(Files.readString(file)));
    }

    /** The example in docs/report-format.md is a valid report in the written form. */
    @Test
    void testFormatDocExample_validAndWrittenForm() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/report-format.md"));
        int start = doc.indexOf("```json\n") + "```json\n".length();
        String example = doc.substring(start, doc.indexOf("```", start));
        assertEquals(Set.of(), validate(example));
        List<String> warnings = new ArrayList<>();
        Report report = ReportJson.read(new ByteArrayInputStream(example.getBytes(StandardCharsets.UTF_8)), "doc", warnings::add);
        assertEquals(List.of(), warnings);
        assertEquals(example, written(report));
    }

    static Stream<Arguments> writtenReports() {
        SortedPaths odd = SortedPaths.of("/", "/tmp/quote\"d", "/tmp/new\nline", "/\u00e9t\u00e9", "/\ud83d\ude00", "/a/..b", "/a/.c");
        return Stream.of(
                Arguments.of("every field", ReportWriterTest.full()),
                Arguments.of("no containers", Report.of(List.of())),
                Arguments.of("unnamed, no files", Report.of(List.of(ContainerReport.of("", SortedPaths.empty())))),
                Arguments.of("unusual paths", Report.of(List.of(ContainerReport.of("app", odd)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writtenReports")
    void testWrittenReport_valid(String what, Report report) throws Exception {
        assertEquals(Set.of(), validate(written(report)));
    }

    @Test
    void testLegacyShapes_rewritten_valid() throws Exception {
        String go = "{\"pod_name\": \"web-0\", \"labels\": null, \"containers\": [{\"name\": \"nginx\", \"files\": [\"/b\", \"/a\"]}]}";
        String single = "{\"container_id\": \"abc\", \"image_ref\": \"nginx:1.27\", \"files\": [\"etc/x\", \"/y\"], \"total_events\": 3}";
        for (String legacy : List.of(go, single)) {
            assertFalse(validate(legacy).isEmpty(), "legacy shapes are read, but they are not the written format");
            Report report = ReportJson.read(new ByteArrayInputStream(legacy.getBytes(StandardCharsets.UTF_8)), "legacy", w -> { });
            assertEquals(Set.of(), validate(written(report)));
        }
    }

    /** Every field the writer writes is described in the schema. */
    @Test
    void testSchema_describesEveryWrittenField() throws Exception {
        JsonNode report = MAPPER.readTree(written(ReportWriterTest.full()));
        JsonNode topProperties = schemaNode.get("properties");
        JsonNode containerProperties = schemaNode.get("$defs").get("container").get("properties");
        List<String> missing = new ArrayList<>();
        report.fieldNames().forEachRemaining(f -> {
            if (!topProperties.has(f)) {
                missing.add(f);
            }
        });
        for (JsonNode container : report.get("containers")) {
            container.fieldNames().forEachRemaining(f -> {
                if (!containerProperties.has(f)) {
                    missing.add("containers[]." + f);
                }
            });
        }
        assertEquals(List.of(), missing);
        assertDescribed(schemaNode, "");
    }

    private static void assertDescribed(JsonNode node, String where) {
        for (String group : List.of("properties", "defs")) {
            JsonNode children = node.get(group);
            if (children == null) {
                continue;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = children.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String path = where + "/" + field.getKey();
                if (group.equals("properties")) {
                    assertTrue(field.getValue().has("description"), path + " has no description");
                }
                assertDescribed(field.getValue(), path);
            }
        }
    }

    private static final String VALID = """
            {"schema_version": 1, "labels": {}, "total_events": 1, "dropped_events": 0,
             "containers": [{"name": "app", "unique_files": 1, "total_events": 1, "dropped_events": 0, "files": [%s]%s}]%s}
            """;

    private static String doc(String files, String containerExtra, String topExtra) {
        return VALID.formatted(files, containerExtra, topExtra);
    }

    @Test
    void testUnknownFields_allowedAtEveryLevel() throws Exception {
        String json = doc("\"/a\"", ", \"access\": [\"xr\"], \"complete\": true, \"failed_path_reads\": 0,"
                + " \"unresolved_paths\": 2, \"last_new_file_at\": \"2026-01-01T00:00:00Z\"",
                ", \"recording\": {\"node\": \"n1\"}, \"complete\": false");
        assertEquals(Set.of(), validate(json));
    }

    static Stream<Arguments> invalidDocuments() {
        return Stream.of(
                Arguments.of("files an object", doc("\"/a\"", "", "").replace("\"files\": [\"/a\"]", "\"files\": {\"/a\": 1}"), "/containers/0/files"),
                Arguments.of("files with a number", doc("\"/a\", 1", "", ""), "/containers/0/files/1"),
                Arguments.of("files a string", doc("\"/a\"", "", "").replace("[\"/a\"]", "\"/a\""), "/containers/0/files"),
                Arguments.of("relative path", doc("\"etc/passwd\"", "", ""), "/containers/0/files/0"),
                Arguments.of("dot component", doc("\"/a/./b\"", "", ""), "/containers/0/files/0"),
                Arguments.of("dot-dot component", doc("\"/a/..\"", "", ""), "/containers/0/files/0"),
                Arguments.of("double slash", doc("\"/a//b\"", "", ""), "/containers/0/files/0"),
                Arguments.of("trailing slash", doc("\"/a/\"", "", ""), "/containers/0/files/0"),
                Arguments.of("duplicate path", doc("\"/a\", \"/a\"", "", ""), "/containers/0/files"),
                Arguments.of("newer schema_version", doc("\"/a\"", "", "").replace("\"schema_version\": 1", "\"schema_version\": 2"), "/schema_version"),
                Arguments.of("no containers", "{\"schema_version\": 1, \"labels\": {}, \"total_events\": 0, \"dropped_events\": 0}", ""),
                Arguments.of("negative counter", doc("\"/a\"", "", "").replace("\"dropped_events\": 0,\n", "\"dropped_events\": -1,\n"), "/dropped_events"),
                Arguments.of("bad timestamp", doc("\"/a\"", ", \"started_at\": \"yesterday\"", ""), "/containers/0/started_at"),
                Arguments.of("label not a string", doc("\"/a\"", "", "").replace("\"labels\": {}", "\"labels\": {\"tier\": 1}"), "/labels/tier"),
                Arguments.of("container without name", doc("\"/a\"", "", "").replace("\"name\": \"app\", ", ""), "/containers/0"),
                Arguments.of("an array", "[]", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDocuments")
    void testInvalidDocument_fails(String what, String json, String location) throws Exception {
        Set<ValidationMessage> errors = validate(json);
        assertFalse(errors.isEmpty(), what + " should fail");
        assertTrue(errors.stream().anyMatch(e -> e.getInstanceLocation().toString().equals(location)),
                "expected an error at " + location + ", got " + errors);
    }
}
