package io.flotilla.raft.internal.json;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A JSON object. Members keep their order and duplicates, because lookups follow Go's struct decoding, where
 * the last matching key wins.
 *
 * @param members the members, in order
 */
public record JsonObject(List<Member> members) implements JsonValue {
    /** The object with no members. */
    public static final JsonObject EMPTY = new JsonObject(List.of());

    /** Copies the list. */
    public JsonObject {
        members = List.copyOf(members);
    }

    /**
     * One name/value pair.
     *
     * @param name  the key
     * @param value its value
     */
    public record Member(String name, JsonValue value) {
        /** Rejects {@code null} components. */
        public Member {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /** The value of the last member named exactly {@code name}. */
    public Optional<JsonValue> get(String name) {
        JsonValue found = null;
        for (Member m : members) {
            if (m.name().equals(name)) {
                found = m.value();
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * The value Go's {@code encoding/json} would decode into a struct field called {@code name}: the last member
     * whose key equals it ignoring case, or {@link JsonNull#NULL} when there is none (so the field reads as its
     * zero value). Other members are ignored, as Go ignores unknown keys.
     */
    public JsonValue field(String name) {
        JsonValue found = JsonNull.NULL;
        for (Member m : members) {
            if (m.name().equalsIgnoreCase(name)) {
                found = m.value();
            }
        }
        return found;
    }

    @Override
    public String kind() {
        return "object";
    }
}
