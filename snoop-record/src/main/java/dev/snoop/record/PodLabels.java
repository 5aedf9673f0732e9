package dev.snoop.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the pod's labels from a Kubernetes downward API volume file: one {@code key="value"} per
 * line, the value quoted as Go's {@code strconv.Quote} does. A malformed line is skipped and
 * reported, never fatal: labels only describe the report.
 *
 * @param labels the labels read
 * @param problems one message per line that could not be read
 */
public record PodLabels(Map<String, String> labels, List<String> problems) {

    public static PodLabels read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return new PodLabels(Map.of(), List.of(file + ": cannot read: " + e.getMessage()));
        }
        Map<String, String> labels = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String value = eq > 0 ? unquote(line.substring(eq + 1)) : null;
            if (value == null) {
                problems.add(file + ":" + (i + 1) + ": not a key=\"value\" line");
                continue;
            }
            labels.put(line.substring(0, eq), value);
        }
        return new PodLabels(labels, problems);
    }

    /** The text of a Go-quoted string, or null if {@code quoted} is not one. */
    static String unquote(String quoted) {
        if (quoted.length() < 2 || quoted.charAt(0) != '"' || quoted.charAt(quoted.length() - 1) != '"') {
            return null;
        }
        StringBuilder sb = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '"') {
                return null; // an unescaped quote inside
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= quoted.length() - 1) {
                return null;
            }
            char e = quoted.charAt(i);
            switch (e) {
                case '"', '\\', '\'' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + digits >= quoted.length()) {
                        return null;
                    }
                    try {
                        sb.appendCodePoint(Integer.parseInt(quoted.substring(i + 1, i + 1 + digits), 16));
                    } catch (IllegalArgumentException bad) {
                        return null;
                    }
                    i += digits;
                }
                default -> {
                    return null;
                }
            }
        }
        return sb.toString();
    }
}
