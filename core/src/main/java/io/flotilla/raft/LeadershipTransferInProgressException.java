package io.flotilla.raft;

/**
 * Thrown when the leader refuses a request because it is transferring leadership. Message: {@value #MESSAGE} (hashicorp's {@code ErrLeadershipTransferInProgress}).
 */
public class LeadershipTransferInProgressException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "leadership transfer in progress";

    /** An exception with the standard message. */
    public LeadershipTransferInProgressException() {
        super(MESSAGE);
    }
}
