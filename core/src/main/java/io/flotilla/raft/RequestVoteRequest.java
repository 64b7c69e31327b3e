package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

import java.util.Objects;

/**
 * A candidate's request for a vote (hashicorp's {@code RequestVoteRequest}).
 *
 * @param header             protocol header
 * @param term               the candidate's term
 * @param candidate          the candidate's encoded address; {@code null} when absent
 * @param lastLogIndex       index of the candidate's last entry (snapshot-aware)
 * @param lastLogTerm        term of that entry
 * @param leadershipTransfer set when the election follows a leadership transfer, so voters ignore a known leader
 */
public record RequestVoteRequest(RpcHeader header, long term, byte[] candidate, long lastLogIndex, long lastLogTerm,
                                 boolean leadershipTransfer) implements RpcMessage {
    /** Copies the array. */
    public RequestVoteRequest {
        Objects.requireNonNull(header, "header");
        candidate = Bytes.copy(candidate);
    }

    /** A copy of the candidate bytes, or {@code null} when absent. */
    @Override
    public byte[] candidate() {
        return Bytes.copy(candidate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestVoteRequest r && header.equals(r.header) && term == r.term
                && Bytes.equal(candidate, r.candidate) && lastLogIndex == r.lastLogIndex
                && lastLogTerm == r.lastLogTerm && leadershipTransfer == r.leadershipTransfer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, term, Bytes.hash(candidate), lastLogIndex, lastLogTerm, leadershipTransfer);
    }

    @Override
    public String toString() {
        return "RequestVoteRequest[pv=" + header.protocolVersion() + ", term=" + Long.toUnsignedString(term)
                + ", candidate=" + Bytes.describe(candidate) + ", lastLogIndex=" + Long.toUnsignedString(lastLogIndex)
                + ", lastLogTerm=" + Long.toUnsignedString(lastLogTerm) + ", leadershipTransfer=" + leadershipTransfer + "]";
    }
}
