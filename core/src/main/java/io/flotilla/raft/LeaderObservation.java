package io.flotilla.raft;

/**
 * Observed whenever the node's idea of the current leader changes, including to "unknown"
 * (hashicorp's {@code LeaderObservation}).
 *
 * @param leader the new leader's address, or {@link ServerAddress#NONE}
 */
public record LeaderObservation(ServerAddress leader) {
}
