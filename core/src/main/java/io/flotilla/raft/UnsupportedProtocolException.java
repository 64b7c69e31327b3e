package io.flotilla.raft;

/**
 * Thrown when an operation or RPC is not allowed by the configured protocol version. Message: {@value #MESSAGE} (hashicorp's {@code ErrUnsupportedProtocol}).
 */
public class UnsupportedProtocolException extends RaftException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "operation not supported with current protocol version";

    /** An exception with the standard message. */
    public UnsupportedProtocolException() {
        super(MESSAGE);
    }
}
