package io.flotilla.raft;

/**
 * Thrown for in-flight entries when a user snapshot restore replaced the state. Message: {@value #MESSAGE} (hashicorp's {@code ErrAbortedByRestore}).
 */
public class AbortedByRestoreException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "snapshot restored while committing log";

    /** An exception with the standard message. */
    public AbortedByRestoreException() {
        super(MESSAGE);
    }
}
