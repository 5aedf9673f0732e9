package dev.snoop.record;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations as Go's {@code time.ParseDuration} (and so Kubernetes manifests) writes them: a
 * sequence of decimal numbers, each with a unit, e.g. {@code 500ms}, {@code 30s}, {@code 1h30m},
 * {@code 1.5h}. Units: ns, us (or µs), ms, s, m, h, lower-case as in Go. Only positive durations
 * of 1ms to {@link #MAX} are accepted: shorter ones mean nothing to a loop that wakes every second,
 * and longer ones overflow the clock arithmetic of the recording loop (9999999999h did, after the
 * probes were attached), so they are refused while the command line is parsed.
 */
public final class DurationParser {
    /** 366 days: longer than any recording anybody waits for, far from any overflow. */
    public static final Duration MAX = Duration.ofDays(366);
    static final Duration MIN = Duration.ofMillis(1);
    private static final Pattern WHOLE = Pattern.compile("(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, BigDecimal> NANOS = Map.of(
            "ns", BigDecimal.ONE,
            "us", BigDecimal.valueOf(1_000L),
            "µs", BigDecimal.valueOf(1_000L),
            "μs", BigDecimal.valueOf(1_000L),
            "ms", BigDecimal.valueOf(1_000_000L),
            "s", BigDecimal.valueOf(1_000_000_000L),
            "m", BigDecimal.valueOf(60_000_000_000L),
            "h", BigDecimal.valueOf(3_600_000_000_000L));

    private DurationParser() {}

    /** @throws IllegalArgumentException for anything but a duration of 1ms to {@link #MAX} */
    public static Duration parse(String value) {
        if (value.equals("0")) {
            throw new IllegalArgumentException("'" + value + "' is not a positive duration");
        }
        if (value.length() > 100 || !WHOLE.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration such as 500ms, 30s, 5m or 1h "
                    + "(Go syntax, e.g. 1h30m)");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher part = PART.matcher(value);
        while (part.find()) {
            nanos = nanos.add(new BigDecimal(part.group(1).endsWith(".") ? part.group(1) + "0" : part.group(1))
                    .multiply(NANOS.get(part.group(2))));
        }
        if (nanos.signum() == 0) {
            throw new IllegalArgumentException("'" + value + "' is not a positive duration");
        }
        if (nanos.compareTo(BigDecimal.valueOf(MIN.toNanos())) < 0) {
            throw new IllegalArgumentException("'" + value + "' is shorter than the minimum of 1ms");
        }
        if (nanos.compareTo(BigDecimal.valueOf(MAX.toNanos())) > 0) {
            throw new IllegalArgumentException("'" + value + "' is longer than the maximum of " + MAX.toHours() + "h");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /**
     * A duration as it is configured, in the syntax {@link #parse} reads: {@code 30s},
     * {@code 1m30s}, {@code 500ms}, not {@code PT30S}.
     */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (minutes > 0) {
            sb.append(minutes).append('m');
        }
        if (seconds > 0) {
            sb.append(seconds).append('s');
        }
        if (millis > 0) {
            sb.append(millis).append("ms");
        }
        return sb.length() == 0 ? d.toNanos() + "ns" : sb.toString();
    }
}
