package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodLabelsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            '"shop"'            | shop
            '""'                | ''
            '"a\\"b"'           | a"b
            '"tab\\there"'      | tab	here
            '"\\u00e9t\\u00e9"' | été
            '"\\x41"'           | A
            '"open'             | NULL
            'bare'              | NULL
            '"a"b"'             | NULL
            '"bad\\q"'          | NULL
            '"\\u12"'           | NULL
            """)
    void unquotesGoStrings(String quoted, String expected) {
        assertEquals(expected, PodLabels.unquote(quoted));
    }

    @Test
    void readsADownwardApiFileAndReportsBadLinesWithoutFailing() throws Exception {
        Path file = Files.writeString(tmp.resolve("labels"),
                "app=\"shop\"\npod-template-hash=\"7d9c5b8f4\"\n\nbroken line\ntier=\"front\\\"end\"\nx=\"unterminated\n");
        PodLabels labels = PodLabels.read(file);
        assertEquals(Map.of("app", "shop", "pod-template-hash", "7d9c5b8f4", "tier", "front\"end"), labels.labels());
        assertEquals(List.of(file + ":4: not a key=\"value\" line", file + ":6: not a key=\"value\" line"), labels.problems());
    }

    @Test
    void aMissingFileIsAProblemNotAFailure() {
        PodLabels labels = PodLabels.read(tmp.resolve("absent"));
        assertEquals(Map.of(), labels.labels());
        assertEquals(1, labels.problems().size());
    }
}
