package dev.snoop.cli.record;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses durations as Go and Kubernetes write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
public final class DurationParser implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), value);
            } else if (v.endsWith("s")) {
                return positive(Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1))), value);
            } else if (v.endsWith("m")) {
                return positive(Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1))), value);
            } else if (v.endsWith("h")) {
                return positive(Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1))), value);
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 30s, 5m or 1h");
    }

    private static Duration positive(Duration d, String value) {
        if (d.isZero() || d.isNegative()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration");
        }
        return d;
    }
}
