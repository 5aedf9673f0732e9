package dev.snoop.core.path;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Names as text output shows them. A file name may hold any byte but NUL and '/', so a name printed
 * as it is can end a line and forge the next ({@code "x\n+ /usr/bin/sudo"} in a diff), or send
 * escape sequences to the terminal. A name that needs it is therefore quoted as
 * {@code ls --quoting-style=c} and git's {@code core.quotePath} do: in double quotes, with
 * {@code \a \b \t \n \v \f \r \" \\} and every other byte to escape as three octal digits
 * ({@code \033} for ESC). Every other name, nearly all of them, is shown as it is.
 *
 * <p>A name is quoted if it contains a control character (C0, DEL, C1), a character that reorders
 * or breaks the text around it (U+2028, U+2029, the bidirectional embeddings, overrides and
 * isolates U+202A..U+202E and U+2066..U+2069), bytes that are not UTF-8 (or, in a String, a lone
 * surrogate, escaped as the three bytes it would take), a double quote or a backslash. The last two
 * make the quoting unambiguous: a plain name never starts with a double quote, and inside quotes a
 * backslash always starts an escape. Other characters, U+FFFD among them, are printable and stay
 * as they are.
 */
public final class QuotedPaths {
    private QuotedPaths() {}

    /**
     * True for a code point that text output must not show as it is: C0 controls, DEL, C1
     * controls, line and paragraph separators, bidirectional controls, and surrogates (which, alone
     * in a String, are no character).
     */
    public static boolean isControl(int codePoint) {
        return codePoint < 0x20 || codePoint >= 0x7f && codePoint <= 0x9f
                || codePoint >= 0x2028 && codePoint <= 0x202e
                || codePoint >= 0x2066 && codePoint <= 0x2069
                || codePoint >= 0xd800 && codePoint <= 0xdfff;
    }

    /** True if {@code name} is shown quoted. */
    public static boolean needsQuoting(String name) {
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (c == '"' || c == '\\' || isControl(c)) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }

    /** True if the name {@code bytes[offset, offset + length)} is shown quoted. */
    public static boolean needsQuoting(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                if (b < 0x20 || b == 0x7f || b == '"' || b == '\\') {
                    return true;
                }
                i++;
                continue;
            }
            int n = StrictUtf8.sequenceLength(bytes, i, end);
            if (n == 0 || isControl(decode(bytes, i, n))) {
                return true;
            }
            i += n;
        }
        return false;
    }

    /** {@code name} as text output shows it: itself, or quoted. */
    public static String quote(String name) {
        if (!needsQuoting(name)) {
            return name;
        }
        byte[] bytes = generalizedUtf8(name);
        return quoted(bytes, 0, bytes.length);
    }

    /** The name {@code bytes[offset, offset + length)} as text output shows it: itself, or quoted. */
    public static String quote(byte[] bytes, int offset, int length) {
        if (!needsQuoting(bytes, offset, length)) {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
        return quoted(bytes, offset, length);
    }

    private static String quoted(byte[] bytes, int offset, int length) {
        int end = offset + length;
        StringBuilder sb = new StringBuilder(length + 8).append('"');
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                escapeAscii(b, sb);
                i++;
                continue;
            }
            int n = StrictUtf8.sequenceLength(bytes, i, end);
            if (n == 0) {
                octal(b, sb);
                i++;
            } else if (isControl(decode(bytes, i, n))) {
                for (int k = 0; k < n; k++) {
                    octal(bytes[i + k] & 0xff, sb);
                }
                i += n;
            } else {
                sb.append(new String(bytes, i, n, StandardCharsets.UTF_8));
                i += n;
            }
        }
        return sb.append('"').toString();
    }

    private static void escapeAscii(int b, StringBuilder sb) {
        switch (b) {
            case 0x07 -> sb.append("\\a");
            case '\b' -> sb.append("\\b");
            case '\t' -> sb.append("\\t");
            case '\n' -> sb.append("\\n");
            case 0x0b -> sb.append("\\v");
            case '\f' -> sb.append("\\f");
            case '\r' -> sb.append("\\r");
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            default -> {
                if (b < 0x20 || b == 0x7f) {
                    octal(b, sb);
                } else {
                    sb.append((char) b);
                }
            }
        }
    }

    private static void octal(int b, StringBuilder sb) {
        sb.append('\\').append((char) ('0' + (b >> 6))).append((char) ('0' + (b >> 3 & 7))).append((char) ('0' + (b & 7)));
    }

    private static int decode(byte[] b, int i, int n) {
        int c = b[i] & (0xff >> (n + 1));
        for (int k = 1; k < n; k++) {
            c = c << 6 | b[i + k] & 0x3f;
        }
        return c;
    }

    /** UTF-8, except that a lone surrogate becomes the three bytes it would take (not UTF-8, so escaped). */
    private static byte[] generalizedUtf8(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            if (c >= 0xd800 && c <= 0xdfff) {
                out.write(0xe0 | c >> 12);
                out.write(0x80 | c >> 6 & 0x3f);
                out.write(0x80 | c & 0x3f);
            } else {
                byte[] utf8 = s.substring(i, i + n).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
            }
            i += n;
        }
        return out.toByteArray();
    }
}
