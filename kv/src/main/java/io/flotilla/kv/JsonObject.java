package io.flotilla.kv;

import java.util.Map;
import java.util.Optional;

/**
 * Builds one compact JSON object the way the Go node's {@code marshalCompact} writes it: members in the order
 * added (Go's struct field order; callers add map members in sorted order, as Go sorts map keys), no spaces,
 * strings escaped like {@code encoding/json} with HTML escaping off, numbers as unsigned decimals.
 */
final class JsonObject {
    private final StringBuilder sb = new StringBuilder(64).append('{');
    private boolean first = true;

    private StringBuilder name(String name) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        GoJsonWriter.string(sb, name, false);
        return sb.append(':');
    }

    /** Adds a string member. */
    JsonObject str(String name, String value) {
        GoJsonWriter.string(name(name), value, false);
        return this;
    }

    /** Adds a string member, or {@code null} when absent. */
    JsonObject strOrNull(String name, Optional<String> value) {
        if (value.isPresent()) {
            return str(name, value.get());
        }
        name(name).append("null");
        return this;
    }

    /** Adds a number member (Go's {@code uint64}, so printed unsigned). */
    JsonObject num(String name, long value) {
        name(name).append(Long.toUnsignedString(value));
        return this;
    }

    /** Adds a signed number member (Go's {@code int}). */
    JsonObject signed(String name, long value) {
        name(name).append(value);
        return this;
    }

    /** Adds a boolean member. */
    JsonObject bool(String name, boolean value) {
        name(name).append(value);
        return this;
    }

    /** Adds a member whose value is already JSON. */
    JsonObject raw(String name, String json) {
        name(name).append(json);
        return this;
    }

    /** Adds an object member holding a string map, in the map's iteration order (pass a sorted map). */
    JsonObject strings(String name, Map<String, String> map) {
        name(name).append(stringMap(map));
        return this;
    }

    /** A string map as a JSON object, members in the map's iteration order. */
    static String stringMap(Map<String, String> map) {
        JsonObject o = new JsonObject();
        map.forEach(o::str);
        return o.toString();
    }

    /** The object's text. */
    @Override
    public String toString() {
        return sb + "}";
    }
}
