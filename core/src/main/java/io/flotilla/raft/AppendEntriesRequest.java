package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

import java.util.List;
import java.util.Objects;

/**
 * Sent by the leader to replicate entries and as a heartbeat (hashicorp's {@code AppendEntriesRequest}).
 *
 * @param header            protocol header
 * @param term              the leader's term
 * @param leader            the leader's encoded address (transport {@code encodePeer}); {@code null} when absent
 * @param prevLogEntry      index of the entry just before {@code entries}
 * @param prevLogTerm       term of that entry
 * @param entries           the new entries; {@code null} when absent (a heartbeat sends nil, replication an
 *                          empty list — the wire tells them apart)
 * @param leaderCommitIndex the leader's commit index
 */
public record AppendEntriesRequest(RpcHeader header, long term, byte[] leader, long prevLogEntry, long prevLogTerm,
                                   List<LogEntry> entries, long leaderCommitIndex) implements RpcMessage {
    /** Copies the arrays and the list. */
    public AppendEntriesRequest {
        Objects.requireNonNull(header, "header");
        leader = Bytes.copy(leader);
        entries = entries == null ? null : List.copyOf(entries);
    }

    /** A heartbeat as hashicorp sends it: only header, term and leader set. */
    public static AppendEntriesRequest heartbeat(RpcHeader header, long term, byte[] leader) {
        return new AppendEntriesRequest(header, term, leader, 0, 0, null, 0);
    }

    /** A copy of the leader bytes, or {@code null} when absent. */
    @Override
    public byte[] leader() {
        return Bytes.copy(leader);
    }

    /** The number of entries (0 when absent). */
    public int entryCount() {
        return entries == null ? 0 : entries.size();
    }

    /**
     * Whether this request qualifies for the receiving transport's heartbeat fast path, with hashicorp's
     * predicate: a term and leader, and nothing else.
     */
    public boolean isHeartbeat() {
        return term != 0 && leader != null && prevLogEntry == 0 && prevLogTerm == 0
                && entryCount() == 0 && leaderCommitIndex == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppendEntriesRequest r && header.equals(r.header) && term == r.term
                && Bytes.equal(leader, r.leader) && prevLogEntry == r.prevLogEntry && prevLogTerm == r.prevLogTerm
                && Objects.equals(entries, r.entries) && leaderCommitIndex == r.leaderCommitIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, term, Bytes.hash(leader), prevLogEntry, prevLogTerm, entries, leaderCommitIndex);
    }

    @Override
    public String toString() {
        return "AppendEntriesRequest[pv=" + header.protocolVersion() + ", term=" + Long.toUnsignedString(term)
                + ", leader=" + Bytes.describe(leader) + ", prevLogEntry=" + Long.toUnsignedString(prevLogEntry)
                + ", prevLogTerm=" + Long.toUnsignedString(prevLogTerm)
                + ", entries=" + (entries == null ? "nil" : String.valueOf(entries.size()))
                + ", leaderCommitIndex=" + Long.toUnsignedString(leaderCommitIndex) + "]";
    }
}
