package io.flotilla.raft.internal.json;

import java.util.Objects;

/**
 * A JSON string.
 *
 * @param value the decoded text
 */
public record JsonString(String value) implements JsonValue {
    /** Rejects {@code null}. */
    public JsonString {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String kind() {
        return "string";
    }
}
