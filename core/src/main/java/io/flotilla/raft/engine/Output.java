package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.internal.Bytes;

import java.util.List;
import java.util.Objects;

/**
 * What the engine asks its runtime to do, as plain values, in the order given. Two rules make the protocol
 * safe: {@link PersistTerm} and {@link PersistVote} are durable before any later output is executed; log
 * operations ({@link AppendLog}, {@link TruncateLog}, {@link CompactLog}, {@link ResetLog}) run in order on
 * the log writer, which reports back with {@link Input.LogPersisted}.
 */
public sealed interface Output {

    /**
     * Durably store the current term (stable key {@code CurrentTerm}) before executing any later output.
     *
     * @param term the term
     */
    record PersistTerm(long term) implements Output {
    }

    /**
     * Durably store a vote (stable keys {@code LastVoteTerm}, then {@code LastVoteCand}) before executing any
     * later output.
     *
     * @param term      the term of the vote
     * @param candidate the candidate's encoded address
     */
    record PersistVote(long term, byte[] candidate) implements Output {
        /** Copies the array. */
        public PersistVote {
            candidate = Bytes.copy(candidate);
        }

        /** A copy of the candidate bytes. */
        @Override
        public byte[] candidate() {
            return Bytes.copy(candidate);
        }
    }

    /** A log operation for the log writer; {@code seq} increases by one per operation. */
    sealed interface LogOperation extends Output {
        /** The operation's sequence number, acknowledged by {@link Input.LogPersisted}. */
        long seq();
    }

    /**
     * Append entries to the log. They are readable for replication and apply at once, durable later.
     *
     * @param seq     sequence number
     * @param entries contiguous entries following the current last index
     */
    record AppendLog(long seq, List<LogEntry> entries) implements LogOperation {
        /** Copies the list. */
        public AppendLog {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Delete the log suffix {@code [from, to]} (conflicting entries on a follower).
     *
     * @param seq  sequence number
     * @param from first index to delete
     * @param to   last index to delete
     */
    record TruncateLog(long seq, long from, long to) implements LogOperation {
    }

    /**
     * Delete the log prefix {@code [from, to]} that a snapshot made unnecessary.
     *
     * @param seq  sequence number
     * @param from first index to delete
     * @param to   last index to delete
     */
    record CompactLog(long seq, long from, long to) implements LogOperation {
    }

    /**
     * Delete the whole log {@code [from, to]} (an installed snapshot replaced it).
     *
     * @param seq  sequence number
     * @param from first index to delete
     * @param to   last index to delete
     */
    record ResetLog(long seq, long from, long to) implements LogOperation {
    }

    /**
     * Send an RPC request to a peer and report the outcome with {@link Input.ResponseReceived} or
     * {@link Input.RpcFailed}.
     *
     * @param peer        the target
     * @param correlation names the request in the report
     * @param request     the request
     * @param heartbeat   whether it is a heartbeat (the runtime keeps those off the replication path)
     */
    record Send(Server peer, long correlation, RpcMessage request, boolean heartbeat) implements Output {
        /** Rejects {@code null} components. */
        public Send {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * Send an AppendEntries whose entries {@code [fromIndex, toIndex]} the runtime reads from its log (they
     * may not be durable yet); {@code template} has everything else and no entries. An empty range
     * ({@code toIndex < fromIndex}) sends an empty, non-nil entry list.
     *
     * @param peer        the target
     * @param correlation names the request in the report
     * @param template    the request without entries
     * @param fromIndex   first entry to send
     * @param toIndex     last entry to send
     * @param pipelined   whether the request may be pipelined behind others
     */
    record SendEntries(Server peer, long correlation, AppendEntriesRequest template, long fromIndex, long toIndex,
                       boolean pipelined) implements Output {
        /** Rejects {@code null} components. */
        public SendEntries {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(template, "template");
        }
    }

    /**
     * Send the newest snapshot to a peer and report with {@link Input.SnapshotSent} or {@link Input.RpcFailed}.
     *
     * @param peer        the target
     * @param correlation names the request in the report
     * @param term        the leader's term
     * @param leader      the leader's encoded address
     */
    record SendSnapshot(Server peer, long correlation, long term, byte[] leader) implements Output {
        /** Copies the array. */
        public SendSnapshot {
            Objects.requireNonNull(peer, "peer");
            leader = Bytes.copy(leader);
        }

        /** A copy of the leader bytes. */
        @Override
        public byte[] leader() {
            return Bytes.copy(leader);
        }
    }

    /**
     * Answer an RPC request.
     *
     * @param replyTo  the request's reply id
     * @param response the response, or {@code null} with an error
     * @param error    an error text for the requester, or {@code null}
     */
    record Respond(long replyTo, RpcMessage response, String error) implements Output {
    }

    /**
     * Stream the data of an accepted InstallSnapshot into the snapshot store, restore the FSM from it, then
     * report with {@link Input.SnapshotInstalled} or {@link Input.SnapshotInstallFailed}.
     *
     * @param replyTo the request's reply id
     * @param request the request header
     */
    record AcceptSnapshot(long replyTo, InstallSnapshotRequest request) implements Output {
    }

    /**
     * Everything up to {@code commitIndex} is committed: apply it to the FSM in order and complete the given
     * requests with the results.
     *
     * @param commitIndex the new commit index
     * @param requests    client requests among the newly committed entries, in index order
     */
    record Commit(long commitIndex, List<CommittedRequest> requests) implements Output {
        /** Copies the list. */
        public Commit {
            requests = List.copyOf(requests);
        }
    }

    /**
     * A client's entry that has committed; its future completes once the FSM has applied it.
     *
     * @param index     the entry's index
     * @param requestId the client's request
     */
    record CommittedRequest(long index, long requestId) {
    }

    /**
     * Complete a client request successfully.
     *
     * @param requestId the request
     * @param value     the result (an index, a configuration, ...), or {@code null}
     */
    record Complete(long requestId, Object value) implements Output {
    }

    /**
     * Fail a client request.
     *
     * @param requestId the request
     * @param error     the exception to complete it with
     */
    record Fail(long requestId, RaftException error) implements Output {
        /** Rejects a {@code null} error. */
        public Fail {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Something observers may want to see: a {@link io.flotilla.raft.RaftState}, a leader change, a peer
     * replication change or a vote request.
     *
     * @param observation the observation
     */
    record Observe(Object observation) implements Output {
    }

    /**
     * Leadership was gained ({@code true}) or lost ({@code false}).
     *
     * @param leader whether this node is now leader
     */
    record LeadershipChanged(boolean leader) implements Output {
    }

    /**
     * The known leader changed; empty address when unknown.
     *
     * @param address the leader's address
     * @param id      the leader's id when known from the configuration, else empty
     */
    record LeaderChanged(ServerAddress address, ServerId id) implements Output {
    }

    /**
     * Store the snapshot the user supplied for request {@code requestId} at {@code index}/{@code term} with the
     * given configuration, restore the FSM from it, then report with {@link Input.UserRestoreDone}.
     *
     * @param requestId          the client's request (the runtime holds its data stream)
     * @param version            snapshot format version
     * @param index              the index the restored state takes (above every existing entry)
     * @param term               the leader's term
     * @param configuration      the latest configuration, stored with the snapshot
     * @param configurationIndex its index
     */
    record RestoreUserSnapshot(long requestId, int version, long index, long term,
                               io.flotilla.raft.Configuration configuration, long configurationIndex)
            implements Output {
    }

    /** The leader removed itself and {@code ShutdownOnRemove} is set: shut the node down. */
    record ShutdownRequested() implements Output {
    }
}
