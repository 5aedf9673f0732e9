package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.StrictUtf8;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path must read every report exactly as Jackson does, or hand it to Jackson. */
class ReportScannerTest {

    @ParameterizedTest
    @ValueSource(strings = {
        """
        {"schema_version": 1, "pod_name": "p", "labels": {"app": "shop"}, "total_events": 12,
         "started_at": "2026-11-01T09:00:00Z", "containers": [
          {"name": "app", "cgroup_id": 4242, "files": ["/a", "/a/b", "/a/b/c", "/etc/hosts"]},
          {"name": "side", "files": []}]}
        """,
        "{\"files\": [\"/b\", \"/a\", \"/a\", \"/c//d/\", \"rel/x\", \"/x/./y\", \"/.hidden\", \"/d/..e\"]}",
        "{\"files\": [\"/caf\\u00e9\", \"/t\\tab\", \"/q\\\"uote\"]}",
        "{\"files\": [\"/café/ö\", \"/日本/語\", \"/emoji/\uD83D\uDE00\"]}",
        "{\"files\": null, \"name\": null}",
        "{\"extra\": {\"n\": [1, -2, 3.5, 1e9, -0, true, false, null, {\"k\": \"v\"}, []]}, \"files\": [\"/a\"]}",
        "{\"containers\": [{\"files\": [\"/a\", \"/b\"], \"seen_in\": [2, 1]}], \"merged_reports\": 2}",
        "{\"containers\": [{\"files\": [\"/a\", \"/b\"], \"seen_in\": [2]}]}",
        "  \n\t{\"files\":[\"/\"]}\r\n",
        "{\"total_events\": 123456789012345678901234, \"files\": []}",
        "{\"files\": [\"/a\\u0000b\", \"/c\"]}",
        "{\"files\": [\"/A-1.0_x/B9\", \"/del\u007fx/y\", \"/z~{|}\"]}",
        "{\"files\": [\"/ctl\u0001x\", \"/z\"]}",
    })
    void testRead_validReport_sameAsJackson(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        List<String> fast = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        Report expected = null;
        SnoopException expectedError = null;
        try {
            expected = ReportJson.readWithJackson(bytes, "r.json", slow::add);
        } catch (SnoopException e) {
            expectedError = e;
        }
        if (expectedError != null) {
            SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.read(bytes, "r.json", fast::add));
            assertEquals(expectedError.getMessage(), e.getMessage());
        } else {
            assertEquals(expected, ReportJson.read(bytes, "r.json", fast::add));
            assertEquals(slow, fast);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "[]", "{", "{\"files\": [\"/a\",]}", "{\"files\": [\"/a\" \"/b\"]}", "{\"files\": [\"/a\"]} x",
        "{\"files\": [\"/a\"]}{}", "{\"files\": [1]}", "{\"a\": tru, \"files\": []}",
        "{\"a\": 01, \"files\": []}", "{\"a\": -, \"files\": []}", "{\"a\": 1., \"files\": []}", "{\"a\" 1}",
        "{\"files\": [\"/a\"], }", "{\"files\": \"/a\"}", "{\"schema_version\": 9, \"files\": []}",
        "{\"files\": [\"/a\n\"]}", "{\"files\": [\"/a",
    })
    void testRead_invalidReport_sameErrorAsJackson(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        SnoopException expected = assertThrows(SnoopException.class,
                () -> ReportJson.readWithJackson(bytes, "r.json", w -> {}));
        SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.read(bytes, "r.json", w -> {}));
        assertEquals(expected.getMessage(), e.getMessage());
    }

    @Test
    void testRead_invalidUtf8_leftToJackson() {
        byte[] bytes = {'{', '"', 'f', 'i', 'l', 'e', 's', '"', ':', '[', '"', '/', (byte) 0xc3, '"', ']', '}'};
        SnoopException expected = assertThrows(SnoopException.class,
                () -> ReportJson.readWithJackson(bytes, "r.json", w -> {}));
        SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.read(bytes, "r.json", w -> {}));
        assertEquals(expected.getMessage(), e.getMessage());
    }

    /**
     * Lists that exercise the scanner's comparison with the previous path: where the shared prefix
     * ends (in a character, on a '/', before a quote), and every way a path can fail to be plain.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "/a|/a/b|/a/b/c|/a/bc|/b|/b-c|/b/c|/\u00e9|/\u00e9/a|/\u00e9a|/\u00e8",
        "/a b|/a",
        "/a!|/a",
        "/a|/a",
        "/usr/lib/python3/x.py|/usr/lib/python3/x.py|/usr/lib/python3/y.py",
        "/caf\u00e9|/caf\u00e8|/caf\u00e9",
        "/\u65e5\u672c/a|/\u65e5\u672d|/\u65e5\u672d/\uD83D\uDE00|/\u65e5\u672d/\uD83D\uDE01",
        "/a/.config/x|/a/.config/y|/a/.config/z/w",
        "/a/./x|/a/./y|/a/z",
        "/a/b|/a//c|/a/d",
        "/a/b|/a/.c|/a/./d|/a/../e|/a/..f|/a/.",
        "/a/b|/a/b/|/a/c",
        "/a|b|/c",
        "/a||/b",
        "/|/a|/a/b",
        "/a/..|/a/../b|/b",
        "/a|/c|/b|/d|/c",
        "/a//b|/a/c|/a/d",
        "/a/x|/a/y|/a/y/../z|/a/z|/b",
        "rel|/a",
        "/a/b/c/d/e/f/g|/a/b/c/d/e/f/h|/a/b/c/d/e/g|/a/b/c/d/f|/a/b/d",
    })
    void testRead_sortedListEdgeCases_sameAsJackson(String paths) {
        String list = "[\"" + paths.replace("|", "\",\n        \"") + "\"]";
        String json = "{\"containers\": [{\"name\": \"a\", \"files\": " + list + "}, {\"name\": \"b\", \"files\": "
                + list + ", \"seen_in\": [" + "1,".repeat(paths.split("\\|", -1).length - 1) + "1]}]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        List<String> fast = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        Report expected = ReportJson.readWithJackson(bytes, "r.json", slow::add);
        Report report = ReportJson.read(bytes, "r.json", fast::add);
        assertEquals(expected, report);
        assertEquals(slow, fast);
        assertEquals(expected.containers().get(0).files().toString(), report.containers().get(0).files().toString());
    }

    @Test
    void testRead_characterCutByTheSharedPrefix_leftToJackson() {
        // "/\u00e9" then "/" + its first byte + "a": the shared prefix ends inside the character
        byte[] bytes = {'{', '"', 'f', 'i', 'l', 'e', 's', '"', ':', '[', '"', '/', (byte) 0xc3, (byte) 0xa9, '"', ',',
            '"', '/', (byte) 0xc3, 'a', '"', ']', '}'};
        SnoopException expected = assertThrows(SnoopException.class,
                () -> ReportJson.readWithJackson(bytes, "r.json", w -> {}));
        SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.read(bytes, "r.json", w -> {}));
        assertEquals(expected.getMessage(), e.getMessage());
    }

    @Test
    void testIsWellFormedUtf8_rejectsOverlongSurrogatesAndTruncation() {
        assertTrue(ok("/café"));
        assertTrue(ok("/\uD83D\uDE00"));
        assertFalse(ok(0xc0, 0x80)); // overlong NUL
        assertFalse(ok(0xe0, 0x80, 0x80)); // overlong
        assertFalse(ok(0xed, 0xa0, 0x80)); // a surrogate
        assertFalse(ok(0xf4, 0x90, 0x80, 0x80)); // above U+10FFFF
        assertFalse(ok(0xf5, 0x80, 0x80, 0x80));
        assertFalse(ok(0xe2, 0x82)); // truncated
        assertFalse(ok(0xe2, 0x28, 0xa1)); // bad continuation
        assertFalse(ok(0x80));
    }

    @Test
    void testNextToken_tokensOfADocument() {
        ReportScanner scanner = new ReportScanner("{\"a\": [1, \"x\"], \"b\": {}}".getBytes(StandardCharsets.UTF_8));
        List<JsonToken> tokens = new ArrayList<>();
        JsonToken t;
        while ((t = scanner.nextToken()) != null) {
            tokens.add(t);
        }
        assertEquals(List.of(JsonToken.START_OBJECT, JsonToken.FIELD_NAME, JsonToken.START_ARRAY,
                JsonToken.VALUE_NUMBER_INT, JsonToken.VALUE_STRING, JsonToken.END_ARRAY, JsonToken.FIELD_NAME,
                JsonToken.START_OBJECT, JsonToken.END_OBJECT, JsonToken.END_OBJECT), tokens);
    }

    private static boolean ok(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return StrictUtf8.isWellFormed(b, 0, b.length);
    }

    private static boolean ok(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return StrictUtf8.isWellFormed(b, 0, b.length);
    }
}
