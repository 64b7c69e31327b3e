package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.SnapshotMeta;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Accepts snapshots and throws them away, for when the log should be compacted but no snapshot kept
 * (hashicorp's {@code DiscardSnapshotStore}). Suitable for tests only: a node using it cannot restore its state
 * or send a snapshot to a follower.
 */
public final class DiscardSnapshotStore implements SnapshotStore {
    /** The id of every sink this store creates. */
    public static final String SINK_ID = "discard";

    /** A sink that discards everything; like hashicorp's, it accepts any version. */
    @Override
    public SnapshotSink create(int version, long index, long term, Configuration configuration,
                               long configurationIndex, PeerCodec peers) {
        return new SnapshotSink() {
            @Override
            public String id() {
                return SINK_ID;
            }

            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) {
                Objects.checkFromIndexSize(off, len, b.length);
            }

            @Override
            public void cancel() {
            }
        };
    }

    /** Always empty. */
    @Override
    public List<SnapshotMeta> list() {
        return List.of();
    }

    /**
     * Always fails.
     *
     * @throws IOException {@code open is not supported}
     */
    @Override
    public SnapshotStream open(String id) throws IOException {
        throw new IOException("open is not supported");
    }
}
