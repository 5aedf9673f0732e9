package dev.snoop.core.report;

import static dev.snoop.core.report.ReportScanner.MAX_STRING;
import static dev.snoop.core.report.ReportScanner.UNSUPPORTED;

import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.StrictUtf8;
import java.util.Arrays;

/**
 * The hot loop of {@link ReportScanner}: a {@code files} list, read straight from the report's
 * bytes into a {@link PathCollector}. A 1,000,000-file report spends most of its reading time here.
 */
final class PathListScanner {
    /**
     * What each byte means inside a path string, looked up once per byte: digits, '.', '-' and
     * capitals, frequent in paths, cost the hot loop one comparison instead of five.
     */
    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte SLASH = 2;
    private static final byte NON_ASCII = 3;
    private static final byte ESCAPE_OR_CONTROL = 4;
    private static final byte[] KIND = new byte[256];

    static {
        for (int b = 0; b < 0x20; b++) {
            KIND[b] = ESCAPE_OR_CONTROL;
        }
        KIND['\\'] = ESCAPE_OR_CONTROL;
        KIND['"'] = QUOTE;
        KIND['/'] = SLASH;
        for (int b = 0x80; b < 0x100; b++) {
            KIND[b] = NON_ASCII;
        }
    }

    private PathListScanner() {}

    /**
     * A list of strings, each passed on to {@code files} as bytes. Reports list their paths sorted, so
     * a path mostly repeats a long prefix of the one before it ({@code /usr/lib/python3/...}): one
     * vectorized {@link Arrays#mismatch} against the previous path gives that prefix, the order of
     * the two paths, and the part already known to be plain text, so only the rest is looked at byte
     * by byte. Looking for the closing quote, the scan also notes where a '/' is followed by '/' or
     * '.', without which an absolute path with no trailing '/' is normalized.
     *
     * @param pos just after the list's '['
     * @return just after its ']'
     * @throws ReportScanner.Unsupported where Jackson must take over
     */
    static int addAll(byte[] json, int pos, PathCollector files) {
        int end = json.length;
        pos = skipWhitespace(json, pos);
        if (at(json, pos) == ']') {
            return pos + 1;
        }
        int previous = -1; // where the previous path's bytes start
        int previousLength = 0;
        int previousPairAt = -1; // where in the previous path a '/' is first followed by '/' or '.'
        while (true) {
            if (json[pos] != '"') {
                throw UNSUPPORTED; // not a string: Jackson reports where
            }
            int start = pos + 1;
            int mismatch = -1;
            int shared = 0;
            if (previous >= 0) {
                int max = Math.min(previousLength, end - start);
                mismatch = Arrays.mismatch(json, previous, previous + max, json, start, start + max);
                shared = mismatch < 0 ? max : mismatch;
            }
            // The shared prefix was checked as part of the previous path; its last byte is looked at
            // again, for a '/' that a '/' or '.' follows and for a character it may have cut in two.
            int i = Math.max(start, start + shared - 1);
            int pairAt = previousPairAt >= 0 && previousPairAt + 1 < shared ? previousPairAt : -1;
            boolean ascii = true;
            while (true) {
                if (i >= end - 1) {
                    throw UNSUPPORTED; // no closing quote before the end, which must be '}'
                }
                byte b = json[i];
                int kind = KIND[b & 0xff];
                if (kind == PLAIN) {
                    i++;
                    continue;
                }
                if (kind == QUOTE) {
                    break;
                }
                if (kind == SLASH) {
                    if (pairAt < 0) {
                        byte next = json[i + 1];
                        if (next == '/' || next == '.') {
                            pairAt = i - start;
                        }
                    }
                } else if (kind == NON_ASCII) {
                    ascii = false;
                } else {
                    throw UNSUPPORTED; // an escape or a control character
                }
                i++;
            }
            int length = i - start;
            if (length > MAX_STRING || !ascii && !StrictUtf8.isWellFormed(json, start, i)) {
                throw UNSUPPORTED;
            }
            boolean ascending = previous < 0
                    || (mismatch < 0 ? length > previousLength
                            : mismatch < length && (json[previous + mismatch] & 0xff) < (json[start + mismatch] & 0xff));
            boolean normalized = length > 0 && json[start] == '/' && (length == 1 || json[i - 1] != '/')
                    && (pairAt < 0 || PathNormalizer.isNormalized(json, start, length));
            if (ascending && normalized) {
                files.addAfterPrevious(json, start, length, shared);
            } else {
                files.add(json, start, length, true);
            }
            previous = start;
            previousLength = length;
            previousPairAt = pairAt;
            pos = skipWhitespace(json, i + 1);
            byte b = at(json, pos);
            pos++;
            if (b == ']') {
                return pos;
            }
            if (b != ',') {
                throw UNSUPPORTED;
            }
            pos = skipWhitespace(json, pos);
            at(json, pos);
        }
    }

    /** The byte at {@code pos}; refused at the end of the report, which a list cannot reach. */
    private static byte at(byte[] json, int pos) {
        if (pos >= json.length) {
            throw UNSUPPORTED;
        }
        return json[pos];
    }

    private static int skipWhitespace(byte[] json, int pos) {
        while (pos < json.length) {
            byte b = json[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return pos;
            }
            pos++;
        }
        return pos;
    }
}
