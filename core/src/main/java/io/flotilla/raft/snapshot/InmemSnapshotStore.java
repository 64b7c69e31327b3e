package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.SnapshotVersion;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * Keeps only the most recent snapshot, in memory; for tests. Follows hashicorp's {@code InmemSnapshotStore}:
 * a snapshot becomes the latest, listed and openable, as soon as it is created, before its sink is closed, and
 * every {@link #open} returns a fresh stream over the data written so far.
 *
 * <p>One deliberate difference: hashicorp's {@code Cancel} does nothing, leaving a cancelled snapshot as the
 * latest. Here {@link SnapshotSink#cancel()} discards it, and the store goes back to the snapshot that was
 * latest before it (or to having none).
 *
 * <p>Thread-safe.
 */
public final class InmemSnapshotStore implements SnapshotStore {
    private final Clock clock;
    private Sink latest; // guarded by this

    /** An empty store naming snapshots by the system clock. */
    public InmemSnapshotStore() {
        this(Clock.systemUTC());
    }

    /** An empty store; {@code clock} supplies the milliseconds in snapshot ids. */
    public InmemSnapshotStore(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts a snapshot that at once replaces the latest one.
     *
     * @throws IllegalArgumentException if {@code version} is not {@link SnapshotVersion#MAX}
     */
    @Override
    public synchronized SnapshotSink create(int version, long index, long term, Configuration configuration,
                                            long configurationIndex, PeerCodec peers) {
        if (version != SnapshotVersion.MAX) {
            throw new IllegalArgumentException("unsupported snapshot version " + version);
        }
        SnapshotMeta meta = new SnapshotMeta(version, SnapshotIds.next(term, index, clock), index, term,
                LegacyPeers.encode(configuration, peers), configuration, configurationIndex, 0);
        latest = new Sink(meta, latest);
        return latest;
    }

    /** The latest snapshot, if any, with its size so far. */
    @Override
    public synchronized List<SnapshotMeta> list() {
        return latest == null ? List.of() : List.of(latest.currentMeta());
    }

    /**
     * Opens the latest snapshot; it can be opened any number of times.
     *
     * @throws IOException {@code [ERR] snapshot: failed to open snapshot id: <id>} if {@code id} is not the
     *                     latest snapshot
     */
    @Override
    public synchronized SnapshotStream open(String id) throws IOException {
        if (latest == null || !latest.id().equals(id)) {
            throw new IOException("[ERR] snapshot: failed to open snapshot id: " + id);
        }
        return new SnapshotStream(latest.currentMeta(), new ByteArrayInputStream(latest.data.toByteArray()));
    }

    /** Forgets the snapshot if it is the latest (the only one kept). */
    @Override
    public synchronized void delete(String id) {
        if (latest != null && latest.id().equals(id)) {
            latest = null;
        }
    }

    private enum State { OPEN, CLOSED, CANCELLED }

    /** Writes into memory; all state is guarded by the store's lock. */
    private final class Sink extends SnapshotSink {
        private final SnapshotMeta meta;
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        /** What becomes latest again if this is cancelled; dropped once closed, as nothing older can return. */
        private Sink previous;
        private State state = State.OPEN;

        Sink(SnapshotMeta meta, Sink previous) {
            this.meta = meta;
            this.previous = previous;
        }

        SnapshotMeta currentMeta() {
            return meta.withSize(data.size());
        }

        @Override
        public String id() {
            return meta.id();
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (InmemSnapshotStore.this) {
                ensureOpen();
                data.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (InmemSnapshotStore.this) {
                ensureOpen();
                data.write(b, off, len);
            }
        }

        @Override
        public void close() {
            synchronized (InmemSnapshotStore.this) {
                if (state == State.OPEN) {
                    state = State.CLOSED;
                    previous = null;
                }
            }
        }

        @Override
        public void cancel() {
            synchronized (InmemSnapshotStore.this) {
                if (state != State.OPEN) {
                    return;
                }
                state = State.CANCELLED;
                if (latest == this) {
                    Sink back = previous;
                    while (back != null && back.state == State.CANCELLED) {
                        back = back.previous;
                    }
                    latest = back;
                }
            }
        }

        private void ensureOpen() throws IOException {
            if (state != State.OPEN) {
                throw new IOException("snapshot " + meta.id() + " is already closed or cancelled");
            }
        }
    }
}
