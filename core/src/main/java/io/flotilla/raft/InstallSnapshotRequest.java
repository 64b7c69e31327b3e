package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

import java.util.Objects;

/**
 * Sent by the leader to a follower that needs entries already compacted away; exactly {@code size} bytes of
 * snapshot data follow it on the stream (hashicorp's {@code InstallSnapshotRequest}).
 *
 * @param header             protocol header
 * @param snapshotVersion    the snapshot format version (0 or 1)
 * @param term               the leader's term
 * @param leader             the leader's encoded address; {@code null} when absent
 * @param lastLogIndex       the last index the snapshot covers
 * @param lastLogTerm        the term of that index
 * @param peers              legacy encoded voter addresses; {@code null} when absent
 * @param configuration      the configuration as {@code EncodeConfiguration} msgpack; {@code null} when absent
 * @param configurationIndex the index of that configuration
 * @param size               how many bytes of snapshot data follow
 */
public record InstallSnapshotRequest(RpcHeader header, int snapshotVersion, long term, byte[] leader,
                                     long lastLogIndex, long lastLogTerm, byte[] peers, byte[] configuration,
                                     long configurationIndex, long size) implements RpcMessage {
    /** Copies the arrays. */
    public InstallSnapshotRequest {
        Objects.requireNonNull(header, "header");
        leader = Bytes.copy(leader);
        peers = Bytes.copy(peers);
        configuration = Bytes.copy(configuration);
    }

    /** A copy of the leader bytes, or {@code null} when absent. */
    @Override
    public byte[] leader() {
        return Bytes.copy(leader);
    }

    /** A copy of the legacy peers blob, or {@code null} when absent. */
    @Override
    public byte[] peers() {
        return Bytes.copy(peers);
    }

    /** A copy of the encoded configuration, or {@code null} when absent. */
    @Override
    public byte[] configuration() {
        return Bytes.copy(configuration);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstallSnapshotRequest r && header.equals(r.header)
                && snapshotVersion == r.snapshotVersion && term == r.term && Bytes.equal(leader, r.leader)
                && lastLogIndex == r.lastLogIndex && lastLogTerm == r.lastLogTerm && Bytes.equal(peers, r.peers)
                && Bytes.equal(configuration, r.configuration) && configurationIndex == r.configurationIndex
                && size == r.size;
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, snapshotVersion, term, Bytes.hash(leader), lastLogIndex, lastLogTerm,
                Bytes.hash(peers), Bytes.hash(configuration), configurationIndex, size);
    }

    @Override
    public String toString() {
        return "InstallSnapshotRequest[pv=" + header.protocolVersion() + ", snapshotVersion=" + snapshotVersion
                + ", term=" + Long.toUnsignedString(term) + ", leader=" + Bytes.describe(leader)
                + ", lastLogIndex=" + Long.toUnsignedString(lastLogIndex)
                + ", lastLogTerm=" + Long.toUnsignedString(lastLogTerm)
                + ", configurationIndex=" + Long.toUnsignedString(configurationIndex) + ", size=" + size + "]";
    }
}
