package dev.snoop.core.report;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** The RFC 3339 timestamps of a report ({@code started_at} and the like), as {@link ReportReader} reads them. */
final class ReportTimestamps {
    /** 0001-01-01T00:00:00Z, without parsing it when the class loads. */
    private static final Instant GO_ZERO_TIME = Instant.ofEpochSecond(-62_135_596_800L);

    private ReportTimestamps() {}

    /**
     * The instant {@code text} gives, or null for Go's zero {@code time.Time}, which means "never
     * set".
     *
     * @throws DateTimeParseException if it is not an RFC 3339 timestamp
     */
    static Instant parse(String text) {
        Instant instant = parseUtcSeconds(text);
        if (instant == null) {
            instant = OffsetDateTime.parse(text).toInstant();
        }
        return instant.equals(GO_ZERO_TIME) ? null : instant;
    }

    /**
     * What {@code OffsetDateTime.parse(text).toInstant()} gives for the form snoop writes,
     * {@code 2026-11-01T09:00:00Z}; null for a text of any other form or an invalid date, which the
     * caller leaves to {@code OffsetDateTime.parse}. java.time's parser runs tens of microseconds
     * a call until the JIT has compiled it (about 0.3 s of compiler time), and a merge of 1,000
     * reports reads 4,000 timestamps.
     */
    static Instant parseUtcSeconds(String text) {
        if (text.length() != 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // e.g. February 30: the full parser words the error
        }
    }

    /** The ASCII digits {@code text[from, from + count)} as a number, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
