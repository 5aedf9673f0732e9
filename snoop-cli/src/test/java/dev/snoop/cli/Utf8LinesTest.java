package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Utf8Lines} must write what {@code println} of the same text would. */
class Utf8LinesTest {
    @ParameterizedTest
    @CsvSource({
        "1, /a",
        "3, /caf\u00e9/\u65e5\u672c/\uD83D\uDE00",
        "5000, /usr/lib/python3.11/site-packages/some-package/module.py",
        "700, /" + "x" + "/very-long-component-to-cross-the-block-boundary-in-the-middle-of-a-line/\u00e9\u00e9\u00e9",
    })
    void testLines_sameAsPrintln(int count, String path) {
        StringWriter expected = new StringWriter();
        PrintWriter println = new PrintWriter(expected);
        StringWriter actual = new StringWriter();
        Utf8Lines lines = new Utf8Lines(new PrintWriter(actual));
        byte[] utf8 = ("[" + path + "]").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < count; i++) {
            String prefix = i % 2 == 0 ? "- " : "\033[32m+ ";
            println.println(prefix + path + i);
            lines.append(prefix).append(utf8, 1, utf8.length - 2).append(Integer.toString(i)).endLine();
        }
        println.flush();
        lines.flush();
        assertEquals(expected.toString(), actual.toString());
    }
}
