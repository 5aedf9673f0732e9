package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link Log}'s line format. */
class LogTest {
    @Test
    void testLog_nullValuesLeftOut_durationsInGoSyntax() {
        StringWriter sink = new StringWriter();
        new Log(new PrintWriter(sink), Log.Level.INFO).info("recording", "interval", Duration.ofSeconds(30),
                "image", null, "report", "/data/r.json");
        String line = sink.toString().trim();
        assertEquals("level=info msg=recording interval=30s report=/data/r.json", line.substring(line.indexOf(" ") + 1));
    }

    @ParameterizedTest
    @CsvSource({"PT30S, 30s", "PT1M30S, 1m30s", "PT0.5S, 500ms", "PT2H, 2h", "PT25H0.001S, 25h1ms", "PT0S, 0s",
        "PT0.000001S, 1000ns"})
    void testGoDuration(Duration d, String expected) {
        assertEquals(expected, DurationParser.format(d));
    }

    @Test
    void testQuote_plainAndQuoted() {
        assertEquals("/usr/bin/sh", Log.quote("/usr/bin/sh"));
        assertEquals("\"a b\"", Log.quote("a b"));
        assertEquals("\"\"", Log.quote(""));
        assertEquals("\"k=v\"", Log.quote("k=v"));
        assertEquals("\"a\\\"b\\\\c\"", Log.quote("a\"b\\c"));
        assertEquals("\"caf\u00e9\"", Log.quote("caf\u00e9"));
    }

    @Test
    void testQuote_controls_escaped() {
        assertEquals("\"/tmp/x\\n+ /usr/bin/sudo\"", Log.quote("/tmp/x\n+ /usr/bin/sudo"));
        assertEquals("\"/\\u001b[31mred\\t\\u000d\"", Log.quote("/\u001b[31mred\t\r"));
        assertEquals("\"/del\\u007f\"", Log.quote("/del\u007f"));
        assertEquals("\"/c1\\u0085\\u009b\"", Log.quote("/c1\u0085\u009b"));
        assertEquals("\"/rtl\\u202eexe\"", Log.quote("/rtl\u202eexe"));
        assertEquals("\"/lone\\ud800\"", Log.quote("/lone\ud800"));
        assertEquals("\"/emoji\ud83d\ude00\"", Log.quote("/emoji\ud83d\ude00"));
    }

    @Test
    void testLog_hostilePath_oneLineNoRawControl() {
        StringWriter out = new StringWriter();
        Log log = new Log(new PrintWriter(out), Log.Level.DEBUG);
        log.debug("new file", "container", "app\u009b", "path", "/tmp/x\ntime=0 level=error msg=forged\u001b[2J");
        String line = out.toString();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.endsWith(" container=\"app\\u009b\" path=\"/tmp/x\\ntime=0 level=error msg=forged\\u001b[2J\"\n"), line);
        assertTrue(line.chars().noneMatch(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f), line);
    }
}
