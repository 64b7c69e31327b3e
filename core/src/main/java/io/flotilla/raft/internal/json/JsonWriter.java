package io.flotilla.raft.internal.json;

import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;

/**
 * Writes compact JSON exactly as Go's {@code encoding/json} encoder does, so files Flotilla writes are
 * byte-identical to hashicorp/raft's: no whitespace, {@code <}, {@code >} and {@code &} escaped (Go's default
 * HTML-safe mode), control characters as {@code \}{@code u00XX} except {@code \n}, {@code \r}, {@code \t}
 * (Go 1.19 also writes {@code \b} and {@code \f} in the long form), U+2028/U+2029 escaped, everything else
 * as literal UTF-8, and {@code []byte} as padded standard base64.
 *
 * <p>Calls must form one well-nested value; misuse throws {@link IllegalStateException}.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder();
    /** One entry per open container: whether it has no member yet. */
    private final Deque<Boolean> empty = new ArrayDeque<>();
    private final Deque<Boolean> isObject = new ArrayDeque<>();
    private boolean afterName;
    /** Whether the single top-level value has been begun. */
    private boolean started;

    /** Writes a whole value tree compactly. */
    public static String write(JsonValue value) {
        return new JsonWriter().value(value).toString();
    }

    /** Opens an object. */
    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        empty.push(true);
        isObject.push(true);
        return this;
    }

    /** Closes the innermost object. */
    public JsonWriter endObject() {
        close(true, '}');
        return this;
    }

    /** Opens an array. */
    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        empty.push(true);
        isObject.push(false);
        return this;
    }

    /** Closes the innermost array. */
    public JsonWriter endArray() {
        close(false, ']');
        return this;
    }

    /** Writes a member name; the next call writes its value. */
    public JsonWriter name(String name) {
        if (isObject.isEmpty() || !isObject.peek() || afterName) {
            throw new IllegalStateException("a name is only allowed inside an object, before a value");
        }
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** Writes a string, or {@code null}. */
    public JsonWriter value(String value) {
        if (value == null) {
            return nullValue();
        }
        beforeValue();
        string(value);
        return this;
    }

    /** Writes a signed integer (Go {@code int}, {@code int64}). */
    public JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    /** Writes an integer as unsigned (Go {@code uint64}): indexes and terms above 2^63 stay positive. */
    public JsonWriter unsignedValue(long value) {
        beforeValue();
        out.append(Long.toUnsignedString(value));
        return this;
    }

    /** Writes {@code true} or {@code false}. */
    public JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    /** Writes bytes as Go writes a {@code []byte}: padded standard base64, {@code null} for a nil slice. */
    public JsonWriter base64(byte[] bytes) {
        if (bytes == null) {
            return nullValue();
        }
        beforeValue();
        out.append('"').append(Base64.getEncoder().encodeToString(bytes)).append('"');
        return this;
    }

    /** Writes {@code null}. */
    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Writes a value tree. */
    public JsonWriter value(JsonValue value) {
        if (value instanceof JsonObject o) {
            beginObject();
            for (JsonObject.Member m : o.members()) {
                name(m.name()).value(m.value());
            }
            endObject();
        } else if (value instanceof JsonArray a) {
            beginArray();
            for (JsonValue v : a.elements()) {
                value(v);
            }
            endArray();
        } else if (value instanceof JsonString s) {
            value(s.value());
        } else if (value instanceof JsonNumber n) {
            beforeValue();
            out.append(n.text());
        } else if (value instanceof JsonBoolean b) {
            value(b.value());
        } else {
            nullValue();
        }
        return this;
    }

    /**
     * The JSON written so far.
     *
     * @throws IllegalStateException if a container is still open
     */
    @Override
    public String toString() {
        if (!empty.isEmpty() || afterName) {
            throw new IllegalStateException("unfinished JSON value");
        }
        return out.toString();
    }

    private void beforeValue() {
        if (isObject.isEmpty()) {
            if (started) {
                throw new IllegalStateException("a JSON text holds a single value");
            }
            started = true;
        } else if (isObject.peek()) {
            if (!afterName) {
                throw new IllegalStateException("a value inside an object needs a name first");
            }
            afterName = false;
        } else {
            separate();
        }
    }

    private void separate() {
        if (!empty.pop()) {
            out.append(',');
        }
        empty.push(false);
    }

    private void close(boolean object, char bracket) {
        if (isObject.isEmpty() || isObject.peek() != object || afterName) {
            throw new IllegalStateException("unbalanced " + bracket);
        }
        isObject.pop();
        empty.pop();
        out.append(bracket);
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(c);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c);
                    } else if (Character.isSurrogate(c)) {
                        // Go replaces invalid UTF-8 with U+FFFD; an unpaired surrogate is Java's equivalent.
                        if (Character.isHighSurrogate(c) && i + 1 < s.length()
                                && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            out.append("\\ufffd");
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void unicodeEscape(char c) {
        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
