package io.flotilla.raft;

import io.flotilla.raft.snapshot.SnapshotSink;

/**
 * A point-in-time view of an FSM's state, written out by Raft's snapshot thread (hashicorp's
 * {@code FSMSnapshot}).
 */
public interface FsmSnapshot {
    /**
     * Writes the state to the sink, then closes it. On failure, cancel the sink (or throw: Raft cancels it
     * for you). May run concurrently with {@link Fsm#apply}.
     */
    void persist(SnapshotSink sink) throws Exception;

    /** Called when Raft is done with this snapshot, whether or not it was persisted. */
    default void release() {
    }
}
