package io.flotilla.raft.transport.net;

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
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.transport.AppendPipeline;
import io.flotilla.raft.transport.RemoteRpcException;
import io.flotilla.raft.transport.RpcHandler;
import io.flotilla.raft.transport.Transport;
import io.flotilla.raft.transport.TransportShutdownException;
import org.slf4j.Logger;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Transport} over a network {@link StreamLayer} that speaks hashicorp/raft 1.1.2's NetworkTransport
 * protocol byte for byte, so Flotilla and Go nodes can share a cluster (hashicorp's {@code NetworkTransport}).
 * Each request is a type byte and a msgpack struct; each answer an error string and a msgpack struct or nil.
 *
 * <p><b>Calls.</b> AppendEntries, RequestVote and TimeoutNow take an idle connection to the peer (most recently
 * used first) or dial one, and give it back after a good answer — also after an error answer, which arrives as
 * a {@link RemoteRpcException} carrying the peer's text; at most {@code maxPool} idle connections are kept per
 * peer. Any encoding, decoding or I/O failure closes the connection. Each call must finish within the timeout
 * (reads bounded by socket timeouts, writes by a watchdog that aborts an overdue connection). InstallSnapshot
 * streams exactly {@code Size} bytes after its request, on a connection it closes afterwards, with the timeout
 * scaled by size ({@code timeout × (Size / timeoutScale)}, at least the timeout). A pipeline gets a connection
 * of its own.
 *
 * <p><b>Serving.</b> One accept thread (on failure it backs off from 5 ms, doubling, to 1 s, logging
 * {@code failed to accept connection} each time, as hashicorp does). Each accepted connection gets a reader
 * and a writer thread ({@link InboundConnection}): requests are decoded continuously and handed to the
 * {@link RpcHandler} at once, answers are written in request order. Heartbeats therefore reach the handler
 * without waiting behind anything the handler has not answered yet — that is this transport's fast path; only
 * their answer, which the protocol orders behind earlier answers on the same connection, may wait (a leader
 * sends heartbeats on their own connection, so in practice it does not).
 *
 * <p><b>Lifetime.</b> {@link #closeStreams()} drops idle outbound connections and makes inbound ones close once
 * they have answered what they received. {@link #close()} releases every socket and thread: the listener,
 * inbound connections, idle, busy and pipelined outbound connections — unlike hashicorp's, which leaves
 * outbound connections open.
 */
public final class NetworkTransport implements Transport {
    /** Accept failures back off from this... */
    static final long ACCEPT_BASE_DELAY_MILLIS = 5;
    /** ...doubling up to this. */
    static final long ACCEPT_MAX_DELAY_MILLIS = 1000;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final StreamLayer stream;
    private final NetworkTransportConfig config;
    private final Logger log;
    private final ServerAddress localAddress;
    private final String threadPrefix;
    private final Watchdog watchdog;
    private final Thread acceptThread;
    private final CountDownLatch shutdown = new CountDownLatch(1);

    private final Object poolLock = new Object();
    private final Map<ServerAddress, ArrayDeque<ClientConnection>> pool = new HashMap<>(); // guarded by poolLock
    private final Set<ClientConnection> outbound = ConcurrentHashMap.newKeySet();
    private final Set<NetPipeline> pipelines = ConcurrentHashMap.newKeySet();
    private final Set<InboundConnection> inbound = ConcurrentHashMap.newKeySet();
    private volatile RpcHandler handler;
    private volatile boolean closed;

    private NetworkTransport(StreamLayer stream, NetworkTransportConfig config) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.config = Objects.requireNonNull(config, "config");
        this.log = config.logger();
        this.localAddress = stream.address();
        this.threadPrefix = "flotilla-net-" + INSTANCES.incrementAndGet() + "-";
        this.watchdog = new Watchdog(threadPrefix + "watchdog");
        this.acceptThread = new Thread(this::acceptLoop, threadPrefix + "accept-" + localAddress);
        acceptThread.setDaemon(true);
        acceptThread.start();
    }

    /** A transport over {@code stream}, which it owns from now on (closing the transport closes it). */
    public static NetworkTransport create(StreamLayer stream, NetworkTransportConfig config) {
        return new NetworkTransport(stream, config);
    }

    /**
     * A plain TCP transport listening on {@code bindAddress} (hashicorp's {@code NewTCPTransport} without an
     * advertised address).
     *
     * @param bindAddress {@code host:port}; port 0 picks a free port
     * @param maxPool     idle connections kept per peer
     * @param timeout     the deadline of each RPC; zero means none
     * @throws NotAdvertisableException if {@code bindAddress} is unspecified (0.0.0.0 or ::)
     */
    public static NetworkTransport tcp(String bindAddress, int maxPool, Duration timeout) throws IOException {
        return tcp(bindAddress, Optional.empty(), NetworkTransportConfig.builder().maxPool(maxPool)
                .timeout(timeout).build());
    }

    /**
     * A plain TCP transport listening on {@code bindAddress} and advertising {@code advertise}.
     *
     * @throws NotAdvertisableException if {@code advertise} is unspecified (0.0.0.0 or ::)
     */
    public static NetworkTransport tcp(String bindAddress, InetSocketAddress advertise, int maxPool,
                                       Duration timeout) throws IOException {
        return tcp(bindAddress, Optional.of(advertise), NetworkTransportConfig.builder().maxPool(maxPool)
                .timeout(timeout).build());
    }

    /** A plain TCP transport with full settings (hashicorp's {@code NewTCPTransportWithConfig}). */
    public static NetworkTransport tcp(String bindAddress, Optional<InetSocketAddress> advertise,
                                       NetworkTransportConfig config) throws IOException {
        return create(TcpStreamLayer.bind(bindAddress, advertise), config);
    }

    /**
     * A mutually authenticated TLS transport listening on {@code bindAddress}.
     *
     * @param context this node's key and certificate, and the certificates it trusts for peers (see
     *                {@link TlsStreamLayer#sslContext})
     */
    public static NetworkTransport tls(String bindAddress, Optional<InetSocketAddress> advertise, SSLContext context,
                                       NetworkTransportConfig config) throws IOException {
        return create(TlsStreamLayer.bind(bindAddress, advertise, context, p -> { }), config);
    }

    // ---- accessors ----

    @Override
    public ServerAddress localAddress() {
        return localAddress;
    }

    /** The settings. */
    public NetworkTransportConfig config() {
        return config;
    }

    /** Whether {@link #close()} was called (hashicorp's {@code IsShutdown}). */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void setHandler(RpcHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    RpcHandler handler() {
        return handler;
    }

    Logger logger() {
        return log;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    /** The prefix of every thread this transport starts (for tests). */
    String threadPrefix() {
        return threadPrefix;
    }

    /** How many idle connections to {@code target} are pooled (for tests). */
    int pooledConnections(ServerAddress target) {
        synchronized (poolLock) {
            ArrayDeque<ClientConnection> conns = pool.get(target);
            return conns == null ? 0 : conns.size();
        }
    }

    /** How many inbound connections are open (for tests). */
    int inboundConnections() {
        return inbound.size();
    }

    /** How many outbound connections are open, idle or busy (for tests). */
    int outboundConnections() {
        return outbound.size();
    }

    // ---- calls ----

    @Override
    public AppendEntriesResponse appendEntries(ServerId id, ServerAddress target, AppendEntriesRequest request)
            throws IOException {
        return call(id, target, request, AppendEntriesResponse.class);
    }

    @Override
    public RequestVoteResponse requestVote(ServerId id, ServerAddress target, RequestVoteRequest request)
            throws IOException {
        return call(id, target, request, RequestVoteResponse.class);
    }

    @Override
    public TimeoutNowResponse timeoutNow(ServerId id, ServerAddress target, TimeoutNowRequest request)
            throws IOException {
        return call(id, target, request, TimeoutNowResponse.class);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The deadline is {@code timeout × (Size / timeoutScale)}, at least {@code timeout}; the connection is
     * closed afterwards, never pooled.
     *
     * @throws IOException also if {@code data} ends before {@code request.size()} bytes
     */
    @Override
    public InstallSnapshotResponse installSnapshot(ServerId id, ServerAddress target, InstallSnapshotRequest request,
                                                   InputStream data) throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(data, "data");
        ensureOpen();
        ClientConnection conn = acquire(id, target);
        try {
            long deadline = deadline(snapshotTimeout(request.size()));
            conn.sendSnapshot(request, data, request.size(), deadline);
            return unwrap(conn.receive(RpcType.INSTALL_SNAPSHOT, deadline), InstallSnapshotResponse.class);
        } catch (IOException | RuntimeException e) {
            conn.abort();
            throw translate(e);
        } finally {
            discard(conn);
        }
    }

    /** hashicorp's scaling: {@code timeout × (size / timeoutScale)} (integer division), at least {@code timeout}. */
    Duration snapshotTimeout(long size) {
        Duration timeout = config.timeout();
        long factor = size / config.timeoutScale();
        if (timeout.isZero() || factor <= 1) {
            return timeout;
        }
        long nanos = timeout.toNanos();
        long max = Long.MAX_VALUE / 4; // far enough in the future, and nanoTime() + it cannot overflow
        return Duration.ofNanos(nanos > max / factor ? max : nanos * factor);
    }

    @Override
    public AppendPipeline appendEntriesPipeline(ServerId id, ServerAddress target) throws IOException {
        ensureOpen();
        ClientConnection conn = acquire(id, target);
        NetPipeline pipeline = new NetPipeline(this, conn, config.timeout(),
                threadPrefix + "pipeline-" + conn.target());
        pipelines.add(pipeline);
        if (closed) {
            pipeline.close();
            throw new TransportShutdownException();
        }
        return pipeline;
    }

    private <T extends RpcMessage> T call(ServerId id, ServerAddress target, RpcMessage request, Class<T> type)
            throws IOException {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        ClientConnection conn = acquire(id, target);
        WireResponse wire;
        try {
            long deadline = deadline(config.timeout());
            conn.send(request, deadline);
            wire = conn.receive(RpcType.of(request), deadline);
        } catch (IOException | RuntimeException e) {
            conn.abort();
            discard(conn);
            throw translate(e);
        }
        // As in hashicorp, an error answer leaves the connection in a good state, so it goes back too.
        release(conn);
        return unwrap(wire, type);
    }

    private static <T extends RpcMessage> T unwrap(WireResponse wire, Class<T> type) throws IOException {
        if (wire.isError()) {
            throw new RemoteRpcException(wire.error());
        }
        RpcMessage response = wire.response()
                .orElseThrow(() -> new IOException("peer answered without a response"));
        return type.cast(response);
    }

    private IOException translate(Exception e) {
        if (closed) {
            return new TransportShutdownException();
        }
        return e instanceof IOException io ? io : new IOException(e.toString(), e);
    }

    private static long deadline(Duration timeout) {
        return timeout.isZero() ? 0 : System.nanoTime() + timeout.toNanos();
    }

    private void ensureOpen() throws TransportShutdownException {
        if (closed) {
            throw new TransportShutdownException();
        }
    }

    // ---- connections ----

    /** hashicorp's {@code getProviderAddressOrFallback}. */
    private ServerAddress addressOf(ServerId id, ServerAddress fallback) {
        Optional<ServerAddressProvider> provider = config.serverAddressProvider();
        if (provider.isPresent()) {
            try {
                ServerAddress address = provider.get().serverAddress(id);
                if (address != null) {
                    return address;
                }
                log.warn("unable to get address for server, using fallback address id={} fallback={} error=null",
                        id, fallback);
            } catch (IOException | RuntimeException e) {
                log.warn("unable to get address for server, using fallback address id={} fallback={} error={}",
                        id, fallback, e.toString());
            }
        }
        return fallback;
    }

    /** An idle pooled connection to the peer (most recently returned first), or a new one. */
    private ClientConnection acquire(ServerId id, ServerAddress target) throws IOException {
        ServerAddress address = addressOf(id, target);
        synchronized (poolLock) {
            ArrayDeque<ClientConnection> conns = pool.get(address);
            if (conns != null && !conns.isEmpty()) {
                return conns.pop();
            }
        }
        Socket socket;
        try {
            socket = stream.dial(address, config.timeout());
        } catch (IOException e) {
            throw closed ? new TransportShutdownException() : e;
        }
        ClientConnection conn;
        try {
            conn = new ClientConnection(address, socket, config.codecLimits(), watchdog);
        } catch (IOException | RuntimeException e) {
            Sockets.abort(socket);
            throw e;
        }
        outbound.add(conn);
        if (closed) { // close() may have swept the set before we joined it
            conn.abort();
            outbound.remove(conn);
            throw new TransportShutdownException();
        }
        return conn;
    }

    /** hashicorp's {@code returnConn}: back to the pool if there is room, else closed. */
    private void release(ClientConnection conn) {
        synchronized (poolLock) {
            if (!closed && !conn.isClosed()) {
                ArrayDeque<ClientConnection> conns = pool.computeIfAbsent(conn.target(), k -> new ArrayDeque<>());
                if (conns.size() < config.maxPool()) {
                    conns.push(conn);
                    return;
                }
            }
        }
        discard(conn);
    }

    private void discard(ClientConnection conn) {
        conn.close();
        outbound.remove(conn);
    }

    /** A pipeline closed; its connection is gone with it. */
    void forget(NetPipeline pipeline, ClientConnection conn) {
        pipelines.remove(pipeline);
        discard(conn);
    }

    /** An inbound connection closed. */
    void forget(InboundConnection conn) {
        inbound.remove(conn);
    }

    @Override
    public byte[] encodePeer(ServerId id, ServerAddress address) {
        return PeerCodec.ADDRESS.encodePeer(id, addressOf(id, address));
    }

    @Override
    public ServerAddress decodePeer(byte[] encoded) {
        return PeerCodec.ADDRESS.decodePeer(encoded);
    }

    // ---- serving ----

    /** hashicorp's accept back-off: 5 ms after the first failure, doubling, at most 1 s. */
    static long nextAcceptDelay(long currentMillis) {
        long next = currentMillis == 0 ? ACCEPT_BASE_DELAY_MILLIS : currentMillis * 2;
        return Math.min(next, ACCEPT_MAX_DELAY_MILLIS);
    }

    private void acceptLoop() {
        long delay = 0;
        while (!closed) {
            Socket socket;
            try {
                socket = stream.accept();
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    break;
                }
                delay = nextAcceptDelay(delay);
                log.error("failed to accept connection local={} error={}", localAddress, e.toString());
                try {
                    if (shutdown.await(delay, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException ie) {
                    break;
                }
                continue;
            }
            delay = 0;
            admit(socket);
        }
        log.debug("stopped accepting connections local={}", localAddress);
    }

    private void admit(Socket socket) {
        String remote = InboundConnection.describe(socket);
        if (closed) {
            Sockets.abort(socket);
            return;
        }
        if (inbound.size() >= config.maxInboundConnections() && !evictIdlest()) {
            log.warn("too many inbound connections, refusing remote={} max={}", remote,
                    config.maxInboundConnections());
            Sockets.abort(socket);
            return;
        }
        InboundConnection conn;
        try {
            conn = new InboundConnection(this, socket, threadPrefix);
        } catch (IOException | RuntimeException e) {
            log.warn("failed to set up inbound connection remote={} error={}", remote, e.toString());
            Sockets.abort(socket);
            return;
        }
        inbound.add(conn);
        if (closed) {
            conn.close(true);
            return;
        }
        log.debug("accepted connection local={} remote={}", localAddress, remote);
        conn.start();
    }

    /** Closes the inbound connection idle the longest to make room; false if every one is busy. */
    private boolean evictIdlest() {
        InboundConnection idlest = null;
        long since = Long.MAX_VALUE;
        for (InboundConnection c : inbound) {
            long s = c.idleSince();
            if (s >= 0 && (idlest == null || s - since < 0)) {
                idlest = c;
                since = s;
            }
        }
        if (idlest == null) {
            return false;
        }
        idlest.closeFor("evicted: too many inbound connections", "max=" + config.maxInboundConnections());
        return true;
    }

    // ---- lifetime ----

    /**
     * Drops every idle outbound connection, and makes every inbound connection close as soon as it has answered
     * what it has received (hashicorp's {@code CloseStreams}). Pipelines and calls in progress are not
     * affected.
     */
    public void closeStreams() {
        List<ClientConnection> idle = new ArrayList<>();
        synchronized (poolLock) {
            pool.values().forEach(idle::addAll);
            pool.clear();
        }
        idle.forEach(this::discard);
        for (InboundConnection c : inbound) {
            c.closeAfterCurrent();
        }
    }

    /**
     * Stops listening and releases every connection and thread this transport has: inbound connections are
     * reset, calls in progress fail with {@link TransportShutdownException}, pipelines fail what is in flight
     * with {@link io.flotilla.raft.transport.PipelineShutdownException}. Waits briefly for the threads to end.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        shutdown.countDown();
        try {
            stream.close();
        } catch (IOException e) {
            log.warn("failed to close stream layer local={} error={}", localAddress, e.toString());
        }
        List<ClientConnection> idle = new ArrayList<>();
        synchronized (poolLock) {
            pool.values().forEach(idle::addAll);
            pool.clear();
        }
        idle.forEach(this::discard); // orderly: nobody is using them
        List<Thread> threads = new ArrayList<>();
        threads.add(acceptThread);
        for (NetPipeline p : List.copyOf(pipelines)) {
            threads.add(p.decoderThread());
            p.close();
        }
        for (ClientConnection c : List.copyOf(outbound)) {
            c.abort();
            outbound.remove(c);
        }
        for (InboundConnection c : List.copyOf(inbound)) {
            threads.addAll(List.of(c.threads()));
            c.close(true);
        }
        watchdog.close();
        awaitThreads(threads);
        log.debug("transport closed local={}", localAddress);
    }

    private void awaitThreads(List<Thread> threads) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (Thread t : threads) {
                if (t == Thread.currentThread() || !t.isAlive()) {
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            watchdog.awaitTermination(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "NetworkTransport[" + localAddress + "]";
    }
}
