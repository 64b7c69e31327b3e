package io.flotilla.raft;

/**
 * Thrown when the node has been shut down. Message: {@value #MESSAGE} (hashicorp's {@code ErrRaftShutdown}).
 */
public class RaftShutdownException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "raft is already shutdown";

    /** An exception with the standard message. */
    public RaftShutdownException() {
        super(MESSAGE);
    }
}
