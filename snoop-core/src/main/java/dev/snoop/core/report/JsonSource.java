package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The JSON tokens {@link ReportReader} reads: Jackson's parser, or the faster {@link ReportScanner}
 * for the common case. The methods are named as {@link JsonParser}'s, but for those that hand a
 * string on without a String being made of it.
 */
interface JsonSource {
    JsonToken nextToken() throws IOException;

    JsonToken currentToken();

    /** The field name, when the current token is {@link JsonToken#FIELD_NAME}. */
    String currentName() throws IOException;

    String getText() throws IOException;

    /** True if the current string value is {@code text}, found without making a String of it. */
    boolean textEquals(String text) throws IOException;

    /** Adds the current string value to {@code files}, as a path. */
    void addTextTo(PathCollector files) throws IOException;

    /**
     * At the start of an array, adds all its elements to {@code files} and ends on its
     * {@link JsonToken#END_ARRAY}; returns false, reading nothing, if the caller should do it
     * token by token.
     */
    default boolean addAllTo(PathCollector files) throws IOException {
        return false;
    }

    void skipChildren() throws IOException;

    JsonParser.NumberType getNumberType() throws IOException;

    long getLongValue() throws IOException;

    JsonLocation currentTokenLocation();

    /** Jackson's parser: any JSON, with exact error messages and locations. */
    static JsonSource of(JsonParser parser) {
        return new JsonSource() {
            @Override
            public JsonToken nextToken() throws IOException {
                return parser.nextToken();
            }

            @Override
            public JsonToken currentToken() {
                return parser.currentToken();
            }

            @Override
            public String currentName() throws IOException {
                return parser.currentName();
            }

            @Override
            public String getText() throws IOException {
                return parser.getText();
            }

            @Override
            public boolean textEquals(String text) throws IOException {
                int length = parser.getTextLength();
                if (length != text.length()) {
                    return false;
                }
                char[] chars = parser.getTextCharacters();
                int offset = parser.getTextOffset();
                for (int i = 0; i < length; i++) {
                    if (chars[offset + i] != text.charAt(i)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void addTextTo(PathCollector files) throws IOException {
                files.add(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            }

            @Override
            public void skipChildren() throws IOException {
                parser.skipChildren();
            }

            @Override
            public JsonParser.NumberType getNumberType() throws IOException {
                return parser.getNumberType();
            }

            @Override
            public long getLongValue() throws IOException {
                return parser.getLongValue();
            }

            @Override
            public JsonLocation currentTokenLocation() {
                return parser.currentTokenLocation();
            }
        };
    }
}
