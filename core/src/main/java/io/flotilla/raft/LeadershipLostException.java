package io.flotilla.raft;

/**
 * Thrown when the leader stepped down before the operation committed; the outcome is unknown (it may still commit). Message: {@value #MESSAGE} (hashicorp's {@code ErrLeadershipLost}).
 */
public class LeadershipLostException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "leadership lost while committing log";

    /** An exception with the standard message. */
    public LeadershipLostException() {
        super(MESSAGE);
    }
}
