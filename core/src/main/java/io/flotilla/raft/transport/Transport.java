package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;

import java.io.IOException;
import java.io.InputStream;

/**
 * How a node talks to its peers (hashicorp's {@code Transport}): blocking calls for the four RPCs, a pipeline
 * for streaming AppendEntries, and an {@link RpcHandler} that receives incoming requests. Calls may be made
 * from many threads at once. A call that gets no answer within the transport's timeout throws.
 *
 * <p>As a {@link PeerCodec} the transport decides how this node is named in {@code Leader}/{@code Candidate}
 * fields (hashicorp's {@code EncodePeer}/{@code DecodePeer}).
 */
public interface Transport extends PeerCodec, AutoCloseable {
    /** This node's address as peers reach it. */
    ServerAddress localAddress();

    /**
     * Sets where incoming RPCs go. Set it before the transport receives traffic; requests arriving without a
     * handler are refused.
     */
    void setHandler(RpcHandler handler);

    /** Sends an AppendEntries and waits for the answer. */
    AppendEntriesResponse appendEntries(ServerId id, ServerAddress target, AppendEntriesRequest request)
            throws IOException;

    /** Sends a RequestVote and waits for the answer. */
    RequestVoteResponse requestVote(ServerId id, ServerAddress target, RequestVoteRequest request)
            throws IOException;

    /**
     * Sends an InstallSnapshot followed by exactly {@code request.size()} bytes of {@code data}, and waits for
     * the answer.
     */
    InstallSnapshotResponse installSnapshot(ServerId id, ServerAddress target, InstallSnapshotRequest request,
                                            InputStream data) throws IOException;

    /** Sends a TimeoutNow and waits for the answer. */
    TimeoutNowResponse timeoutNow(ServerId id, ServerAddress target, TimeoutNowRequest request) throws IOException;

    /**
     * Opens a pipeline for streaming AppendEntries to one peer.
     *
     * @throws PipelineNotSupportedException if this transport has none (callers then use {@link #appendEntries})
     */
    AppendPipeline appendEntriesPipeline(ServerId id, ServerAddress target) throws IOException;

    /** Releases every connection and thread; later calls fail with {@link TransportShutdownException}. */
    @Override
    void close();
}
