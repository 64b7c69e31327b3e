package io.flotilla.raft.snapshot;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where an FSM writes a snapshot (hashicorp's {@code SnapshotSink}). Write the data, then {@link #close()}
 * to make the snapshot durable and visible, or {@link #cancel()} to discard it. Closing and cancelling are
 * idempotent, and whichever happens first wins.
 */
public abstract class SnapshotSink extends OutputStream {
    /** The id the snapshot will have in its store. */
    public abstract String id();

    /** Discards everything written; the snapshot never becomes visible. */
    public abstract void cancel() throws IOException;
}
