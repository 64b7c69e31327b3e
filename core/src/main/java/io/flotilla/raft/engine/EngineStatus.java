package io.flotilla.raft.engine;

import io.flotilla.raft.RaftState;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;

import java.util.OptionalLong;

/**
 * A consistent snapshot of the engine's externally visible state, published by the runtime after every step
 * so that {@code state()}, {@code leader()}, {@code stats()} and friends never wait for the event loop.
 *
 * @param state             the role
 * @param term              the current term
 * @param leaderAddress     the known leader, or empty
 * @param leaderId          the known leader's id when it is in the configuration, or empty
 * @param lastIndex         last index of log or snapshot
 * @param lastTerm          its term
 * @param lastLogIndex      last index held in the log
 * @param firstIndex        first index held in the log
 * @param commitIndex       the commit index
 * @param snapshotIndex     last index covered by the newest snapshot
 * @param snapshotTerm      its term
 * @param configurations    latest and committed configurations
 * @param lastContactNanos  engine-clock time of the last leader contact, if any
 * @param transferring      whether a leadership transfer is in progress
 */
public record EngineStatus(RaftState state, long term, ServerAddress leaderAddress, ServerId leaderId,
                           long lastIndex, long lastTerm, long lastLogIndex, long firstIndex, long commitIndex,
                           long snapshotIndex, long snapshotTerm, Configurations configurations,
                           OptionalLong lastContactNanos, boolean transferring) {
}
