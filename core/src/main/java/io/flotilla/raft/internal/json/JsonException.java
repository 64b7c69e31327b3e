package io.flotilla.raft.internal.json;

import java.io.IOException;

/**
 * Thrown when text is not valid JSON, or valid JSON does not have the shape a reader expects. It is an
 * {@link IOException} because JSON in Flotilla always comes from files an operator or another process wrote.
 */
public class JsonException extends IOException {
    /** An exception with the given message. */
    public JsonException(String message) {
        super(message);
    }

    /** An exception with the given message and cause. */
    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
