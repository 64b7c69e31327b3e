package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.SnapshotMeta;

import java.io.IOException;
import java.util.List;

/**
 * Stores snapshots of the FSM with their metadata (hashicorp's {@code SnapshotStore}).
 */
public interface SnapshotStore {
    /**
     * Starts a new snapshot covering the log up to {@code index}/{@code term}.
     *
     * @param version            snapshot format version; stores accept only {@link io.flotilla.raft.SnapshotVersion#MAX}
     * @param configuration      the committed configuration to store with it
     * @param configurationIndex the index of that configuration
     * @param peers              encodes the legacy peers blob written alongside the configuration
     */
    SnapshotSink create(int version, long index, long term, Configuration configuration, long configurationIndex,
                        PeerCodec peers) throws IOException;

    /** The usable snapshots, newest first. */
    List<SnapshotMeta> list() throws IOException;

    /**
     * Opens a snapshot for reading. The caller closes the result.
     *
     * @throws IOException if it cannot be opened, or its data fails an integrity check
     */
    SnapshotStream open(String id) throws IOException;

    /**
     * Removes a snapshot, for example one received from a leader that the FSM then failed to restore, so it is not
     * mistaken later for a usable one. Stores that cannot remove snapshots may do nothing (the default): startup
     * falls back past a snapshot that does not restore.
     */
    default void delete(String id) throws IOException {
    }
}
