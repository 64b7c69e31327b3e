package io.flotilla.raft.transport.net;

import java.io.IOException;

/**
 * A stream layer was bound to an unspecified address (0.0.0.0 or ::) and given no address to advertise, so
 * peers would not know how to reach it (hashicorp's {@code errNotAdvertisable}).
 */
public class NotAdvertisableException extends IOException {
    /** The message, identical to hashicorp's error text. */
    public static final String MESSAGE = "local bind address is not advertisable";

    /** An exception with the standard message. */
    public NotAdvertisableException() {
        super(MESSAGE);
    }
}
