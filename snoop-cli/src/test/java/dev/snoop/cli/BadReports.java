package dev.snoop.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Report files every reading command must refuse with one line, shared by the command tests. */
final class BadReports {
    private BadReports() {}

    private static Arguments bad(String name, String content, String message) {
        return bad(name, content.getBytes(StandardCharsets.UTF_8), message);
    }

    private static Arguments bad(String name, byte[] content, String message) {
        return Arguments.of(name, content, message);
    }

    /** File name, content, and the message after {@code snoop CMD: <file>: }. */
    static Stream<Arguments> all() {
        return Stream.of(
                bad("empty.json", "", "empty file"),
                bad("truncated.json", "{\"containers\": [{\"files\": [\"/a\"", "truncated JSON (line 1, column 32)"),
                bad("gzip.json", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3},
                        "not valid JSON: Illegal character ((CTRL-CHAR, code 31)): only regular white space"
                                + " (\\r, \\n, \\t) is allowed between tokens (line 1, column 2)"),
                bad("zeros.json", new byte[] {0, 0, 0, '{', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                        "not valid JSON: Invalid UTF-32 character 0xfffeffff (above 0x0010ffff) at char #1, byte #7)"),
                bad("array.json", "[1, 2]", "not a report: expected a JSON object, found an array"),
                bad("files.json", "{\"containers\": [{\"files\": [1]}]}",
                        "'files' must be a list of strings, found a number (line 1, column 28)"),
                bad("filesobj.json", "{\"files\": {\"a\": 1}}",
                        "'files' must be a list of strings, found an object (line 1, column 11)"),
                bad("newer.json", "{\"schema_version\": 2, \"containers\": []}",
                        "schema_version 2 is newer than this snoop reads (1); upgrade snoop"),
                bad("shape.json", "{\"hello\": \"world\"}", "not a report: no 'containers' or 'files' field"),
                bad("deep.json", "{\"containers\": [{\"name\": \"app\", \"files\": [], \"x\": "
                                + "[".repeat(1001) + "]".repeat(1001) + "}]}",
                        "not a report: document nesting depth exceeds the maximum allowed (1000)"),
                bad("huge-name.json", files("/tmp/" + "a".repeat(10_000_000)),
                        "not a report: string value length exceeds the maximum allowed (1048576)"),
                bad("long-name.json", files("/tmp/" + "a".repeat(256)),
                        "'files': a path component of 256 bytes, longer than the 255 a name may have (NAME_MAX): /tmp/"
                                + "a".repeat(59) + "... (line 1, column 43)"),
                bad("long-path.json", files("/abcdefg".repeat(1025)),
                        "'files': a path of 8200 bytes, longer than the 8192 a path may have: " + "/abcdefg".repeat(8)
                                + "... (line 1, column 43)"),
                bad("surrogate.json", files("/a\\ud800b"),
                        "'files': path \"/a\\355\\240\\200b\" holds a lone surrogate (\\ud800), which is no character"
                                + " and has no UTF-8 bytes (line 1, column 43)"),
                bad("surrogate-name.json", "{\"containers\": [{\"name\": \"\\udc00\", \"files\": [\"/a\"]}]}",
                        "'name' holds a lone surrogate (\\udc00), which is no character and has no UTF-8 bytes"
                                + " (line 1, column 26)"));
    }

    /** A report of one container whose files are {@code path}, as it is written in JSON. */
    private static String files(String path) {
        return "{\"containers\": [{\"name\": \"app\", \"files\": [\"" + path + "\"]}]}";
    }

    static Path write(Path dir, String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    /** A file's bytes and modification time, to show that a command left it alone. */
    record Snapshot(Path file, byte[] bytes, FileTime modified) {
        static Snapshot of(Path file) throws Exception {
            // an old time, so that any write would show
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
            return new Snapshot(file, Files.readAllBytes(file), Files.getLastModifiedTime(file));
        }

        boolean unchanged() throws Exception {
            return java.util.Arrays.equals(bytes, Files.readAllBytes(file)) && modified.equals(Files.getLastModifiedTime(file));
        }
    }
}
