package io.flotilla.raft.snapshot;

import io.flotilla.raft.SnapshotMeta;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An opened snapshot: its metadata and a stream of its data. Closing it closes the stream.
 *
 * @param meta the snapshot's metadata
 * @param data its data; read exactly {@code meta.size()} bytes
 */
public record SnapshotStream(SnapshotMeta meta, InputStream data) implements Closeable {
    /** Rejects {@code null} components. */
    public SnapshotStream {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(data, "data");
    }

    @Override
    public void close() throws IOException {
        data.close();
    }
}
