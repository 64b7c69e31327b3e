package io.flotilla.raft;

import java.io.InputStream;

/**
 * The replicated state machine a user plugs into Raft (hashicorp's {@code FSM}). Raft calls it from a single
 * thread: {@link #apply}, {@link #snapshot} and {@link #restore} never run concurrently with each other,
 * while {@link FsmSnapshot#persist} may run concurrently with later applies.
 */
public interface Fsm {
    /**
     * Applies a committed {@link LogType#COMMAND} entry. The returned value is handed to the apply future on
     * the node that proposed the entry (and discarded elsewhere); it may be {@code null}.
     */
    Object apply(LogEntry entry);

    /**
     * Captures a point-in-time view of the state. Must be quick: do the expensive writing in
     * {@link FsmSnapshot#persist}, which runs on another thread while applies continue.
     */
    FsmSnapshot snapshot() throws Exception;

    /**
     * Replaces the entire state with the contents of a snapshot. The stream is closed by the caller. If the
     * snapshot cannot be read, throw and leave the state as it was (read it fully, then swap): Raft then refuses
     * the snapshot and the node stays as it was.
     */
    void restore(InputStream snapshot) throws Exception;

    /**
     * Replaces the state with a snapshot whose metadata is known — Raft always calls this one; the default
     * ignores the metadata. Override it when the FSM tracks the index its state reflects (hashicorp's FSM cannot
     * see it).
     */
    default void restore(SnapshotMeta meta, InputStream snapshot) throws Exception {
        restore(snapshot);
    }
}
