package dev.snoop.core.path;

/**
 * Strict RFC 3629 UTF-8 (no overlong forms, surrogates or code points above U+10FFFF): what the
 * report scanner takes as it is (anything else goes to Jackson, which words the error), and what
 * {@link QuotedPaths} prints unescaped.
 */
public final class StrictUtf8 {
    private StrictUtf8() {}

    /** True if {@code b[from, to)} is strict UTF-8 throughout. */
    public static boolean isWellFormed(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            if (b[i] >= 0) { // ASCII, the common case, without the call
                i++;
                continue;
            }
            int n = sequenceLength(b, i, to);
            if (n == 0) {
                return false;
            }
            i += n;
        }
        return true;
    }

    /**
     * The length of the well-formed sequence that starts at {@code i} (before {@code end}), or 0
     * if the byte there starts none (a stray continuation byte, an overlong or truncated form, a
     * surrogate, beyond U+10FFFF).
     */
    public static int sequenceLength(byte[] b, int i, int end) {
        int c = b[i] & 0xff;
        int more;
        int lo = 0x80;
        int hi = 0xbf;
        if (c < 0x80) {
            return 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            more = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2;
            lo = c == 0xe0 ? 0xa0 : lo;
            hi = c == 0xed ? 0x9f : hi;
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3;
            lo = c == 0xf0 ? 0x90 : lo;
            hi = c == 0xf4 ? 0x8f : hi;
        } else {
            return 0;
        }
        if (i + more >= end) {
            return 0; // truncated
        }
        int second = b[i + 1] & 0xff;
        if (second < lo || second > hi) {
            return 0;
        }
        for (int k = 2; k <= more; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return 0;
            }
        }
        return more + 1;
    }
}
