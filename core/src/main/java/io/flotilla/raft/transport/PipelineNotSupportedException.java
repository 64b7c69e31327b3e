package io.flotilla.raft.transport;

import java.io.IOException;

/**
 * Thrown by transports without pipelining (hashicorp's {@code ErrPipelineReplicationNotSupported}); callers fall
 * back to one AppendEntries at a time.
 */
public class PipelineNotSupportedException extends IOException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "pipeline replication not supported";

    /** An exception with the standard message. */
    public PipelineNotSupportedException() {
        super(MESSAGE);
    }
}
