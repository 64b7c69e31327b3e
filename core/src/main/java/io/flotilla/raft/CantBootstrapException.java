package io.flotilla.raft;

/**
 * Thrown when bootstrapping a node that already has state. Message: {@value #MESSAGE} (hashicorp's {@code ErrCantBootstrap}).
 */
public class CantBootstrapException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "bootstrap only works on new clusters";

    /** An exception with the standard message. */
    public CantBootstrapException() {
        super(MESSAGE);
    }
}
