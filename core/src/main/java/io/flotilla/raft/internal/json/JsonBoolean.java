package io.flotilla.raft.internal.json;

/** The JSON literals {@code true} and {@code false}. */
public enum JsonBoolean implements JsonValue {
    /** {@code true}. */
    TRUE,
    /** {@code false}. */
    FALSE;

    /** The literal for a Java boolean. */
    public static JsonBoolean of(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** The Java boolean. */
    public boolean value() {
        return this == TRUE;
    }

    @Override
    public String kind() {
        return "boolean";
    }

    @Override
    public String toString() {
        return value() ? "true" : "false";
    }
}
