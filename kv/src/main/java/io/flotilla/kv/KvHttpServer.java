package io.flotilla.kv;

import io.flotilla.raft.ApplyResult;
import io.flotilla.raft.ConfigurationInfo;
import io.flotilla.raft.NothingNewToSnapshotException;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.SnapshotHandle;
import io.flotilla.raft.Suffrage;
import io.flotilla.raft.snapshot.SnapshotStream;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The HTTP API of KV-API.md (plus the Go node's extras: {@code POST /apply}, {@code GET /fsm?dump=1},
 * {@code /stats}, {@code /config}, {@code /leader}, {@code POST /shutdown}, {@code ?timeout=}, and
 * {@code GET /metrics} for Prometheus), answering with the same status codes, error texts and JSON bytes as the Go
 * reference node.
 *
 * <p><b>Netty, with Go's request parsing.</b> The Go node is judged side by side with this one, hostile bytes
 * included, so requests are read as Go's {@code net/http} reads them ({@link GoRequestDecoder}, {@link
 * GoRequestUri}): the request target is taken raw — braces, quotes, {@code |}, {@code #} and raw UTF-8 are
 * parts of keys, as in Go — and whatever Go's server refuses before its handler runs (a malformed request line,
 * control bytes, bad {@code %} escapes, a head over 1 MiB, an unknown transfer coding) is refused with the same
 * status, in JSON where Go writes text. Netty carries the bytes: one accepting thread and one I/O thread, NIO
 * (no native transport), next to Raft on small machines.
 *
 * <p><b>Threads.</b> The I/O thread never blocks: each request is handed, once its head has arrived, to a bounded
 * pool of up to {@value #WORKERS} worker threads (started on demand, idle ones end), where routing runs and where
 * {@link HttpCall#readBody} waits for the body. A call that waits for Raft — a write, a linearizable read, a
 * membership change — does not hold a thread while it waits: it is answered from its future's completion, with a
 * timer bounding the wait by {@code --request-timeout} or {@code ?timeout=}. So a cluster that has lost its
 * quorum cannot exhaust the pool and {@code /status} keeps answering. What can hold a worker is a client sending
 * its body slowly; that is bounded by {@value #MAX_REQUEST_SECONDS} seconds per request (the connection is then
 * closed). A connection carries one request at a time, so queued work is bounded by the open connections.
 *
 * <p><b>Known differences from the Go node.</b> Paths that Go's {@code ServeMux} would clean ({@code //status},
 * {@code /a/../status}) answer 404 here where Go redirects (301), since the contract answers unknown paths with 404
 * and every answer in JSON. Answers always carry a {@code Content-Length}; Go switches to chunked encoding for
 * answers over 2 KiB.
 */
final class KvHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvHttpServer.class);

    static final int WORKERS = 256;
    static final int CORE_WORKERS = 8;

    /** How long a client may take to send a request's body, from its head on (Go's node waits forever). */
    static final int MAX_REQUEST_SECONDS = 30;

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String CAS_SHAPE = "{\"expect\":\"old\"|null,\"value\":\"new\"}";

    private final Raft raft;
    private final KvFsm fsm;
    private final String localId;
    private final Duration requestTimeout;
    private final PrometheusMeterRegistry registry;
    private final HttpMetrics metrics;
    private final Runnable onShutdownRequest;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final Channel listener;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, Route> routes = new TreeMap<>();
    /** Calls accepted and not yet answered; {@link #stop()} waits for them. */
    private final AtomicInteger inFlight = new AtomicInteger();

    private record Route(String method, Consumer<HttpCall> handler) {
    }

    /**
     * Starts serving on {@code bind}.
     *
     * @param onShutdownRequest run (on its own thread) after {@code POST /shutdown} has been answered
     */
    KvHttpServer(InetSocketAddress bind, Raft raft, KvFsm fsm, Duration requestTimeout,
                 PrometheusMeterRegistry registry, Runnable onShutdownRequest) throws IOException {
        String localId = raft.localId().value();
        // First: if the address is taken, nothing else was started. Connections wait in the backlog until the
        // listener reads (below), when everything they need is ready.
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kv-http-accept-" + localId, true),
                NioIoHandler.newFactory());
        this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kv-http-io-" + localId, true),
                NioIoHandler.newFactory());
        HttpConnection.Calls calls = new HttpConnection.Calls() {
            @Override
            public HttpCall open(HttpConnection connection, GoRequestDecoder.Head head) {
                inFlight.incrementAndGet();
                return new HttpCall(connection, head, metrics, inFlight::decrementAndGet);
            }

            @Override
            public void serve(HttpCall call) {
                handle(call);
            }
        };
        ChannelFuture bound = new ServerBootstrap()
                .group(acceptor, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true) // answers are one small write each
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // a client's FIN still gets its answer
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.closeFuture().addListener(f -> connections.remove(ch));
                        ch.pipeline().addLast(new HttpResponseEncoder(), new HttpConnection(calls));
                    }
                })
                .bind(bind)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDown(acceptor, io);
            Throwable cause = bound.cause();
            throw cause instanceof IOException e ? e : new IOException(String.valueOf(cause.getMessage()), cause);
        }
        this.listener = bound.channel();
        this.raft = raft;
        this.fsm = fsm;
        this.localId = localId;
        this.requestTimeout = requestTimeout;
        this.registry = registry;
        this.metrics = new HttpMetrics(registry);
        this.onShutdownRequest = onShutdownRequest;
        this.workers = elasticPool(CORE_WORKERS, WORKERS, daemonThreads("kv-http-" + localId + "-"));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemonThreads("kv-timeout-" + localId + "-"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;

        routes.put("/status", new Route("GET", this::status));
        routes.put("/cluster/join", new Route("POST", this::join));
        routes.put("/cluster/remove", new Route("POST", this::remove));
        routes.put("/cluster/transfer", new Route("POST", this::transfer));
        routes.put("/snapshot", new Route("POST", this::snapshot));
        routes.put("/fsm", new Route("GET", this::fsmDigest));
        routes.put("/health", new Route("GET", c -> c.json(200, "{\"ok\":true}")));
        routes.put("/apply", new Route("POST", this::applyRaw));
        routes.put("/stats", new Route("GET", c -> c.json(200, JsonObject.stringMap(new TreeMap<>(raft.stats())))));
        routes.put("/config", new Route("GET", this::config));
        routes.put("/leader", new Route("GET", this::leader));
        routes.put("/shutdown", new Route("POST", this::shutdown));
        routes.put("/metrics", new Route("GET", c -> c.send(200, PROMETHEUS_TEXT,
                registry.scrape().getBytes(StandardCharsets.UTF_8), null)));

        listener.config().setAutoRead(true);
    }

    private static void shutDown(EventLoopGroup... groups) {
        for (EventLoopGroup g : groups) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : groups) {
            g.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A pool that hands a task to an idle thread if there is one, else starts a thread (up to {@code max}), else
     * queues it. A plain {@link ThreadPoolExecutor} does only two of the three: with an unbounded queue it never
     * grows past its core size, with a hand-off queue it rejects once full. Nothing is ever rejected before
     * shutdown: an answer to a waiting client must not be dropped.
     */
    static ThreadPoolExecutor elasticPool(int core, int max, ThreadFactory threads) {
        final class HandOffFirst extends LinkedTransferQueue<Runnable> {
            @Override
            public boolean offer(Runnable task) {
                return tryTransfer(task); // false makes the executor start a thread, if it may
            }

            void enqueue(Runnable task) {
                super.offer(task);
            }
        }
        HandOffFirst queue = new HandOffFirst();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(core, max, 30, TimeUnit.SECONDS, queue, threads,
                (task, executor) -> {
                    if (executor.isShutdown()) {
                        throw new RejectedExecutionException("shut down");
                    }
                    queue.enqueue(task); // every thread busy: wait for one
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory base = Executors.defaultThreadFactory();
        return r -> {
            Thread th = base.newThread(r);
            th.setName(prefix + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        };
    }

    /** The address the listener is bound to (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * Gives calls in flight up to two seconds to be answered (they are, once Raft shuts down: "outcome
     * unknown"), then closes the listener and every connection, like the Go node's {@code http.Server.Shutdown}.
     */
    void stop() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // polling a counter at shutdown; nothing to synchronise with
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeChannels();
    }

    private void closeChannels() {
        listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        for (Channel c : connections) {
            c.close();
        }
    }

    /** Stops the listener and connections at once if still open, and every thread. */
    @Override
    public void close() {
        closeChannels();
        shutDown(acceptor, io);
        timer.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------------
    // routing

    /** Routes the call on a worker: routing may block, reading the body. */
    private void handle(HttpCall call) {
        try {
            workers.execute(() -> {
                try {
                    route(call);
                } catch (Throwable t) {
                    log.error("{} {} failed", call.method(), call.rawPath(), t);
                    call.error(500, "internal error: " + t);
                }
            });
        } catch (RejectedExecutionException e) {
            call.error(503, "shutting down");
        }
    }

    /**
     * {@code /kv/} and {@code /cas/} take their key from the raw path (so {@code %2F} stays inside the key and
     * nothing is cleaned); every other path is matched exactly after decoding, as Go's {@code ServeMux} does.
     */
    private void route(HttpCall call) {
        if (call.asterisk()) {
            // Go's server answers OPTIONS * itself (200, empty); its ServeMux refuses * otherwise.
            if (call.method().equals("OPTIONS")) {
                call.send(200, null, new byte[0], null);
            } else {
                call.error(400, "bad request target *");
            }
            return;
        }
        String p = call.rawPath();
        if (p.startsWith("/kv/")) {
            call.endpoint("/kv/{key}");
            String key = pathKey(call, p.substring("/kv/".length()));
            if (key != null) {
                kv(call, key);
            }
            return;
        }
        if (p.startsWith("/cas/")) {
            call.endpoint("/cas/{key}");
            String key = pathKey(call, p.substring("/cas/".length()));
            if (key != null) {
                cas(call, key);
            }
            return;
        }
        String path;
        try {
            path = new String(GoUrl.pathUnescape(p), StandardCharsets.UTF_8);
        } catch (GoUrl.EscapeException e) {
            path = p; // cannot happen: GoRequestUri has already refused bad escapes
        }
        Route r = routes.get(path);
        if (r == null) {
            call.error(404, "no such endpoint: " + path);
            return;
        }
        call.endpoint(path);
        String m = call.method();
        if (!(m.equals(r.method()) || (r.method().equals("GET") && m.equals("HEAD")))) {
            call.methodNotAllowed(r.method());
            return;
        }
        r.handler().accept(call);
    }

    /** The key in {@code escaped}, or {@code null} after answering 400. */
    private static String pathKey(HttpCall call, String escaped) {
        byte[] key;
        try {
            key = GoUrl.pathUnescape(escaped);
        } catch (GoUrl.EscapeException e) {
            call.error(400, "bad key escape: " + e.getMessage());
            return null;
        }
        if (key.length == 0) {
            call.error(400, "empty key");
            return null;
        }
        if (!GoUtf8.isValid(key)) {
            call.error(400, "key is not valid UTF-8");
            return null;
        }
        return new String(key, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------------
    // waiting for Raft

    private long deadline(HttpCall call) {
        String v = call.query().get("timeout");
        Duration d = requestTimeout;
        if (!v.isEmpty()) {
            try {
                Duration parsed = GoDurations.parse(v);
                if (!parsed.isNegative() && !parsed.isZero()) {
                    d = parsed;
                }
            } catch (IllegalArgumentException e) {
                // as in Go: an unusable ?timeout= falls back to --request-timeout
            }
        }
        return System.nanoTime() + Math.min(d.toNanos(), Long.MAX_VALUE / 4);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * Starts {@code op} and answers the call when it completes: {@code onSuccess} with its value, or the failure as
     * the Go node would answer it — unless {@code special} handles the failure first. The wait ends at
     * {@code deadline} with "timed out" whether or not the operation is still running.
     */
    private <T> void await(HttpCall call, long deadline, boolean mutating, Supplier<CompletableFuture<T>> op,
                           Predicate<Throwable> special, Consumer<T> onSuccess) {
        CompletableFuture<T> f;
        try {
            f = op.get();
        } catch (RuntimeException e) {
            fail(call, e, mutating);
            return;
        }
        CompletableFuture<T> timed = new CompletableFuture<>();
        long left = deadline - System.nanoTime();
        ScheduledFuture<?> timeout = left <= 0 ? null
                : timer.schedule(() -> timed.completeExceptionally(new RaftFailure.WaitTimeoutException()), left,
                TimeUnit.NANOSECONDS);
        if (timeout == null) {
            timed.completeExceptionally(new RaftFailure.WaitTimeoutException());
        }
        f.whenComplete((v, e) -> {
            if (e == null) {
                timed.complete(v);
            } else {
                timed.completeExceptionally(RaftFailure.unwrap(e));
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
        });
        // Answer on a worker, never on the Raft thread that completed the future.
        timed.whenCompleteAsync((v, e) -> {
            try {
                if (e != null) {
                    Throwable cause = RaftFailure.unwrap(e);
                    if (special == null || !special.test(cause)) {
                        fail(call, cause, mutating);
                    }
                } else {
                    onSuccess.accept(v);
                }
            } catch (Throwable t) {
                log.error("{} {} failed", call.method(), call.rawPath(), t);
                call.error(500, "internal error: " + t);
            }
        }, workers);
    }

    private <T> void await(HttpCall call, long deadline, boolean mutating, Supplier<CompletableFuture<T>> op,
                           Consumer<T> onSuccess) {
        await(call, deadline, mutating, op, null, onSuccess);
    }

    private void fail(HttpCall call, Throwable error, boolean mutating) {
        RaftFailure f = RaftFailure.of(error, mutating);
        if (f.status() == 500) {
            log.warn("{} {} failed: {}", call.method(), call.rawPath(), error.toString());
        }
        JsonObject o = new JsonObject().str("error", f.message());
        if (f.leaderHints()) {
            String[] hint = leaderHint();
            o.str("leader_addr", hint[1]).str("leader_id", hint[0]); // Go sorts map keys
        }
        call.json(f.status(), o.toString());
    }

    private void notLeader(HttpCall call) {
        fail(call, new io.flotilla.raft.NotLeaderException(), false);
    }

    /** The leader's id and raft address, empty strings when unknown (and the id when not in the configuration). */
    private String[] leaderHint() {
        ServerAddress addr = raft.leader();
        if (addr.isEmpty()) {
            return new String[] {"", ""};
        }
        return new String[] {raft.leaderId().map(ServerId::value).orElse(""), addr.value()};
    }

    // ------------------------------------------------------------------------------------------------------
    // keys and values

    private void kv(HttpCall call, String key) {
        switch (call.method()) {
            case "GET", "HEAD" -> get(call, key);
            case "PUT" -> {
                byte[] body = call.readBody();
                if (body == null) {
                    return;
                }
                if (!GoUtf8.isValid(body)) {
                    call.error(400, "value is not valid UTF-8");
                    return;
                }
                write(call, KvCommand.set(key, new String(body, StandardCharsets.UTF_8)));
            }
            case "DELETE" -> write(call, KvCommand.delete(key));
            default -> call.methodNotAllowed("GET", "PUT", "DELETE");
        }
    }

    /**
     * Linearizable reads (the default) use ReadIndex: the leader confirms with a heartbeat round that a quorum
     * still follows it, and waits until its FSM has applied the commit index it saw when the read started, so
     * the answer reflects every write acknowledged before the read arrived — without writing a log entry (the Go
     * node writes a barrier per read). Stale reads answer from local state on any node.
     */
    private void get(HttpCall call, String key) {
        String consistency = call.query().get("consistency");
        switch (consistency) {
            case "", "linearizable" -> {
                if (raft.state() != RaftState.LEADER) {
                    notLeader(call);
                    return;
                }
                await(call, deadline(call), false, raft::linearizableRead, index -> answerRead(call, key));
            }
            case "stale" -> answerRead(call, key);
            default -> call.error(400, "consistency "
                    + GoQuote.quote(consistency.getBytes(StandardCharsets.ISO_8859_1))
                    + ": want linearizable or stale");
        }
    }

    private void answerRead(HttpCall call, String key) {
        KvFsm.Read r = fsm.get(key);
        if (r.value().isEmpty()) {
            call.json(404, new JsonObject().num("index", r.index()).toString());
        } else {
            call.json(200, new JsonObject().str("value", r.value().get()).num("index", r.index()).toString());
        }
    }

    private void cas(HttpCall call, String key) {
        if (!call.method().equals("POST")) {
            call.methodNotAllowed("POST");
            return;
        }
        byte[] body = call.readBody();
        if (body == null) {
            return;
        }
        if (!GoUtf8.isValid(body)) {
            call.error(400, "body is not valid UTF-8");
            return;
        }
        Map<String, GoJson.Member> m;
        try {
            m = GoJson.parseObject(body);
        } catch (GoJson.GoJsonException e) {
            call.error(400, "body: " + e.getMessage() + "; want " + CAS_SHAPE);
            return;
        }
        GoJson.Member value = m.get("value");
        if (value == null || value.kind() == GoJson.Kind.NULL) {
            call.error(400, "body: \"value\" is required and must be a string");
            return;
        }
        if (value.kind() != GoJson.Kind.STRING) {
            call.error(400, "body: \"value\" must be a string");
            return;
        }
        GoJson.Member expect = m.get("expect");
        if (expect != null && expect.kind() == GoJson.Kind.OTHER) {
            call.error(400, "body: \"expect\" must be a string or null");
            return;
        }
        Optional<String> expected = expect != null && expect.kind() == GoJson.Kind.STRING
                ? Optional.of(expect.string()) : Optional.empty();
        write(call, KvCommand.cas(key, expected, value.string()));
    }

    /** Commits one entry; answers with its log index and the FSM's result. */
    private void write(HttpCall call, KvCommand command) {
        byte[] entry = command.encode();
        long deadline = deadline(call);
        await(call, deadline, true, () -> raft.apply(entry, remaining(deadline)), (ApplyResult r) -> {
            if (!(r.response() instanceof KvResult res)) {
                call.json(500, new JsonObject().str("error", "unexpected FSM response "
                        + (r.response() == null ? "<nil>" : r.response().getClass().getName()))
                        .num("index", r.index()).toString());
                return;
            }
            if (res.isBadEntry()) {
                call.json(500, new JsonObject().str("error", res.error()).num("index", r.index()).toString());
                return;
            }
            if (command.op() == KvCommand.Op.CAS) {
                call.json(res.ok() ? 200 : 409, new JsonObject().num("index", r.index()).bool("ok", res.ok())
                        .strOrNull("prev", res.prev()).toString());
            } else {
                call.json(200, new JsonObject().num("index", r.index()).strOrNull("prev", res.prev()).toString());
            }
        });
    }

    /** {@code POST /apply}: commits the raw body as one entry, e.g. to show that a bad entry stops nothing. */
    private void applyRaw(HttpCall call) {
        byte[] body = call.readBody();
        if (body == null) {
            return;
        }
        long deadline = deadline(call);
        await(call, deadline, true, () -> raft.apply(body, remaining(deadline)), (ApplyResult r) -> {
            // Go renders the result with json.Marshal inside MarshalJSON: HTML-escaped, unlike the rest.
            String result = r.response() instanceof KvResult res ? res.toJson() : "null";
            call.json(200, new JsonObject().num("index", r.index()).raw("result", result).toString());
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // node state

    private static String servers(ConfigurationInfo info) {
        StringBuilder sb = new StringBuilder("[");
        for (Server s : info.configuration().servers()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(new JsonObject().str("id", s.id().value()).str("address", s.address().value())
                    .str("suffrage", s.suffrage().toString()));
        }
        return sb.append(']').toString();
    }

    private static long unsigned(Map<String, String> stats, String key) {
        try {
            return Long.parseUnsignedLong(stats.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void status(HttpCall call) {
        Map<String, String> st = raft.stats();
        await(call, deadline(call), false, raft::getConfiguration, info -> {
            String[] hint = leaderHint();
            call.json(200, new JsonObject()
                    .str("id", localId)
                    .str("state", st.get("state"))
                    .num("term", unsigned(st, "term"))
                    .str("leader_id", hint[0])
                    .str("leader_addr", hint[1])
                    .num("commit_index", unsigned(st, "commit_index"))
                    .num("applied_index", unsigned(st, "applied_index"))
                    .num("last_log_index", unsigned(st, "last_log_index"))
                    .num("last_snapshot_index", unsigned(st, "last_snapshot_index"))
                    .raw("configuration", servers(info))
                    .toString());
        });
    }

    private void fsmDigest(HttpCall call) {
        KvFsm.Digest d = fsm.digest();
        JsonObject o = new JsonObject().signed("keys", d.keys()).num("applied_index", d.appliedIndex())
                .str("sha256", d.sha256());
        if (!call.query().get("dump").isEmpty()) {
            o.num("commands_applied", fsm.commandsApplied()).num("restores", fsm.restores())
                    .strings("data", fsm.dump());
        }
        call.json(200, o.toString());
    }

    private void config(HttpCall call) {
        // No index: the Go node's raft 1.1.2 never fills it in.
        await(call, deadline(call), false, raft::getConfiguration,
                info -> call.json(200, new JsonObject().raw("servers", servers(info)).toString()));
    }

    private void leader(HttpCall call) {
        String[] hint = leaderHint();
        RaftState state = raft.state();
        call.json(200, new JsonObject() // Go sorts map keys
                .str("addr", raft.localAddress().value())
                .str("id", localId)
                .bool("is_leader", state == RaftState.LEADER)
                .str("leader_addr", hint[1])
                .str("leader_id", hint[0])
                .str("state", state.toString())
                .toString());
    }

    private void shutdown(HttpCall call) {
        call.json(200, "{\"ok\":true}");
        Thread t = new Thread(onShutdownRequest, "kv-shutdown-request");
        t.setDaemon(false);
        t.start();
    }

    // ------------------------------------------------------------------------------------------------------
    // membership, leadership, snapshots

    private void join(HttpCall call) {
        String id = call.query().getUtf8("id");
        String addr = call.query().getUtf8("addr");
        if (id.isEmpty() || addr.isEmpty()) {
            call.error(400, "id and addr are required");
            return;
        }
        try {
            GoNet.checkHostPort(addr);
        } catch (IllegalArgumentException e) {
            call.error(400, "addr: " + e.getMessage());
            return;
        }
        boolean voter;
        switch (call.query().get("voter")) {
            case "", "true", "1" -> voter = true;
            case "false", "0" -> voter = false;
            default -> {
                call.error(400, "voter must be true or false");
                return;
            }
        }
        long deadline = deadline(call);
        ServerId sid = ServerId.of(id);
        ServerAddress saddr = ServerAddress.of(addr);
        await(call, deadline, true, () -> voter
                        ? raft.addVoter(sid, saddr, 0, remaining(deadline))
                        : raft.addNonvoter(sid, saddr, 0, remaining(deadline)),
                index -> call.json(200, new JsonObject().num("index", index).toString()));
    }

    private void remove(HttpCall call) {
        String id = call.query().getUtf8("id");
        if (id.isEmpty()) {
            call.error(400, "id is required");
            return;
        }
        long deadline = deadline(call);
        await(call, deadline, true, () -> raft.removeServer(ServerId.of(id), 0, remaining(deadline)),
                index -> call.json(200, new JsonObject().num("index", index).toString()));
    }

    /**
     * Without parameters the engine picks the most up-to-date voter; with {@code id} and/or {@code addr} the
     * missing one is looked up in the configuration. A non-voter is never a target: Flotilla refuses to hand it
     * leadership even with the Go node's {@code force=true}. When the configuration has non-voters and no target
     * is named, the first other voter is named, as the Go node does, so both pick the same target.
     */
    private void transfer(HttpCall call) {
        String id = call.query().getUtf8("id");
        String addr = call.query().getUtf8("addr");
        long deadline = deadline(call);
        await(call, deadline, false, raft::getConfiguration, info -> {
            List<Server> cfg = info.configuration().servers();
            String targetId = id;
            String targetAddr = addr;
            if (targetId.isEmpty() && targetAddr.isEmpty()) {
                Server firstVoter = null;
                boolean nonvoters = false;
                for (Server s : cfg) {
                    if (s.suffrage() != Suffrage.VOTER) {
                        nonvoters = true;
                    } else if (!s.id().value().equals(localId) && firstVoter == null) {
                        firstVoter = s;
                    }
                }
                if (nonvoters) {
                    if (firstVoter == null) {
                        call.error(400, "no other voter to transfer leadership to");
                        return;
                    }
                    targetId = firstVoter.id().value();
                    targetAddr = firstVoter.address().value();
                }
            }
            if (!targetId.isEmpty() || !targetAddr.isEmpty()) {
                Server target = null;
                for (Server s : cfg) {
                    if ((targetId.isEmpty() || s.id().value().equals(targetId))
                            && (targetAddr.isEmpty() || s.address().value().equals(targetAddr))) {
                        target = s;
                        break;
                    }
                }
                if (target == null) {
                    call.error(400, "transfer target not in the configuration");
                    return;
                }
                if (target.suffrage() != Suffrage.VOTER) {
                    call.error(400, "transfer target " + target.id().value() + " is a " + target.suffrage()
                            + ", not a voter (Flotilla never hands leadership to a non-voter)");
                    return;
                }
                targetId = target.id().value();
                targetAddr = target.address().value();
            }
            ServerId tid = targetId.isEmpty() ? null : ServerId.of(targetId);
            ServerAddress taddr = ServerAddress.of(targetAddr);
            await(call, deadline, false,
                    () -> tid == null ? raft.leadershipTransfer() : raft.leadershipTransferToServer(tid, taddr),
                    v -> call.json(200, "{\"ok\":true}"));
        });
    }

    /** {@code POST /snapshot}: any node may snapshot itself; nothing new to snapshot answers 409. */
    private void snapshot(HttpCall call) {
        await(call, deadline(call), false, raft::snapshot, e -> {
            if (e instanceof NothingNewToSnapshotException
                    || (e.getMessage() != null && e.getMessage().startsWith("cannot take snapshot now"))) {
                call.error(409, e.getMessage());
                return true;
            }
            return false;
        }, (SnapshotHandle h) -> {
            try (SnapshotStream s = h.open()) {
                call.json(200, new JsonObject().str("id", s.meta().id()).num("index", s.meta().index())
                        .num("term", s.meta().term()).signed("size", s.meta().size()).toString());
            } catch (IOException e) {
                call.error(500, "opening the snapshot: " + e.getMessage());
            }
        });
    }
}
