package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

import java.util.Objects;

/**
 * A voter's answer to {@link RequestVoteRequest} (hashicorp's {@code RequestVoteResponse}).
 *
 * @param header  protocol header
 * @param term    the voter's current term
 * @param peers   legacy encoded peers, filled only by servers running protocol &lt; 2; {@code null} otherwise
 * @param granted whether the vote was granted
 */
public record RequestVoteResponse(RpcHeader header, long term, byte[] peers, boolean granted) implements RpcMessage {
    /** Copies the array. */
    public RequestVoteResponse {
        Objects.requireNonNull(header, "header");
        peers = Bytes.copy(peers);
    }

    /** A copy of the legacy peers blob, or {@code null} when absent. */
    @Override
    public byte[] peers() {
        return Bytes.copy(peers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestVoteResponse r && header.equals(r.header) && term == r.term
                && Bytes.equal(peers, r.peers) && granted == r.granted;
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, term, Bytes.hash(peers), granted);
    }

    @Override
    public String toString() {
        return "RequestVoteResponse[pv=" + header.protocolVersion() + ", term=" + Long.toUnsignedString(term)
                + ", peers=" + Bytes.describe(peers) + ", granted=" + granted + "]";
    }
}
