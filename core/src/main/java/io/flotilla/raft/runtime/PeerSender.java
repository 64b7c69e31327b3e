package io.flotilla.raft.runtime;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStream;
import io.flotilla.raft.transport.AppendPipeline;
import io.flotilla.raft.transport.PipelineNotSupportedException;
import io.flotilla.raft.transport.Transport;
import org.slf4j.Logger;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Sends the engine's messages to one peer on three lanes, so that no kind of traffic waits behind another:
 * replication (AppendEntries in order, pipelined when the engine says so, and snapshots), heartbeats, and
 * other RPCs (votes, TimeoutNow). Every outcome goes back to the engine as an input.
 */
final class PeerSender implements AutoCloseable {
    private final Transport transport;
    private final RecentEntries log;
    private final SnapshotStore snapshots;
    private final Consumer<Input> engineInput;
    private final Logger logger;
    private final int protocolVersion;
    private final SerialExecutor replication;
    private final SerialExecutor heartbeats;
    private final SerialExecutor rpcs;
    private volatile AppendPipeline pipeline; // used by the replication lane only
    private boolean pipelineUnsupported;

    PeerSender(Transport transport, RecentEntries log, SnapshotStore snapshots, Consumer<Input> engineInput,
               Logger logger, int protocolVersion, Executor pool) {
        this.transport = transport;
        this.log = log;
        this.snapshots = snapshots;
        this.engineInput = engineInput;
        this.logger = logger;
        this.protocolVersion = protocolVersion;
        this.replication = new SerialExecutor(pool);
        this.heartbeats = new SerialExecutor(pool);
        this.rpcs = new SerialExecutor(pool);
    }

    void send(Output.Send s) {
        SerialExecutor lane = s.heartbeat() ? heartbeats : rpcs;
        lane.execute(() -> call(s.peer(), s.correlation(), s.request()));
    }

    private void call(Server peer, long correlation, RpcMessage request) {
        try {
            RpcMessage response;
            if (request instanceof AppendEntriesRequest a) {
                response = transport.appendEntries(peer.id(), peer.address(), a);
            } else if (request instanceof RequestVoteRequest v) {
                response = transport.requestVote(peer.id(), peer.address(), v);
            } else if (request instanceof TimeoutNowRequest t) {
                response = transport.timeoutNow(peer.id(), peer.address(), t);
            } else {
                throw new IllegalArgumentException("cannot send " + request.getClass().getSimpleName());
            }
            engineInput.accept(new Input.ResponseReceived(peer.id(), correlation, response));
        } catch (IOException | RuntimeException e) {
            engineInput.accept(new Input.RpcFailed(peer.id(), correlation, Input.FailureKind.TRANSPORT, e.toString()));
        }
    }

    void sendEntries(Output.SendEntries s) {
        replication.execute(() -> replicate(s));
    }

    private void replicate(Output.SendEntries s) {
        Server peer = s.peer();
        AppendEntriesRequest t = s.template();
        List<LogEntry> entries;
        try {
            entries = s.toIndex() >= s.fromIndex() ? log.range(s.fromIndex(), s.toIndex()) : List.of();
        } catch (IOException e) {
            engineInput.accept(new Input.RpcFailed(peer.id(), s.correlation(), Input.FailureKind.TRANSPORT,
                    "failed to read log: " + e));
            return;
        }
        if (entries.size() != Math.max(0, s.toIndex() - s.fromIndex() + 1)) {
            engineInput.accept(new Input.RpcFailed(peer.id(), s.correlation(),
                    Input.FailureKind.ENTRIES_UNAVAILABLE, "log not found"));
            return;
        }
        AppendEntriesRequest request = new AppendEntriesRequest(t.header(), t.term(), t.leader(), t.prevLogEntry(),
                t.prevLogTerm(), entries, t.leaderCommitIndex());
        if (s.pipelined() && !pipelineUnsupported) {
            sendPipelined(peer, s.correlation(), request);
        } else {
            closePipeline();
            call(peer, s.correlation(), request);
        }
    }

    private void sendPipelined(Server peer, long correlation, AppendEntriesRequest request) {
        try {
            if (pipeline == null) {
                pipeline = transport.appendEntriesPipeline(peer.id(), peer.address());
                logger.info("pipelining replication peer={}", peer.id());
            }
            CompletableFuture<AppendEntriesResponse> f = pipeline.appendEntries(request);
            f.whenComplete((resp, err) -> {
                if (err == null) {
                    engineInput.accept(new Input.ResponseReceived(peer.id(), correlation, resp));
                } else {
                    engineInput.accept(new Input.RpcFailed(peer.id(), correlation, Input.FailureKind.TRANSPORT,
                            err.toString()));
                }
            });
        } catch (PipelineNotSupportedException e) {
            pipelineUnsupported = true;
            call(peer, correlation, request);
        } catch (IOException | RuntimeException e) {
            logger.error("failed to pipeline appendEntries peer={} error={}", peer.id(), e.toString());
            closePipeline();
            engineInput.accept(new Input.RpcFailed(peer.id(), correlation, Input.FailureKind.TRANSPORT, e.toString()));
        }
    }

    private void closePipeline() {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
            logger.info("aborting pipeline replication");
        }
    }

    void sendSnapshot(Output.SendSnapshot s) {
        replication.execute(() -> {
            closePipeline();
            installSnapshot(s);
        });
    }

    private void installSnapshot(Output.SendSnapshot s) {
        Server peer = s.peer();
        SnapshotMeta meta;
        try {
            List<SnapshotMeta> list = snapshots.list();
            if (list.isEmpty()) {
                engineInput.accept(new Input.RpcFailed(peer.id(), s.correlation(), Input.FailureKind.NO_SNAPSHOT,
                        "no snapshots found"));
                return;
            }
            meta = list.get(0);
        } catch (IOException e) {
            engineInput.accept(new Input.RpcFailed(peer.id(), s.correlation(), Input.FailureKind.NO_SNAPSHOT,
                    "failed to list snapshots: " + e));
            return;
        }
        try (SnapshotStream stream = snapshots.open(meta.id())) {
            InstallSnapshotRequest request = new InstallSnapshotRequest(new RpcHeader(protocolVersion),
                    stream.meta().version(), s.term(), s.leader(), stream.meta().index(), stream.meta().term(),
                    stream.meta().peers(), ConfigurationCodec.encodeConfiguration(stream.meta().configuration()),
                    stream.meta().configurationIndex(), stream.meta().size());
            InstallSnapshotResponse resp = transport.installSnapshot(peer.id(), peer.address(), request,
                    stream.data());
            engineInput.accept(new Input.SnapshotSent(peer.id(), s.correlation(), stream.meta().index(), resp.term(),
                    resp.success()));
        } catch (IOException | RuntimeException e) {
            logger.error("failed to send snapshot to peer={} error={}", peer.id(), e.toString());
            engineInput.accept(new Input.RpcFailed(peer.id(), s.correlation(), Input.FailureKind.TRANSPORT,
                    e.toString()));
        }
    }

    /** Stops sending: queued work is dropped and the pipeline closed. */
    @Override
    public void close() {
        replication.close();
        heartbeats.close();
        rpcs.close();
        AppendPipeline p = pipeline;
        if (p != null) {
            p.close(); // thread-safe; the lane will not touch it again
        }
    }
}
