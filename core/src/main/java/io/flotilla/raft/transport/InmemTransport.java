package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import io.flotilla.raft.internal.RandomTimeouts;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link Transport} that connects nodes in the same JVM, for tests and simulations (hashicorp's
 * {@code InmemTransport}). Routes are wired by hand with {@link #connect}; requests and responses are handed
 * over as objects, without serialization, which is safe because RPC messages are immutable.
 *
 * <p>Each transport receives on its own daemon thread, which takes requests from a queue of
 * {@value #INBOX_CAPACITY} and passes them to the {@link RpcHandler}; the handler may answer later, from any
 * thread. A caller waits at most the timeout for room in that queue ({@code send timed out}) and then at most
 * the timeout again for the answer ({@code command timed out}); InstallSnapshot and TimeoutNow get ten times
 * the timeout for each wait. So a stalled node delays its callers by a bounded time and never blocks them.
 *
 * <p>A peer that is not connected, has no handler yet, or is closed cannot be reached: calls fail with
 * {@code failed to connect to peer: <address>}, as a refused connection would. Heartbeats get no fast path
 * and go to the same handler, as in hashicorp. {@link #close()} stops every thread this transport started.
 */
public final class InmemTransport implements LoopbackTransport<InmemTransport> {
    /** How long a call waits for room at the peer and then for its answer, unless given (hashicorp's 50 ms). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);

    /** How many received requests may wait for the handler (hashicorp's consumer channel buffer). */
    public static final int INBOX_CAPACITY = 16;

    /**
     * How many pipelined AppendEntries may be sent and not yet answered before senders block. hashicorp's
     * inmem pipeline allows 16, its network transport 128; we use the network transport's figure so that
     * in-memory clusters replicate with the same window as real ones.
     */
    public static final int PIPELINE_MAX_IN_FLIGHT = 128;

    /** InstallSnapshot and TimeoutNow may take this many times the timeout, as in hashicorp. */
    private static final int SLOW_RPC_FACTOR = 10;

    private final ServerAddress localAddress;
    private final Duration timeout;
    private final InmemInbox inbox;
    private final ConcurrentMap<ServerAddress, InmemTransport> peers = new ConcurrentHashMap<>();
    private final List<InmemPipeline> pipelines = new ArrayList<>(); // guarded by this
    private final Set<PendingResponse> pendingCalls = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A transport with a random address and the default timeout. */
    public InmemTransport() {
        this(ServerAddress.NONE);
    }

    /**
     * A transport with the default timeout.
     *
     * @param address this node's address; empty means a random one
     */
    public InmemTransport(ServerAddress address) {
        this(address, DEFAULT_TIMEOUT);
    }

    /**
     * A transport.
     *
     * @param address this node's address; empty means a random one
     * @param timeout how long a call waits for room at the peer, and then for the answer; positive
     */
    public InmemTransport(ServerAddress address, Duration timeout) {
        this(address, timeout, INBOX_CAPACITY);
    }

    /** As the public constructor, with another inbox capacity (0 = unbuffered, as in hashicorp's tests). */
    InmemTransport(ServerAddress address, Duration timeout, int inboxCapacity) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.localAddress = address.isEmpty() ? newInmemAddress() : address;
        this.timeout = timeout;
        this.inbox = new InmemInbox(localAddress.value(), inboxCapacity);
    }

    /** A new random address (a UUID), as hashicorp's {@code NewInmemAddr}. */
    public static ServerAddress newInmemAddress() {
        return new ServerAddress(RandomTimeouts.generateUuid());
    }

    /** The timeout of AppendEntries and RequestVote; InstallSnapshot and TimeoutNow get ten times as long. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public ServerAddress localAddress() {
        return localAddress;
    }

    /** Sets where incoming RPCs go; until a handler is set, callers are told they cannot connect. */
    @Override
    public void setHandler(RpcHandler handler) {
        inbox.setHandler(handler);
    }

    @Override
    public AppendEntriesResponse appendEntries(ServerId id, ServerAddress target, AppendEntriesRequest request)
            throws IOException {
        return call(target, request, null, timeout, AppendEntriesResponse.class);
    }

    @Override
    public RequestVoteResponse requestVote(ServerId id, ServerAddress target, RequestVoteRequest request)
            throws IOException {
        return call(target, request, null, timeout, RequestVoteResponse.class);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The peer reads {@code data} directly, limited to {@code request.size()} bytes; closing what it reads
     * leaves {@code data} open.
     */
    @Override
    public InstallSnapshotResponse installSnapshot(ServerId id, ServerAddress target, InstallSnapshotRequest request,
                                                   InputStream data) throws IOException {
        Objects.requireNonNull(data, "data");
        return call(target, request, new LimitedInputStream(data, request.size()), slowTimeout(),
                InstallSnapshotResponse.class);
    }

    @Override
    public TimeoutNowResponse timeoutNow(ServerId id, ServerAddress target, TimeoutNowRequest request)
            throws IOException {
        return call(target, request, null, slowTimeout(), TimeoutNowResponse.class);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The pipeline is closed by {@link #disconnect} of its peer, {@link #disconnectAll} and {@link #close}.
     */
    @Override
    public synchronized AppendPipeline appendEntriesPipeline(ServerId id, ServerAddress target) throws IOException {
        InmemTransport peer = route(target);
        InmemPipeline pipeline = new InmemPipeline(this, peer.inbox, target, timeout);
        pipelines.add(pipeline);
        return pipeline;
    }

    @Override
    public byte[] encodePeer(ServerId id, ServerAddress address) {
        return PeerCodec.ADDRESS.encodePeer(id, address);
    }

    @Override
    public ServerAddress decodePeer(byte[] encoded) {
        return PeerCodec.ADDRESS.decodePeer(encoded);
    }

    /** {@inheritDoc} Has no effect once this transport is closed. */
    @Override
    public void connect(ServerAddress peer, InmemTransport transport) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(transport, "transport");
        synchronized (this) {
            if (!closed) {
                peers.put(peer, transport);
            }
        }
    }

    @Override
    public void disconnect(ServerAddress peer) {
        List<InmemPipeline> toClose = new ArrayList<>();
        synchronized (this) {
            peers.remove(peer);
            pipelines.removeIf(p -> p.peerAddress().equals(peer) && toClose.add(p));
        }
        toClose.forEach(InmemPipeline::close);
    }

    @Override
    public void disconnectAll() {
        List<InmemPipeline> toClose;
        synchronized (this) {
            peers.clear();
            toClose = new ArrayList<>(pipelines);
            pipelines.clear();
        }
        toClose.forEach(InmemPipeline::close);
    }

    /**
     * Disconnects everything, refuses requests still queued for the handler (their callers get
     * {@code transport shutdown} as a {@link RemoteRpcException}), fails this transport's calls still waiting
     * for an answer with {@link TransportShutdownException} and stops this transport's threads; a handler still
     * running on the receiving thread is interrupted. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        disconnectAll();
        inbox.close();
        for (PendingResponse pending : pendingCalls) {
            pending.abandon(new TransportShutdownException());
        }
    }

    @Override
    public String toString() {
        return "InmemTransport[" + localAddress + "]";
    }

    /** Forgets a pipeline that closed itself. */
    synchronized void forget(InmemPipeline pipeline) {
        pipelines.remove(pipeline);
    }

    /** How many received requests wait for the handler (for tests). */
    int queuedInbound() {
        return inbox.queued();
    }

    /** The open pipelines (for tests). */
    synchronized List<InmemPipeline> openPipelines() {
        return List.copyOf(pipelines);
    }

    /** Whether this transport still runs its receiving thread (for tests). */
    boolean receiving() {
        return inbox.hasDispatcher();
    }

    static IOException notConnected(ServerAddress target) {
        return new IOException("failed to connect to peer: " + target);
    }

    private Duration slowTimeout() {
        return timeout.multipliedBy(SLOW_RPC_FACTOR);
    }

    private InmemTransport route(ServerAddress target) throws IOException {
        if (closed) {
            throw new TransportShutdownException();
        }
        InmemTransport peer = peers.get(target);
        if (peer == null) {
            throw notConnected(target);
        }
        return peer;
    }

    private <T extends RpcMessage> T call(ServerAddress target, RpcMessage request, InputStream data,
                                          Duration wait, Class<T> responseType) throws IOException {
        Objects.requireNonNull(request, "request");
        InmemTransport peer = route(target);
        PendingResponse pending = new PendingResponse();
        pendingCalls.add(pending);
        try {
            // close() raises the flag before it sweeps pendingCalls, so a call registered after the sweep
            // sees the flag here.
            if (closed) {
                throw new TransportShutdownException();
            }
            switch (peer.inbox.deliver(new IncomingRpc(request, data, pending::answer), wait)) {
                case TIMED_OUT -> throw new IOException("send timed out");
                case REFUSED -> throw notConnected(target);
                case ACCEPTED -> { }
            }
            return pending.await(wait, responseType);
        } finally {
            pendingCalls.remove(pending);
        }
    }
}
