package dev.snoop.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small JSON documents of an image (index, manifests, config) as maps and lists, with typed
 * getters that fail with a message naming the document. Only Jackson's streaming core is used.
 */
final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final int MAX_DEPTH = 64;

    private Json() {}

    /** Parses {@code bytes}; {@code where} names the document in messages. */
    static Object parse(byte[] bytes, String where) {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new SnoopException(where + ": empty file");
            }
            Object value = value(parser, 0, where);
            if (parser.nextToken() != null) {
                throw new SnoopException(where + ": unexpected content after the JSON document");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new SnoopException(where + ": not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        } catch (IOException e) {
            throw new SnoopException(where + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Object value(JsonParser parser, int depth, String where) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new SnoopException(where + ": JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (parser.currentToken()) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    map.put(name, value(parser, depth + 1, where));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(parser, depth + 1, where));
                }
                return list;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return parser.getNumberValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** {@code value} as an object, or a failure naming {@code what}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String where, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new SnoopException(where + ": " + what + " must be an object");
    }

    static List<Object> list(Object value, String where, String what) {
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        throw new SnoopException(where + ": " + what + " must be a list");
    }

    /** An optional list: empty when absent. */
    static List<Object> optionalList(Object value, String where, String what) {
        return value == null ? List.of() : list(value, where, what);
    }

    static String string(Object value, String where, String what) {
        if (value instanceof String s) {
            return s;
        }
        throw new SnoopException(where + ": " + what + (value == null ? " is missing" : " must be a string"));
    }

    static String optionalString(Object value) {
        return value instanceof String s ? s : null;
    }

    static long number(Object value, long absent) {
        return value instanceof Number n ? n.longValue() : absent;
    }
}
