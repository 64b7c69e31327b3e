package io.flotilla.raft;

/**
 * Thrown when a snapshot is requested but nothing was applied since the last one. Message: {@value #MESSAGE} (hashicorp's {@code ErrNothingNewToSnapshot}).
 */
public class NothingNewToSnapshotException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "nothing new to snapshot";

    /** An exception with the standard message. */
    public NothingNewToSnapshotException() {
        super(MESSAGE);
    }
}
