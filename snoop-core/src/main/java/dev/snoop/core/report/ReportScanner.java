package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.path.PathNormalizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict JSON tokenizer over a whole report in memory, for the common case: it hands each path of
 * a {@code files} list to {@link FileCollector} as UTF-8 bytes, without decoding it to a String (a
 * 1,000,000-file report reads in about a third of the time Jackson takes).
 *
 * <p>It handles only what reports normally contain. On anything else (an escape sequence, a number
 * with a fraction or more than 18 digits, invalid UTF-8, any JSON error) it throws {@link
 * Unsupported}, and {@link ReportJson} reads the bytes again with Jackson, which gives the exact
 * result or error message with its line and column. It may refuse input Jackson accepts, never the
 * other way round, so the fast path cannot change what a report means.
 */
final class ReportScanner implements JsonSource {
    /** Thrown where Jackson must take over; carries no stack trace. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Unsupported() {
            super("not for the fast path", null, false, false);
        }
    }

    private static final Unsupported UNSUPPORTED = new Unsupported();

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
    /* Jackson's limits (in chars, which a string has no more of than bytes), so that it words the error */
    private static final int MAX_DEPTH = ReportJson.MAX_NESTING_DEPTH;
    private static final int MAX_STRING = ReportJson.MAX_STRING_CHARS;

    /* what may come next at a nesting level */
    private static final byte ROOT = 0;
    private static final byte ROOT_DONE = 1;
    private static final byte OBJECT_FIRST = 2;
    private static final byte OBJECT_NEXT = 3;
    private static final byte FIELD_VALUE = 4;
    private static final byte ARRAY_FIRST = 5;
    private static final byte ARRAY_NEXT = 6;

    private final byte[] json;
    private final int end;
    private int pos;
    private byte[] states = new byte[16];
    private int depth;
    private JsonToken current;
    private String name;
    private int textStart;
    private int textLength;
    private long number;
    private JsonParser.NumberType numberType;

    ReportScanner(byte[] json) {
        this.json = json;
        this.end = json.length;
        states[0] = ROOT;
    }

    @Override
    public JsonToken nextToken() {
        skipWhitespace();
        switch (states[depth]) {
            case ROOT -> {
                states[depth] = ROOT_DONE;
                return current = value();
            }
            case ROOT_DONE -> {
                if (pos == end) {
                    return current = null;
                }
                throw UNSUPPORTED;
            }
            case OBJECT_FIRST -> {
                if (at() == '}') {
                    pos++;
                    depth--;
                    return current = JsonToken.END_OBJECT;
                }
                return current = fieldName();
            }
            case OBJECT_NEXT -> {
                byte b = at();
                pos++;
                if (b == '}') {
                    depth--;
                    return current = JsonToken.END_OBJECT;
                }
                if (b != ',') {
                    throw UNSUPPORTED;
                }
                skipWhitespace();
                return current = fieldName();
            }
            case FIELD_VALUE -> {
                states[depth] = OBJECT_NEXT;
                return current = value();
            }
            case ARRAY_FIRST -> {
                if (at() == ']') {
                    pos++;
                    depth--;
                    return current = JsonToken.END_ARRAY;
                }
                states[depth] = ARRAY_NEXT;
                return current = value();
            }
            default -> { // ARRAY_NEXT
                byte b = at();
                pos++;
                if (b == ']') {
                    depth--;
                    return current = JsonToken.END_ARRAY;
                }
                if (b != ',') {
                    throw UNSUPPORTED;
                }
                skipWhitespace();
                return current = value();
            }
        }
    }

    private JsonToken fieldName() {
        if (at() != '"') {
            throw UNSUPPORTED;
        }
        string();
        name = new String(json, textStart, textLength, StandardCharsets.UTF_8);
        skipWhitespace();
        if (at() != ':') {
            throw UNSUPPORTED;
        }
        pos++;
        states[depth] = FIELD_VALUE;
        return JsonToken.FIELD_NAME;
    }

    private JsonToken value() {
        byte b = at();
        switch (b) {
            case '{' -> {
                pos++;
                push(OBJECT_FIRST);
                return JsonToken.START_OBJECT;
            }
            case '[' -> {
                pos++;
                push(ARRAY_FIRST);
                return JsonToken.START_ARRAY;
            }
            case '"' -> {
                string();
                return JsonToken.VALUE_STRING;
            }
            case 't' -> {
                literal("true");
                return JsonToken.VALUE_TRUE;
            }
            case 'f' -> {
                literal("false");
                return JsonToken.VALUE_FALSE;
            }
            case 'n' -> {
                literal("null");
                return JsonToken.VALUE_NULL;
            }
            default -> {
                return number();
            }
        }
    }

    private void push(byte state) {
        if (++depth > MAX_DEPTH) {
            throw UNSUPPORTED;
        }
        if (depth == states.length) {
            states = Arrays.copyOf(states, depth * 2);
        }
        states[depth] = state;
    }

    /** Finds the string starting at {@code pos}; its UTF-8 bytes are [textStart, textStart + textLength). */
    private void string() {
        int i = pos + 1;
        boolean ascii = true;
        while (true) {
            if (i == end) {
                throw UNSUPPORTED;
            }
            byte b = json[i];
            if (b > '\\') {
                i++;
            } else if (b == '"') {
                break;
            } else if (b == '\\' || b >= 0 && b < 0x20) {
                throw UNSUPPORTED; // an escape sequence, or a control character JSON forbids
            } else {
                ascii &= b >= 0;
                i++;
            }
        }
        textStart = pos + 1;
        textLength = i - textStart;
        pos = i + 1;
        if (textLength > MAX_STRING || !ascii && !isWellFormedUtf8(json, textStart, i)) {
            throw UNSUPPORTED;
        }
    }

    /** Strict RFC 3629 UTF-8: no overlong forms, surrogates or code points above U+10FFFF. */
    static boolean isWellFormedUtf8(byte[] b, int from, int to) {
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

    private void literal(String word) {
        int n = word.length();
        if (end - pos < n) {
            throw UNSUPPORTED;
        }
        for (int k = 0; k < n; k++) {
            if (json[pos + k] != word.charAt(k)) {
                throw UNSUPPORTED;
            }
        }
        pos += n;
    }

    /** A JSON number; an integer of up to 18 digits is parsed, anything else only recognized. */
    private JsonToken number() {
        boolean negative = json[pos] == '-';
        if (negative) {
            pos++;
        }
        int digitsStart = pos;
        if (at() == '0') {
            pos++;
        } else if (at() >= '1' && at() <= '9') {
            skipDigits();
        } else {
            throw UNSUPPORTED;
        }
        int digitsEnd = pos;
        boolean integral = true;
        if (pos < end && json[pos] == '.') {
            integral = false;
            pos++;
            requireDigits();
        }
        if (pos < end && (json[pos] == 'e' || json[pos] == 'E')) {
            integral = false;
            pos++;
            if (pos < end && (json[pos] == '+' || json[pos] == '-')) {
                pos++;
            }
            requireDigits();
        }
        if (!integral) {
            numberType = JsonParser.NumberType.DOUBLE;
            return JsonToken.VALUE_NUMBER_FLOAT;
        }
        if (digitsEnd - digitsStart > 18) {
            throw UNSUPPORTED; // may not fit a long: Jackson knows what to make of it
        }
        long value = 0;
        for (int i = digitsStart; i < digitsEnd; i++) {
            value = value * 10 + (json[i] - '0');
        }
        number = negative ? -value : value;
        numberType = number == (int) number ? JsonParser.NumberType.INT : JsonParser.NumberType.LONG;
        return JsonToken.VALUE_NUMBER_INT;
    }

    private void requireDigits() {
        if (!(at() >= '0' && at() <= '9')) {
            throw UNSUPPORTED;
        }
        skipDigits();
    }

    private void skipDigits() {
        while (pos < end && json[pos] >= '0' && json[pos] <= '9') {
            pos++;
        }
    }

    private byte at() {
        if (pos >= end) {
            throw UNSUPPORTED;
        }
        return json[pos];
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte b = json[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    @Override
    public JsonToken currentToken() {
        return current;
    }

    @Override
    public String currentName() {
        return name;
    }

    @Override
    public String getText() {
        if (current == JsonToken.FIELD_NAME) {
            return name;
        }
        if (current != JsonToken.VALUE_STRING) {
            throw UNSUPPORTED;
        }
        return new String(json, textStart, textLength, StandardCharsets.UTF_8);
    }

    @Override
    public void addTextTo(FileCollector files) {
        files.add(json, textStart, textLength, true);
    }

    /**
     * The hot loop: a list of strings, each passed on as bytes. Reports list their paths sorted, so
     * a path mostly repeats a long prefix of the one before it ({@code /usr/lib/python3/...}): one
     * vectorized {@link Arrays#mismatch} against the previous path gives that prefix, the order of
     * the two paths, and the part already known to be plain text, so only the rest is looked at byte
     * by byte. Looking for the closing quote, the scan also notes where a '/' is followed by '/' or
     * '.', without which an absolute path with no trailing '/' is normalized.
     */
    @Override
    public boolean addAllTo(FileCollector files) {
        skipWhitespace();
        if (at() == ']') {
            pos++;
            depth--;
            current = JsonToken.END_ARRAY;
            return true;
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
            if (length > MAX_STRING || !ascii && !isWellFormedUtf8(json, start, i)) {
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
            pos = i + 1;
            skipWhitespace();
            byte b = at();
            pos++;
            if (b == ']') {
                break;
            }
            if (b != ',') {
                throw UNSUPPORTED;
            }
            skipWhitespace();
            at();
        }
        depth--;
        current = JsonToken.END_ARRAY;
        return true;
    }

    @Override
    public void skipChildren() {
        if (current == JsonToken.START_OBJECT || current == JsonToken.START_ARRAY) {
            int outer = depth - 1;
            while (depth > outer) {
                nextToken();
            }
        }
    }

    @Override
    public JsonParser.NumberType getNumberType() {
        return numberType;
    }

    @Override
    public long getLongValue() {
        return number;
    }

    @Override
    public JsonLocation currentTokenLocation() {
        return JsonLocation.NA; // never shown: an error makes Jackson read the report again
    }
}
