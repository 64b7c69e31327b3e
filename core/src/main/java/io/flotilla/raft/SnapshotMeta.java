package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

import java.util.Objects;

/**
 * What is known about a stored snapshot (hashicorp's {@code SnapshotMeta}).
 *
 * @param version            snapshot format version
 * @param id                 the store's id for it, {@code <term>-<index>-<millis>}
 * @param index              the last log index it covers
 * @param term               the term of that index
 * @param peers              legacy encoded voter addresses (always written, for version-0 readers); may be {@code null}
 * @param configuration      the committed configuration at the time of the snapshot
 * @param configurationIndex the index of that configuration
 * @param size               the size of the snapshot data in bytes
 */
public record SnapshotMeta(int version, String id, long index, long term, byte[] peers, Configuration configuration,
                           long configurationIndex, long size) {
    /** Copies the array; rejects {@code null} id and configuration. */
    public SnapshotMeta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(configuration, "configuration");
        peers = Bytes.copy(peers);
    }

    /** A copy of the legacy peers blob, or {@code null} when absent. */
    @Override
    public byte[] peers() {
        return Bytes.copy(peers);
    }

    /** This metadata with another size (stores update it as data is written). */
    public SnapshotMeta withSize(long newSize) {
        return new SnapshotMeta(version, id, index, term, peers, configuration, configurationIndex, newSize);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotMeta m && version == m.version && id.equals(m.id) && index == m.index
                && term == m.term && Bytes.equal(peers, m.peers) && configuration.equals(m.configuration)
                && configurationIndex == m.configurationIndex && size == m.size;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, id, index, term, Bytes.hash(peers), configuration, configurationIndex, size);
    }

    @Override
    public String toString() {
        return "SnapshotMeta[version=" + version + ", id=" + id + ", index=" + Long.toUnsignedString(index)
                + ", term=" + Long.toUnsignedString(term) + ", configuration=" + configuration
                + ", configurationIndex=" + Long.toUnsignedString(configurationIndex) + ", size=" + size + "]";
    }
}
