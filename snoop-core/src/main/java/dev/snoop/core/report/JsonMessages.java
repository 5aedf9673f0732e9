package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;

/** How a report's error messages name a JSON token and where it is. */
final class JsonMessages {
    private JsonMessages() {}

    /** The kind of value {@code token} is, as a message says it was found: "an object", "the end of the file". */
    static String describe(JsonToken token) {
        if (token == null) {
            return "the end of the file";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    /** "(line L, column C)", for the end of a message. */
    static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "(position unknown)";
        }
        return "(line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
