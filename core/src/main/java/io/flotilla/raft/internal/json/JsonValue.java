package io.flotilla.raft.internal.json;

import java.util.Base64;
import java.util.List;

/**
 * A parsed JSON value. The {@code as*} conversions decode it the way Go's {@code encoding/json} decodes into a
 * typed field, because the files Flotilla reads are written (or were once written) by Go: {@code null} reads
 * as the zero value, and a value of the wrong type is an error naming {@code what} was being read.
 */
public sealed interface JsonValue permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull {

    /** The JSON type name, for error messages: object, array, string, number, boolean or null. */
    String kind();

    /** Go {@code string}: {@code null} reads as {@code ""}. */
    default String asString(String what) throws JsonException {
        if (this instanceof JsonString s) {
            return s.value();
        }
        if (this == JsonNull.NULL) {
            return "";
        }
        throw mismatch(what, "a string");
    }

    /** Go {@code uint64}: a non-negative integer up to 2^64-1, returned as its two's-complement {@code long}. */
    default long asUint64(String what) throws JsonException {
        if (this instanceof JsonNumber n) {
            try {
                return Long.parseUnsignedLong(n.text());
            } catch (NumberFormatException e) {
                throw new JsonException(what + ": number " + n.text() + " is not an unsigned 64-bit integer");
            }
        }
        return zeroOrMismatch(what, "a number");
    }

    /** Go {@code int64}. */
    default long asInt64(String what) throws JsonException {
        if (this instanceof JsonNumber n) {
            try {
                return Long.parseLong(n.text());
            } catch (NumberFormatException e) {
                throw new JsonException(what + ": number " + n.text() + " is not a 64-bit integer");
            }
        }
        return zeroOrMismatch(what, "a number");
    }

    /** A 32-bit integer (Go's {@code int} where Java needs an {@code int}). */
    default int asInt(String what) throws JsonException {
        long v = asInt64(what);
        if (v != (int) v) {
            throw new JsonException(what + ": number " + v + " is out of range");
        }
        return (int) v;
    }

    /** Go {@code bool}: {@code null} reads as {@code false}. */
    default boolean asBoolean(String what) throws JsonException {
        if (this instanceof JsonBoolean b) {
            return b.value();
        }
        zeroOrMismatch(what, "true or false");
        return false;
    }

    /** Go {@code []byte}: a standard base64 string; {@code null} reads as {@code null} (Go's nil slice). */
    default byte[] asBase64(String what) throws JsonException {
        if (this == JsonNull.NULL) {
            return null;
        }
        String s = asString(what);
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new JsonException(what + ": invalid base64: " + e.getMessage(), e);
        }
    }

    /** Go slice: {@code null} reads as an empty list. */
    default List<JsonValue> asArray(String what) throws JsonException {
        if (this instanceof JsonArray a) {
            return a.elements();
        }
        if (this == JsonNull.NULL) {
            return List.of();
        }
        throw mismatch(what, "an array");
    }

    /** Go struct: {@code null} reads as an object with no members, so every field is its zero value. */
    default JsonObject asObject(String what) throws JsonException {
        if (this instanceof JsonObject o) {
            return o;
        }
        if (this == JsonNull.NULL) {
            return JsonObject.EMPTY;
        }
        throw mismatch(what, "an object");
    }

    private long zeroOrMismatch(String what, String expected) throws JsonException {
        if (this == JsonNull.NULL) {
            return 0;
        }
        throw mismatch(what, expected);
    }

    private JsonException mismatch(String what, String expected) {
        return new JsonException(what + ": expected " + expected + ", got " + kind());
    }
}
