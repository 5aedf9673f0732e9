package dev.snoop.image;

import java.util.Comparator;

/** Path order as reports use it: by UTF-8 bytes, which is Unicode code point order. */
final class PathOrder {
    static final Comparator<String> COMPARATOR = PathOrder::compare;

    private PathOrder() {}

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
