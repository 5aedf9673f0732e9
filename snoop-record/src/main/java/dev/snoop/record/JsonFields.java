package dev.snoop.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * The few fields the recorder needs from a pod document or an OCI bundle's {@code config.json},
 * read with Jackson's streaming parser. The recorder leaves databind out on purpose: its ~300
 * classes cost 4-5 MB of resident memory in a sidecar that otherwise never needs them
 * (docs/performance.md, Memory).
 */
final class JsonFields {
    static final JsonFactory FACTORY = new JsonFactory();

    /** Called with the parser on a field's value; must consume the value (or leave it to be skipped). */
    @FunctionalInterface
    interface FieldReader {
        void read(String name, JsonParser parser) throws IOException;
    }

    private JsonFields() {}

    /** Reads a whole document that must be a JSON object, handing each top-level field to {@code reader}. */
    static void readObject(InputStream in, FieldReader reader) throws IOException {
        try (JsonParser parser = FACTORY.createParser(in)) {
            parser.nextToken();
            fields(parser, reader);
        }
    }

    /**
     * With the parser on a value: hands each field of that object to {@code reader}; any other
     * value is skipped. A field the reader leaves unread is skipped whole.
     */
    static void fields(JsonParser parser, FieldReader reader) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            reader.read(name, parser);
            if (parser.currentToken() == value) { // still on the value's first token: not consumed
                parser.skipChildren();
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("unexpected end of JSON input");
        }
    }

    /** With the parser on a value: each element of that array in turn (any other value is skipped). */
    static void elements(JsonParser parser, FieldReader reader) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() == null) {
                throw new IOException("unexpected end of JSON input");
            }
            JsonToken value = parser.currentToken();
            reader.read(null, parser);
            if (parser.currentToken() == value) {
                parser.skipChildren();
            }
        }
    }

    /** With the parser on an object: its string-valued fields, sorted by name; other values are skipped. */
    static Map<String, String> strings(JsonParser parser) throws IOException {
        Map<String, String> strings = new TreeMap<>();
        fields(parser, (name, p) -> {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                strings.put(name, p.getText());
            }
        });
        return strings;
    }

    /** The string at the parser, or null for any other value (which is left to be skipped). */
    static String text(JsonParser parser) throws IOException {
        return parser.currentToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
    }
}
