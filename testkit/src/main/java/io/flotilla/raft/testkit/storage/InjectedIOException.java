package io.flotilla.raft.testkit.storage;

import java.io.IOException;

/**
 * The failure a {@link FaultSwitch} injects, a distinct type so that a test can tell an injected fault
 * from a real one in logs, futures and exception chains.
 */
public final class InjectedIOException extends IOException {
    /** An injected failure of the named operation, e.g. {@code "storeLogs"}. */
    public InjectedIOException(String operation) {
        super("injected fault: " + operation);
    }
}
