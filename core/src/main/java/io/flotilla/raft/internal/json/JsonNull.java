package io.flotilla.raft.internal.json;

/** The JSON {@code null} literal. */
public enum JsonNull implements JsonValue {
    /** The only null. */
    NULL;

    @Override
    public String kind() {
        return "null";
    }

    @Override
    public String toString() {
        return "null";
    }
}
