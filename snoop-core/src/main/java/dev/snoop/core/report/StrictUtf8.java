package dev.snoop.core.report;

/**
 * The UTF-8 that {@link ReportScanner} takes as it is: what Jackson would decode to the same
 * characters. Anything else goes to Jackson, which words the error.
 */
final class StrictUtf8 {
    private StrictUtf8() {}

    /** True if {@code b[from, to)} is strict RFC 3629 UTF-8: no overlong forms, surrogates or code points above U+10FFFF. */
    static boolean isWellFormed(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
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
                return false;
            }
            if (i + more >= to) {
                return false; // truncated
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xc0) != 0x80) {
                    return false;
                }
            }
            i += more + 1;
        }
        return true;
    }
}
