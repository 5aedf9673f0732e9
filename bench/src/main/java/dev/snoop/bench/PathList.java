package dev.snoop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Paths packed as UTF-8 into one byte array, so that holding the input of a memory benchmark costs
 * little and every structure under test builds its own Strings, as it would reading a report.
 */
final class PathList {
    private final byte[] data;
    private final int[] offsets;

    private PathList(byte[] data, int[] offsets) {
        this.data = data;
        this.offsets = offsets;
    }

    static PathList of(List<String> paths) {
        int[] offsets = new int[paths.size() + 1];
        int total = 0;
        for (int i = 0; i < paths.size(); i++) {
            offsets[i] = total;
            total += paths.get(i).getBytes(StandardCharsets.UTF_8).length;
        }
        offsets[paths.size()] = total;
        byte[] data = new byte[total];
        for (int i = 0; i < paths.size(); i++) {
            byte[] b = paths.get(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, data, offsets[i], b.length);
        }
        return new PathList(data, offsets);
    }

    /**
     * The input a benchmark names: {@code gen:N[:SEED]} for {@link RealisticPaths}, else a file
     * with one path per line (such as {@code find /usr -xdev} output), kept in file order.
     */
    static List<String> load(String spec) throws IOException {
        if (spec.startsWith("gen:")) {
            String[] parts = spec.split(":");
            long seed = parts.length > 2 ? Long.parseLong(parts[2]) : 42;
            return RealisticPaths.generate(seed, parseCount(parts[1]));
        }
        List<String> paths = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(spec), StandardCharsets.UTF_8)) {
            if (line.startsWith("/")) {
                paths.add(line);
            }
        }
        return paths;
    }

    /** 100000, 100K or 1M. */
    static int parseCount(String s) {
        String t = s.toUpperCase();
        int scale = t.endsWith("K") ? 1000 : t.endsWith("M") ? 1_000_000 : 1;
        return Integer.parseInt(scale == 1 ? t : t.substring(0, t.length() - 1)) * scale;
    }

    static List<String> shuffled(List<String> paths, long seed) {
        List<String> copy = new ArrayList<>(paths);
        Collections.shuffle(copy, new Random(seed));
        return copy;
    }

    /** In path order: by UTF-8 bytes, unsigned, as reports list them. */
    static List<String> sorted(List<String> paths) {
        List<String> copy = new ArrayList<>(paths);
        copy.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return copy;
    }

    int size() {
        return offsets.length - 1;
    }

    /** A new String for path {@code i}. */
    String get(int i) {
        return new String(data, offsets[i], offsets[i + 1] - offsets[i], StandardCharsets.UTF_8);
    }

    long byteCount() {
        return data.length;
    }
}
