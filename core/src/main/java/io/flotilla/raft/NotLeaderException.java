package io.flotilla.raft;

/**
 * Thrown when an operation that only a leader can perform reaches a follower or candidate. Message: {@value #MESSAGE} (hashicorp's {@code ErrNotLeader}).
 */
public class NotLeaderException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "node is not the leader";

    /** An exception with the standard message. */
    public NotLeaderException() {
        super(MESSAGE);
    }
}
