package io.flotilla.kv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 * <p><b>Why the JDK's {@code com.sun.net.httpserver}.</b> It adds no dependency to the service, and HTTP/1.1 with
 * keep-alive, fixed and chunked request bodies and {@code Expect: 100-continue} is all this API needs; none of
 * the features of a larger server (HTTP/2, TLS termination, routing DSLs, streaming) would be used.
 *
 * <p><b>Threads.</b> A bounded pool of up to {@value #WORKERS} threads (started on demand, idle ones end) reads
 * requests — the JDK reads headers and body with blocking I/O — and writes answers. A call that waits for Raft —
 * a write, a linearizable read, a membership change — does not hold a thread while it waits: it is answered from
 * its future's completion, with a timer bounding the wait by {@code --request-timeout} or {@code ?timeout=}. So
 * a cluster that has lost its quorum cannot exhaust the pool and {@code /status} keeps answering. What can hold
 * a thread is a client sending its request slowly; that is bounded by {@value #MAX_REQUEST_SECONDS} seconds per
 * request, and the pool is large enough that many such clients still leave room for the others. Queued work is
 * bounded by the open connections, as an HTTP/1.1 connection carries one request at a time.
 *
 * <p><b>Known difference from the Go node.</b> The JDK refuses request targets that {@link java.net.URI} rejects
 * — raw spaces, quotes, braces, backslashes, some raw non-ASCII bytes, malformed {@code %} escapes — with its own
 * 400 answer ({@code text/html}) before any handler runs. Go's server answers malformed escapes with a 400 of its
 * own too ({@code text/plain}), but takes the other characters raw. Clients should percent-encode keys.
 */
final class KvHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvHttpServer.class);

    static final int WORKERS = 256;
    static final int CORE_WORKERS = 8;

    /** How long a client may take to send one request, headers and body (the JDK's default is forever). */
    static final int MAX_REQUEST_SECONDS = 30;

    static {
        // Read once, when the JDK's first server starts; settings given with -D win.
        // Nagle's algorithm is on by default: a client on a kept-alive connection (delayed ACKs) would wait
        // ~40 ms for any answer written in more than one segment.
        setDefault("sun.net.httpserver.nodelay", "true");
        // A worker reads a request's headers and body; without a limit, clients that send half a request and
        // stall (slowloris) would keep workers forever. Calls waiting for Raft are not affected: by then the
        // request has been read.
        setDefault("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
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
    private final HttpServer server;
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
        this.server = HttpServer.create(bind, 0); // first: if the address is taken, nothing else was started
        this.raft = raft;
        this.fsm = fsm;
        this.localId = raft.localId().value();
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

        server.createContext("/", this::handle);
        server.setExecutor(workers);
        server.start();
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
        return server.getAddress();
    }

    /**
     * Gives calls in flight up to two seconds to be answered (they are, once Raft shuts down: "outcome
     * unknown"), then closes the listener and every connection, like the Go node's {@code http.Server.Shutdown}.
     * The JDK's own {@code stop(delay)} cannot be used for the wait: on JDK 17 it always waits the whole delay.
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
        server.stop(0);
    }

    /** Stops the listener at once if still running, and the worker threads. */
    @Override
    public void close() {
        server.stop(0);
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

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        HttpCall call = new HttpCall(exchange, metrics, inFlight::decrementAndGet);
        try {
            route(call);
        } catch (Throwable t) {
            log.error("{} {} failed", call.method(), call.rawPath(), t);
            call.error(500, "internal error: " + t);
        }
    }

    /**
     * {@code /kv/} and {@code /cas/} take their key from the raw path (so {@code %2F} stays inside the key and
     * nothing is cleaned); every other path is matched exactly after decoding, as Go's {@code ServeMux} does.
     */
    private void route(HttpCall call) {
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
            path = p; // cannot happen: the JDK has already refused bad escapes
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
