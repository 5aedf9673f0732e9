package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuotedPathsTest {

    /** Each name and how it is shown; the expectations are written as Java escapes. */
    private static final String[][] TABLE = {
        {"/usr/bin/sudo", "/usr/bin/sudo"},
        {"/", "/"},
        {"", ""},
        {"/a b/c d", "/a b/c d"},
        {"/tmp/caf\u00e9/\u65e5\u672c/\ud83d\ude00", "/tmp/caf\u00e9/\u65e5\u672c/\ud83d\ude00"},
        {"/lost/\ufffd", "/lost/\ufffd"}, // what the recorder makes of bytes that were not UTF-8: printable
        {"/a'b/~$x*", "/a'b/~$x*"},
        {"x\n+ /usr/bin/sudo", "\"x\\n+ /usr/bin/sudo\""},
        {"/\u001b[31mred", "\"/\\033[31mred\""},
        {"/\t\r\u0007\b\u000b\f", "\"/\\t\\r\\a\\b\\v\\f\""},
        {"/\u0001\u001f", "\"/\\001\\037\""},
        {"/del\u007f", "\"/del\\177\""},
        {"/c1\u0085\u009b", "\"/c1\\302\\205\\302\\233\""}, // NEL, CSI
        {"/a\"b", "\"/a\\\"b\""},
        {"/a\\b", "\"/a\\\\b\""},
        {"\"/x\\n\"", "\"\\\"/x\\\\n\\\"\""}, // a name that looks quoted is quoted again
        {"/ltr\u202etxt.exe", "\"/ltr\\342\\200\\256txt.exe\""}, // right-to-left override
        {"/iso\u2066x\u2069", "\"/iso\\342\\201\\246x\\342\\201\\251\""},
        {"/line\u2028sep", "\"/line\\342\\200\\250sep\""},
        {"/\u00e9\n", "\"/\u00e9\\n\""}, // printable non-ASCII stays as it is inside quotes
        {"/lone\ud800", "\"/lone\\355\\240\\200\""},
        {"/lone\udc00x", "\"/lone\\355\\260\\200x\""},
    };

    @Test
    void testQuote_string_table() {
        List<String> wrong = new ArrayList<>();
        for (String[] row : TABLE) {
            String shown = QuotedPaths.quote(row[0]);
            if (!shown.equals(row[1])) {
                wrong.add(row[0] + " -> " + shown + ", not " + row[1]);
            }
            if (QuotedPaths.needsQuoting(row[0]) == row[0].equals(row[1])) {
                wrong.add(row[0] + ": needsQuoting disagrees with quote");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void testQuote_bytes_sameAsString() {
        List<String> wrong = new ArrayList<>();
        for (String[] row : TABLE) {
            if (!new String(row[0].getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(row[0])) {
                continue; // a lone surrogate has no UTF-8 bytes
            }
            byte[] padded = ("<<" + row[0] + ">>").getBytes(StandardCharsets.UTF_8);
            int length = padded.length - 4;
            String shown = QuotedPaths.quote(padded, 2, length);
            if (!shown.equals(row[1])) {
                wrong.add(row[0] + " -> " + shown + ", not " + row[1]);
            }
            if (QuotedPaths.needsQuoting(padded, 2, length) == row[0].equals(row[1])) {
                wrong.add(row[0] + ": needsQuoting disagrees with quote");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void testQuote_plainName_isTheSameString() {
        String name = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        assertSame(name, QuotedPaths.quote(name));
    }

    @Test
    void testQuote_invalidUtf8_eachByteInOctal() {
        byte[][] cases = {
            {'/', (byte) 0xff, 'x'},
            {'/', (byte) 0xc3}, // cut short
            {'/', (byte) 0xc0, (byte) 0xaf}, // overlong '/'
            {'/', (byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a surrogate
            {'/', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {'/', (byte) 0x80},
        };
        String[] expected = {
            "\"/\\377x\"",
            "\"/\\303\"",
            "\"/\\300\\257\"",
            "\"/\\355\\240\\200\"",
            "\"/\\364\\220\\200\\200\"",
            "\"/\\200\"",
        };
        for (int i = 0; i < cases.length; i++) {
            assertTrue(QuotedPaths.needsQuoting(cases[i], 0, cases[i].length), expected[i]);
            assertEquals(expected[i], QuotedPaths.quote(cases[i], 0, cases[i].length));
        }
    }

    @Test
    void testQuote_everyAsciiByte() {
        for (int b = 0; b < 0x80; b++) {
            String name = "/" + (char) b;
            String shown = QuotedPaths.quote(name);
            boolean plain = b >= 0x20 && b != 0x7f && b != '"' && b != '\\';
            assertEquals(plain, shown.equals(name), "byte " + b);
            assertFalse(shown.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "byte " + b + " shown raw: " + shown);
        }
    }

    @Test
    void testQuote_quotedNamesAreUnambiguous() {
        // every quoted form decodes back to its name, and no two names share a form
        for (String[] row : TABLE) {
            if (!row[1].equals(row[0])) {
                assertTrue(row[1].startsWith("\"") && row[1].endsWith("\""), row[1]);
                assertEquals(-1, row[1].indexOf('\n'));
            } else {
                assertFalse(row[0].startsWith("\""), row[0]);
            }
        }
        assertEquals(row("/a\\n"), "\"/a\\\\n\"");
        assertEquals(row("/a\n"), "\"/a\\n\"");
    }

    private static String row(String name) {
        return QuotedPaths.quote(name);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x1f, 0x7f, 0x80, 0x9f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069, 0xd800, 0xdfff})
    void testIsControl_controls(int codePoint) {
        assertTrue(QuotedPaths.isControl(codePoint));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x20, 0x7e, 0xa0, 0xe9, 0x200b, 0x2027, 0x202f, 0x2065, 0x206a, 0xfffd, 0x1f600})
    void testIsControl_printable(int codePoint) {
        assertFalse(QuotedPaths.isControl(codePoint));
    }
}
