package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's duration syntax, with a minimum of 1ms and a maximum of 366 days. */
class DurationParserTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            500ms     | PT0.5S
            30s       | PT30S
            5m        | PT5M
            1h        | PT1H
            1h30m     | PT1H30M
            1.5h      | PT1H30M
            .5s       | PT0.5S
            2m3.5s    | PT2M3.5S
            1500us    | PT0.0015S
            1000000ns | PT0.001S
            8784h     | PT8784H
            """)
    void testParse_goSyntax(String value, String expected) {
        assertEquals(Duration.parse(expected), DurationParser.parse(value));
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @CsvSource(delimiter = '|', textBlock = """
            9999999999h            | longer than the maximum of 8784h
            8785h                  | longer than the maximum of 8784h
            99999999999999999999s  | longer than the maximum of 8784h
            9223372036854775807ms  | longer than the maximum of 8784h
            0s                     | not a positive duration
            0                      | not a positive duration
            999us                  | shorter than the minimum of 1ms
            -5s                    | is not a duration
            5                      | is not a duration
            5S                     | is not a duration
            1h 30m                 | is not a duration
            ' 30s'                 | is not a duration
            soon                   | is not a duration
            ''                     | is not a duration
            """)
    void testParse_refused(String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(value));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
