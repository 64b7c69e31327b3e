package io.flotilla.raft;

/**
 * Something a node reports to its {@link Observer}s (hashicorp's {@code Observation}): a {@link RaftState}
 * change, a {@link LeaderObservation}, a {@link PeerObservation}, or a {@link RequestVoteRequest} it received.
 *
 * @param raft the node that observed it
 * @param data the observation
 */
public record Observation(Raft raft, Object data) {
}
