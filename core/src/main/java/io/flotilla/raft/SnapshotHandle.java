package io.flotilla.raft;

import io.flotilla.raft.snapshot.SnapshotStream;

import java.io.IOException;

/**
 * A snapshot taken on request (hashicorp's {@code SnapshotFuture}): open it to read it, for example to ship it
 * elsewhere or to {@link Raft#restore} it into another cluster.
 */
public interface SnapshotHandle {
    /** The snapshot's id in the snapshot store. */
    String id();

    /**
     * Opens the snapshot. Close the result when done.
     *
     * @throws IOException if it can no longer be opened (for example it was reaped)
     */
    SnapshotStream open() throws IOException;
}
