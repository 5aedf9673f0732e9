package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.path.StrictUtf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict JSON tokenizer over a whole report in memory, for the common case: it hands each path of
 * a {@code files} list to a {@link PathCollector} as UTF-8 bytes, without decoding it to a String
 * ({@link PathListScanner}; a 1,000,000-file report reads in about a third of the time Jackson takes).
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

    static final Unsupported UNSUPPORTED = new Unsupported();

    /* Jackson's limits (in chars, which a string has no more of than bytes), so that it words the error */
    private static final int MAX_DEPTH = ReportJson.MAX_NESTING_DEPTH;
    static final int MAX_STRING = ReportJson.MAX_STRING_CHARS;

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
        if (textLength > MAX_STRING || !ascii && !StrictUtf8.isWellFormed(json, textStart, i)) {
            throw UNSUPPORTED;
        }
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
    public boolean textEquals(String text) {
        if (current != JsonToken.VALUE_STRING) {
            return false;
        }
        int n = text.length();
        boolean same = textLength == n;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return getText().equals(text); // not one byte per char
            }
            same &= i < textLength && json[textStart + i] == c;
        }
        return same;
    }

    @Override
    public void addTextTo(PathCollector files) {
        files.add(json, textStart, textLength, true);
    }

    /** The hot loop, in {@link PathListScanner}: a list of paths, each passed on as bytes. */
    @Override
    public boolean addAllTo(PathCollector files) {
        pos = PathListScanner.addAll(json, pos, files);
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
