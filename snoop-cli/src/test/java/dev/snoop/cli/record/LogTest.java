package dev.snoop.cli.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(expected, Log.goDuration(d));
    }
}
