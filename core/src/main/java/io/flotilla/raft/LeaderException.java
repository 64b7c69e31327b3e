package io.flotilla.raft;

/**
 * Thrown when an operation is refused because this node is the leader. Message: {@value #MESSAGE} (hashicorp's {@code ErrLeader}).
 */
public class LeaderException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "node is the leader";

    /** An exception with the standard message. */
    public LeaderException() {
        super(MESSAGE);
    }
}
