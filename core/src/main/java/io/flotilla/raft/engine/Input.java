package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.ConfigurationChangeRequest;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.internal.Bytes;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that can happen to a node, as a plain value fed to {@link Engine#step}. Inputs carry no
 * threads, futures or streams: requests are named by opaque ids that come back in {@link Output}s.
 */
public sealed interface Input {

    /** Time has passed; the engine fires whatever timers are due at the clock's current time. */
    record Tick() implements Input {
        /** The only instance needed. */
        public static final Tick INSTANCE = new Tick();
    }

    /**
     * An RPC request arrived (AppendEntries, RequestVote or TimeoutNow).
     *
     * @param replyTo names the reply in {@link Output.Respond}
     * @param request the request
     */
    record RequestReceived(long replyTo, RpcMessage request) implements Input {
        /** Rejects a {@code null} request. */
        public RequestReceived {
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * An InstallSnapshot request arrived; its data is still on the wire. The engine answers with
     * {@link Output.Respond} (refused) or {@link Output.AcceptSnapshot} (stream it, then report back).
     *
     * @param replyTo names the reply
     * @param request the request header
     */
    record InstallSnapshotReceived(long replyTo, InstallSnapshotRequest request) implements Input {
        /** Rejects a {@code null} request. */
        public InstallSnapshotReceived {
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * An accepted snapshot was stored and the FSM restored from it.
     *
     * @param replyTo            the reply to send
     * @param index              the last index it covers
     * @param term               the term of that index
     * @param configuration      the configuration it carries
     * @param configurationIndex the index of that configuration
     */
    record SnapshotInstalled(long replyTo, long index, long term, Configuration configuration,
                             long configurationIndex) implements Input {
        /** Rejects a {@code null} configuration. */
        public SnapshotInstalled {
            Objects.requireNonNull(configuration, "configuration");
        }
    }

    /**
     * An accepted snapshot could not be stored or restored; nothing changed.
     *
     * @param replyTo the reply to send
     * @param error   why
     */
    record SnapshotInstallFailed(long replyTo, String error) implements Input {
    }

    /**
     * The answer to an RPC the engine sent with {@link Output.Send} or {@link Output.SendEntries}.
     *
     * @param peer        who answered
     * @param correlation the id of the request
     * @param response    the response
     */
    record ResponseReceived(ServerId peer, long correlation, RpcMessage response) implements Input {
        /** Rejects {@code null} components. */
        public ResponseReceived {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(response, "response");
        }
    }

    /** Why an RPC produced no response. */
    enum FailureKind {
        /** The transport failed (unreachable, timeout, remote error). */
        TRANSPORT,
        /** The entries to send are no longer in the log (compacted): the peer needs a snapshot. */
        ENTRIES_UNAVAILABLE,
        /** There is no snapshot to send. */
        NO_SNAPSHOT
    }

    /**
     * An RPC the engine sent produced no response.
     *
     * @param peer        the target
     * @param correlation the id of the request
     * @param kind        why
     * @param error       a description for logs
     */
    record RpcFailed(ServerId peer, long correlation, FailureKind kind, String error) implements Input {
        /** Rejects {@code null} components. */
        public RpcFailed {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * The answer to an InstallSnapshot the engine asked for with {@link Output.SendSnapshot}.
     *
     * @param peer          who answered
     * @param correlation   the id of the request
     * @param snapshotIndex the last index covered by the snapshot that was sent
     * @param term          the peer's term
     * @param success       whether it installed it
     */
    record SnapshotSent(ServerId peer, long correlation, long snapshotIndex, long term, boolean success)
            implements Input {
    }

    /**
     * The log writer finished every log operation up to {@code seq}; they are durable.
     *
     * @param seq the sequence number of the last durable operation
     */
    record LogPersisted(long seq) implements Input {
    }

    /**
     * A log operation failed; the local log may be behind the engine's view.
     *
     * @param seq   the failed operation
     * @param error why
     */
    record LogPersistFailed(long seq, String error) implements Input {
    }

    /**
     * One client entry to append (a command or a barrier).
     *
     * @param requestId  names the client's future
     * @param type       {@link LogType#COMMAND} or {@link LogType#BARRIER}
     * @param data       payload, or {@code null}
     * @param extensions extensions, or {@code null}
     */
    record Proposal(long requestId, LogType type, byte[] data, byte[] extensions) {
        /** Copies the arrays. */
        public Proposal {
            Objects.requireNonNull(type, "type");
            data = Bytes.copy(data);
            extensions = Bytes.copy(extensions);
        }
    }

    /**
     * Clients ask the leader to append entries; all of them go into one group commit.
     *
     * @param proposals the entries, in order
     */
    record Propose(List<Proposal> proposals) implements Input {
        /** Copies the list. */
        public Propose {
            proposals = List.copyOf(proposals);
        }
    }

    /**
     * A client asks the leader to confirm it still leads.
     *
     * @param requestId names the client's future
     */
    record VerifyLeader(long requestId) implements Input {
    }

    /**
     * A client wants to read linearizably (the Raft dissertation's ReadIndex): once this leader has committed an
     * entry of its term, the commit index at that point is confirmed by a quorum round and returned; the read is
     * safe once the FSM has applied through it.
     *
     * @param requestId names the client's future, completed with the read index
     */
    record ReadIndex(long requestId) implements Input {
    }

    /**
     * A client asks for a membership change.
     *
     * @param requestId     names the client's future
     * @param change        the change
     * @param enqueueBefore engine-clock nanos after which the request fails with an enqueue timeout if the leader
     *                      has not started it; {@link Long#MAX_VALUE} for no limit
     */
    record ChangeConfiguration(long requestId, ConfigurationChangeRequest change, long enqueueBefore)
            implements Input {
        /** Rejects a {@code null} change. */
        public ChangeConfiguration {
            Objects.requireNonNull(change, "change");
        }
    }

    /**
     * A client asks the leader to hand leadership over.
     *
     * @param requestId names the client's future
     * @param targetId  the server to hand over to, or empty to pick the most up-to-date voter
     * @param address   its address when given
     */
    record TransferLeadership(long requestId, Optional<ServerId> targetId, Optional<ServerAddress> address)
            implements Input {
    }

    /**
     * A client asks to bootstrap this (empty) node with a configuration.
     *
     * @param requestId     names the client's future
     * @param configuration the initial configuration
     */
    record Bootstrap(long requestId, Configuration configuration) implements Input {
    }

    /**
     * A client asks for the latest configuration (refused while a leadership transfer runs, as in hashicorp).
     *
     * @param requestId names the client's future
     */
    record QueryConfiguration(long requestId) implements Input {
    }

    /**
     * A snapshot covering the log up to {@code index} was persisted; the log before it may be compacted.
     *
     * @param index the last index covered
     * @param term  the term of that index
     */
    record SnapshotTaken(long index, long term) implements Input {
    }

    /**
     * A client asks the leader to replace the state with a snapshot it supplies (hashicorp's {@code Restore}).
     *
     * @param requestId names the client's future, completed once the no-op after the restore commits
     * @param version   the snapshot's format version
     * @param index     the snapshot's own last index (the restored state gets an index above everything)
     */
    record UserRestore(long requestId, int version, long index) implements Input {
    }

    /**
     * The runtime finished a {@link Output.RestoreUserSnapshot}.
     *
     * @param requestId  the client's request
     * @param error      why it failed, or {@code null} on success
     * @param fsmTouched whether the FSM may have been changed (a failure then leaves the node inconsistent)
     */
    record UserRestoreDone(long requestId, String error, boolean fsmTouched) implements Input {
    }

    /** The node is shutting down: every pending request fails and nothing more is sent. */
    record Shutdown() implements Input {
        /** The only instance needed. */
        public static final Shutdown INSTANCE = new Shutdown();
    }
}
