package io.flotilla.raft.transport;

import java.io.IOException;

/** Thrown for requests on a closed {@link AppendPipeline} (hashicorp's {@code ErrPipelineShutdown}). */
public class PipelineShutdownException extends IOException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "append pipeline closed";

    /** An exception with the standard message. */
    public PipelineShutdownException() {
        super(MESSAGE);
    }
}
