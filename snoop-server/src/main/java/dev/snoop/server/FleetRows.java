package dev.snoop.server;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Small helpers of {@link FleetQueries}: reading columns, trimming a page, agreeing fields. */
final class FleetRows {
    private FleetRows() {}

    /** Drops the row past {@code limit} (fetched to know there is a next page); returns the last id kept, or null. */
    static <T> Long trim(Map<Long, T> rows, int limit) {
        if (rows.size() <= limit) {
            return null;
        }
        List<Long> ids = new ArrayList<>(rows.keySet());
        rows.remove(ids.get(limit));
        return ids.get(limit - 1);
    }

    static Set<String> strings(Array array) throws SQLException {
        TreeSet<String> out = new TreeSet<>();
        for (Object o : (Object[]) array.getArray()) {
            if (o != null) {
                out.add((String) o);
            }
        }
        return out;
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static <T> String same(List<T> rows, java.util.function.Function<T, String> field) {
        String first = field.apply(rows.get(0));
        return rows.stream().allMatch(r -> Objects.equals(first, field.apply(r))) ? first : null;
    }

    static <T> Instant earliest(List<T> rows, java.util.function.Function<T, Instant> field) {
        return rows.stream().map(field).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
    }

    static <T> Instant latest(List<T> rows, java.util.function.Function<T, Instant> field) {
        return rows.stream().map(field).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
    }
}
