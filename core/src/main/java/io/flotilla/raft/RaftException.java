package io.flotilla.raft;

/**
 * The root of Flotilla's exceptions. Each hashicorp/raft error value has a subclass with the same meaning
 * and message, so callers can catch the specific condition ({@link NotLeaderException},
 * {@link LeadershipLostException}, ...) or this type for any of them. Futures complete exceptionally with
 * these.
 */
public class RaftException extends RuntimeException {
    /** An exception with a message. */
    public RaftException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public RaftException(String message, Throwable cause) {
        super(message, cause);
    }
}
