package dev.snoop.core.path;

import java.util.Arrays;

/**
 * Paths left where a reader found them: slices of a larger byte array, such as a report file's
 * bytes, each given by where it starts and how long it is. Taking a sorted list this way copies no
 * path at all, which suits the commands that read a report once and move on (diff, merge); the
 * price is that the slices keep the whole array alive.
 *
 * @param source the array the paths lie in
 * @param bounds path {@code i} starts at {@code bounds[2i]} and is {@code bounds[2i + 1]} bytes long
 */
record PathSlices(byte[] source, int[] bounds) {
    int start(int i) {
        return bounds[2 * i];
    }

    int length(int i) {
        return bounds[2 * i + 1];
    }

    /** The bytes of the first {@code size} paths themselves, without the rest of the source. */
    long pathBytes(int size) {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += length(i);
        }
        return sum;
    }

    /** Where {@code key} is among the first {@code size} paths, which are ascending, or -1. */
    int indexOf(byte[] key, int size) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(source, start(mid), start(mid) + length(mid), key, 0, key.length);
            if (c == 0) {
                return mid;
            } else if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /**
     * How many paths after path {@code i} (of {@code size}) equal those after path {@code j} of
     * {@code other} (of {@code otherSize}), counting only while the two lie alike in their arrays:
     * found with one comparison of all the bytes from paths {@code i} and {@code j} on.
     */
    int sameRun(int i, int size, PathSlices other, int j, int otherSize) {
        int from = start(i);
        int otherFrom = other.start(j);
        int limit = start(size - 1) + length(size - 1);
        int otherLimit = other.start(otherSize - 1) + other.length(otherSize - 1);
        int same = Arrays.mismatch(source, from, limit, other.source, otherFrom, otherLimit);
        if (same < 0) {
            same = Math.min(limit - from, otherLimit - otherFrom);
        }
        // a path is in the run if it lies as far from the first as its partner does, is as long, and
        // ends within the bytes found equal
        int run = 0;
        while (i + run + 1 < size && j + run + 1 < otherSize) {
            int start = start(i + run + 1) - from;
            int pathLength = length(i + run + 1);
            if (start != other.start(j + run + 1) - otherFrom || pathLength != other.length(j + run + 1)
                    || start + pathLength > same) {
                break;
            }
            run++;
        }
        return run;
    }
}
