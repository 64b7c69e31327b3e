package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;

import java.util.List;

/** One node of a mixed cluster, Go or Java, driven the same way by the tests. */
interface KvNode {
    /** A write's log index and the FSM's result as JSON ({@code {"ok":..,"prev":..}} or with an error). */
    record Write(long index, String result) {
    }

    /** A node answered a call with an error. */
    final class CallFailed extends RuntimeException {
        CallFailed(String message) {
            super(message);
        }

        CallFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    String id();

    String raftAddress();

    /** {@code "go"} or {@code "java"}. */
    String kind();

    /** Raft's state: Follower, Candidate, Leader or Shutdown. */
    String state();

    default boolean isLeader() {
        return "Leader".equals(state());
    }

    /** The leader's raft address as this node knows it; empty when unknown. */
    String leaderAddress();

    /** The FSM digest: keys, the index the state reflects, SHA-256 of the snapshot encoding. */
    KvFsm.Digest digest();

    /** Raft's {@code last_snapshot_index}. */
    long lastSnapshotIndex();

    /** Snapshots this node's FSM restored since it started. */
    long restores();

    /** The state as a sorted map, for diagnostics. */
    String dump();

    /** Sets a key through this node (it must lead). */
    Write put(String key, String value);

    /** Commits arbitrary entry bytes through this node (it must lead). */
    Write apply(byte[] entry);

    /** Adds a voter through this node (it must lead). */
    long addVoter(KvNode node);

    /** Adds a non-voter through this node (it must lead). */
    long addNonvoter(KvNode node);

    /** Removes a server through this node (it must lead). */
    long removeServer(String id);

    /** Hands leadership to {@code node} (this node must lead). */
    void transferLeadershipTo(KvNode node);

    /** The latest configuration as {@code id=address/Suffrage} strings. */
    List<String> configuration();

    /** Stops the node abruptly: SIGKILL for Go, shutdown for Java. */
    void kill();

    boolean alive();

    /** One line for diagnostics. */
    default String describe() {
        if (!alive()) {
            return kind() + " " + id() + "@" + raftAddress() + " [dead]";
        }
        try {
            return kind() + " " + id() + "@" + raftAddress() + " [" + state() + "] leader=" + leaderAddress()
                    + " digest=" + digest() + " lastSnapshot=" + lastSnapshotIndex() + " restores=" + restores()
                    + " config=" + configuration();
        } catch (RuntimeException e) {
            return kind() + " " + id() + "@" + raftAddress() + " (unreachable: " + e.getMessage() + ")";
        }
    }
}
