package io.flotilla.raft;

/**
 * Observed when a leader starts replicating to a server ({@code removed == false}) or stops because the
 * server left the configuration ({@code removed == true}) (hashicorp's {@code PeerObservation}).
 *
 * @param removed whether the peer was removed
 * @param peer    the peer
 */
public record PeerObservation(boolean removed, Server peer) {
}
