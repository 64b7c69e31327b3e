package io.flotilla.raft.internal.json;

import java.util.List;

/**
 * A JSON array.
 *
 * @param elements the elements, in order
 */
public record JsonArray(List<JsonValue> elements) implements JsonValue {
    /** Copies the list; rejects {@code null} elements (use {@link JsonNull#NULL}). */
    public JsonArray {
        elements = List.copyOf(elements);
    }

    @Override
    public String kind() {
        return "array";
    }
}
