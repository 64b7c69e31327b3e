package io.flotilla.raft;

/**
 * Thrown when an operation could not be handed to the node within its timeout. Message: {@value #MESSAGE} (hashicorp's {@code ErrEnqueueTimeout}).
 */
public class EnqueueTimeoutException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "timed out enqueuing operation";

    /** An exception with the standard message. */
    public EnqueueTimeoutException() {
        super(MESSAGE);
    }
}
