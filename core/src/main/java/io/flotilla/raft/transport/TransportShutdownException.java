package io.flotilla.raft.transport;

import java.io.IOException;

/** Thrown by a transport that has been closed (hashicorp's {@code ErrTransportShutdown}). */
public class TransportShutdownException extends IOException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "transport shutdown";

    /** An exception with the standard message. */
    public TransportShutdownException() {
        super(MESSAGE);
    }
}
