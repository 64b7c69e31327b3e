package io.flotilla.raft.runtime;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.EnqueueTimeoutException;
import io.flotilla.raft.Fsm;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.SnapshotVersion;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.engine.Engine;
import io.flotilla.raft.engine.EngineConfig;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.EngineStatus;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.engine.RestoredState;
import io.flotilla.raft.internal.RandomTimeouts;
import io.flotilla.raft.snapshot.SnapshotSink;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;
import io.flotilla.raft.transport.IncomingRpc;
import io.flotilla.raft.transport.Transport;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Runs one engine with real threads and I/O: the event loop that feeds it inputs and executes its outputs, the
 * log writer (group commit), the FSM thread, the snapshot thread, per-peer senders, and the incoming-RPC
 * bridge. Internal: applications use {@link io.flotilla.raft.Raft}.
 *
 * <p>Only the event loop touches the engine. Term and vote writes happen on the loop, synchronously, before any
 * output that follows them; log writes happen on the log writer, and the engine is told when they are durable.
 */
public final class NodeRuntime {
    private static final int MAX_QUEUED_CLIENT_REQUESTS = 8192;
    private static final int MAX_INPUTS_PER_ROUND = 4096;
    private static final int RECENT_ENTRIES_KEPT = 8192;
    private static final long RECENT_BYTES_KEPT = 64L << 20;

    /** A client proposal waiting in the loop's queue. */
    private record QueuedProposal(Input.Proposal proposal, long enqueueBefore) {
    }

    /** A client request other than a proposal, built once it has an id. */
    private record QueuedRequest(Input input, long requestId, long enqueueBefore) {
    }

    private final RaftConfig config;
    private final Transport transport;
    private final StableStore stable;
    private final SnapshotStore snapshots;
    private final Logger log;
    private final Engine engine;
    private final RecentEntries recent;
    private final LogWriter writer;
    private final FsmApplier applier;
    private final Snapshotter snapshotter;
    private final PendingRequests pending = new PendingRequests();
    private final Map<Long, IncomingRpc> incoming = new ConcurrentHashMap<>();
    private final AtomicLong nextReplyId = new AtomicLong(1);
    private final Map<io.flotilla.raft.ServerId, PeerSender> senders = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final ExecutorService installer;
    private final Mailbox<Object> queue = new Mailbox<>();
    private final Semaphore clientSlots = new Semaphore(MAX_QUEUED_CLIENT_REQUESTS);
    private final Thread loop;
    private final Consumer<Object> observations;
    private final Consumer<Boolean> leadership;
    private final Runnable onShutdownRequested;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CompletableFuture<Void> loopDone = new CompletableFuture<>();
    private final int protocolVersion;
    private final EngineMetrics metrics;

    private volatile EngineStatus status;
    private boolean halted; // a term/vote write failed: execute nothing more

    /**
     * Wires a node. Nothing runs until {@link #start()}.
     *
     * @param restored            what {@link Recovery} found in the stores
     * @param restoredIndex       the index the FSM was restored to (0 if none)
     * @param restoredTerm        its term
     * @param observations        receives observation payloads, on the event loop
     * @param leadership          receives leadership gained/lost, on the event loop
     * @param onShutdownRequested called (on the loop) when the engine decides the node must stop
     */
    public NodeRuntime(RaftConfig config, Fsm fsm, LogStore logs, StableStore stable, SnapshotStore snapshots,
                       Transport transport, EngineMetrics metrics, RestoredState restored, long restoredIndex,
                       long restoredTerm, Consumer<Object> observations, Consumer<Boolean> leadership,
                       Runnable onShutdownRequested) {
        this.config = config;
        this.transport = transport;
        this.stable = stable;
        this.snapshots = snapshots;
        this.log = config.logger();
        this.observations = observations;
        this.leadership = leadership;
        this.onShutdownRequested = onShutdownRequested;
        this.protocolVersion = config.protocolVersion();
        this.metrics = metrics;
        String id = config.localId().value();
        this.pool = Executors.newCachedThreadPool(daemon("flotilla-" + id + "-send"));
        this.installer = Executors.newSingleThreadExecutor(daemon("flotilla-" + id + "-install"));
        this.engine = new Engine(EngineConfig.from(config, transport.localAddress(), transport), restored,
                System::nanoTime, RandomTimeouts.newRandom(), metrics);
        this.status = engine.status();
        this.recent = new RecentEntries(logs, RECENT_ENTRIES_KEPT, RECENT_BYTES_KEPT);
        this.writer = new LogWriter(logs, this::input, metrics, log, "flotilla-" + id + "-log");
        this.applier = new FsmApplier(fsm, recent, snapshots, pending, metrics, log, protocolVersion,
                config.maxAppendEntries(), restoredIndex, restoredTerm, this::requestShutdownFromAnyThread,
                "flotilla-" + id + "-fsm");
        this.snapshotter = new Snapshotter(applier, snapshots, logs, transport, () -> status, this::input,
                metrics, log, config.snapshotInterval(), config.snapshotThreshold(), RandomTimeouts.newRandom(),
                "flotilla-" + id + "-snapshot");
        this.loop = new Thread(this::runLoop, "flotilla-" + id + "-loop");
        this.loop.setDaemon(true);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts every thread and begins accepting RPCs. */
    public void start() {
        writer.start();
        applier.start();
        snapshotter.start();
        loop.start();
        transport.setHandler(this::onIncoming);
    }

    // ------------------------------------------------------------------------------------------------------
    // What callers see

    /** The engine's state as of the end of the last event-loop round. */
    public EngineStatus status() {
        return status;
    }

    /** The state, {@link RaftState#SHUTDOWN} as soon as shutdown starts. */
    public RaftState state() {
        return shuttingDown.get() ? RaftState.SHUTDOWN : status.state();
    }

    /** The last index handed to the FSM. */
    public long appliedIndex() {
        return applier.lastApplied();
    }

    /** Completes once the FSM has applied through {@code index}. */
    public CompletableFuture<Long> whenApplied(long index) {
        return applier.whenApplied(index);
    }

    /** Whether shutdown has started. */
    public boolean isShutdown() {
        return shuttingDown.get();
    }

    /** Requests queued for the FSM and not yet applied, for stats. */
    public int pendingRequests() {
        return pending.size();
    }

    /**
     * Queues a client proposal.
     *
     * @param enqueueTimeoutNanos how long it may wait to be accepted by the loop; 0 for no limit
     */
    public CompletableFuture<Object> propose(io.flotilla.raft.LogType type, byte[] data, byte[] extensions,
                                             long enqueueTimeoutNanos) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        long deadline = deadline(enqueueTimeoutNanos);
        if (!acquireSlot(enqueueTimeoutNanos, f)) {
            return f;
        }
        long id = pending.register(f);
        enqueueClient(new QueuedProposal(new Input.Proposal(id, type, data, extensions), deadline), id);
        return f;
    }

    /**
     * Queues another client request; {@code makeInput} builds the engine input from the request id.
     *
     * @param enqueueTimeoutNanos how long it may wait to be accepted by the loop; 0 for no limit
     */
    public CompletableFuture<Object> request(LongFunction<Input> makeInput, long enqueueTimeoutNanos) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        long deadline = deadline(enqueueTimeoutNanos);
        if (!acquireSlot(enqueueTimeoutNanos, f)) {
            return f;
        }
        long id = pending.register(f);
        enqueueClient(new QueuedRequest(makeInput.apply(id), id, deadline), id);
        return f;
    }

    private static long deadline(long timeoutNanos) {
        return timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : Long.MAX_VALUE;
    }

    /** Back-pressure like hashicorp's unbuffered channels: wait (at most the enqueue timeout) for room. */
    private boolean acquireSlot(long timeoutNanos, CompletableFuture<Object> f) {
        if (shuttingDown.get()) {
            f.completeExceptionally(new RaftShutdownException());
            return false;
        }
        try {
            boolean ok = timeoutNanos > 0 ? clientSlots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)
                    : acquireUntilShutdown();
            if (!ok) {
                f.completeExceptionally(shuttingDown.get() ? new RaftShutdownException() : new EnqueueTimeoutException());
            }
            return ok;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.completeExceptionally(new RaftShutdownException());
            return false;
        }
    }

    private boolean acquireUntilShutdown() throws InterruptedException {
        while (!clientSlots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (shuttingDown.get()) {
                return false;
            }
        }
        return true;
    }

    private void enqueueClient(Object item, long id) {
        queue.add(item);
        if (!loop.isAlive() && loopDone.isDone()) {
            // The loop is gone; nobody will pick this up.
            pending.fail(id, new RaftShutdownException());
        }
    }

    /** Feeds an engine input from any thread. */
    void input(Input input) {
        queue.add(input);
    }

    // ------------------------------------------------------------------------------------------------------
    // The event loop

    private void runLoop() {
        List<Object> round = new ArrayList<>();
        List<Input.Proposal> proposals = new ArrayList<>();
        try {
            step(Input.Tick.INSTANCE); // StartAsLeader takes office here
            boolean stop = false;
            while (!stop) {
                long deadline = engine.nextDeadline();
                long wait = deadline == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : deadline - System.nanoTime();
                Object first = wait <= 0 ? queue.poll() : queue.poll(Math.min(wait, TimeUnit.SECONDS.toNanos(1)),
                        TimeUnit.NANOSECONDS);
                round.clear();
                if (first != null) {
                    round.add(first);
                    queue.drainTo(round, MAX_INPUTS_PER_ROUND);
                }
                for (Object item : round) {
                    if (item instanceof QueuedProposal p) {
                        clientSlots.release();
                        if (System.nanoTime() > p.enqueueBefore()) {
                            pending.fail(p.proposal().requestId(), new EnqueueTimeoutException());
                            continue;
                        }
                        proposals.add(p.proposal());
                        if (proposals.size() >= config.maxAppendEntries()) {
                            flushProposals(proposals);
                        }
                        continue;
                    }
                    flushProposals(proposals);
                    if (item instanceof QueuedRequest r) {
                        clientSlots.release();
                        if (System.nanoTime() > r.enqueueBefore()) {
                            pending.fail(r.requestId(), new EnqueueTimeoutException());
                            continue;
                        }
                        step(r.input());
                    } else if (item instanceof Input.Shutdown) {
                        step((Input) item);
                        stop = true;
                        break;
                    } else {
                        step((Input) item);
                        if (item instanceof Input.LogPersisted) {
                            recent.durableThrough(engine.durableIndex());
                        }
                    }
                }
                flushProposals(proposals);
                if (!stop && System.nanoTime() >= engine.nextDeadline()) {
                    step(Input.Tick.INSTANCE);
                }
                status = engine.status();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("event loop failed; shutting down", e);
            shuttingDown.set(true);
        } finally {
            status = engine.status();
            loopDone.complete(null);
        }
    }

    private void flushProposals(List<Input.Proposal> proposals) {
        if (!proposals.isEmpty()) {
            step(new Input.Propose(proposals));
            proposals.clear();
        }
    }

    private void step(Input input) {
        engine.step(input, this::execute);
    }

    // ------------------------------------------------------------------------------------------------------
    // Executing outputs

    private void execute(Output o) {
        if (halted) {
            if (o instanceof Output.Fail f) {
                pending.fail(f.requestId(), f.error());
            }
            return;
        }
        if (o instanceof Output.PersistTerm t) {
            persist(() -> stable.setUint64(StableKeys.CURRENT_TERM, t.term()), "failed to save current term");
        } else if (o instanceof Output.PersistVote v) {
            persist(() -> {
                stable.setUint64(StableKeys.LAST_VOTE_TERM, v.term());
                stable.set(StableKeys.LAST_VOTE_CAND, v.candidate());
            }, "failed to persist vote");
        } else if (o instanceof Output.AppendLog a) {
            recent.append(a.entries());
            writer.submit(a);
        } else if (o instanceof Output.TruncateLog t) {
            recent.truncateFrom(t.from());
            writer.submit(t);
        } else if (o instanceof Output.CompactLog c) {
            recent.dropThrough(c.to());
            writer.submit(c);
        } else if (o instanceof Output.ResetLog r) {
            recent.clear();
            writer.submit(r);
        } else if (o instanceof Output.Send s) {
            sender(s.peer().id()).send(s);
        } else if (o instanceof Output.SendEntries s) {
            sender(s.peer().id()).sendEntries(s);
        } else if (o instanceof Output.SendSnapshot s) {
            sender(s.peer().id()).sendSnapshot(s);
        } else if (o instanceof Output.Respond r) {
            IncomingRpc rpc = incoming.remove(r.replyTo());
            if (rpc != null) {
                // Whoever sees the answer sees its effects in lastIndex(), state() and friends (as in hashicorp,
                // where the main loop updates them before it responds).
                status = engine.status();
                rpc.respond(r.response(), r.error());
            }
        } else if (o instanceof Output.AcceptSnapshot a) {
            installer.execute(() -> install(a.replyTo(), a.request()));
        } else if (o instanceof Output.RestoreUserSnapshot r) {
            UserRestore u = userRestores.remove(r.requestId());
            if (u == null) {
                input(new Input.UserRestoreDone(r.requestId(), "restore data missing", false));
            } else {
                installer.execute(() -> restoreUserSnapshot(r, u));
            }
        } else if (o instanceof Output.Commit c) {
            long started = System.nanoTime();
            applier.commit(c.commitIndex(), c.requests());
            metrics.recordNanos("raft.fsm.enqueue", System.nanoTime() - started);
        } else if (o instanceof Output.Complete c) {
            pending.complete(c.requestId(), c.value());
        } else if (o instanceof Output.Fail f) {
            pending.fail(f.requestId(), f.error());
        } else if (o instanceof Output.Observe ob) {
            if (ob.observation() instanceof RaftState || ob.observation() instanceof io.flotilla.raft.LeaderObservation) {
                // Publish at once, so that a caller whose future completes later in this step sees the new role.
                status = engine.status();
            }
            observations.accept(ob.observation());
        } else if (o instanceof Output.LeadershipChanged l) {
            if (!l.leader()) {
                closeSenders();
            }
            leadership.accept(l.leader());
        } else if (o instanceof Output.LeaderChanged) {
            // Published through status().
        } else if (o instanceof Output.ShutdownRequested) {
            onShutdownRequested.run();
        }
    }

    private interface StoreWrite {
        void run() throws IOException;
    }

    private void persist(StoreWrite write, String what) {
        try {
            write.run();
        } catch (IOException | RuntimeException e) {
            // Going on could make this node vote twice or forget a term; stop instead.
            log.error("{}, shutting down error={}", what, e.toString());
            halted = true;
            onShutdownRequested.run();
        }
    }

    private PeerSender sender(io.flotilla.raft.ServerId id) {
        return senders.computeIfAbsent(id, k -> new PeerSender(transport, recent, snapshots, this::input, log,
                protocolVersion, pool));
    }

    private void closeSenders() {
        for (PeerSender s : senders.values()) {
            s.close();
        }
        senders.clear();
    }

    // ------------------------------------------------------------------------------------------------------
    // Incoming RPCs

    private void onIncoming(IncomingRpc rpc) {
        if (shuttingDown.get()) {
            rpc.respond(null, RaftShutdownException.MESSAGE);
            return;
        }
        long id = nextReplyId.getAndIncrement();
        incoming.put(id, rpc);
        if (rpc.request() instanceof InstallSnapshotRequest req) {
            input(new Input.InstallSnapshotReceived(id, req));
        } else {
            input(new Input.RequestReceived(id, rpc.request()));
        }
    }

    /** Streams an accepted snapshot into the store, restores the FSM from it, and tells the engine. */
    private void install(long replyTo, InstallSnapshotRequest req) {
        IncomingRpc rpc = incoming.get(replyTo);
        InputStream data = rpc == null ? InputStream.nullInputStream()
                : rpc.snapshotData().orElse(InputStream.nullInputStream());
        long started = System.nanoTime();
        try {
            Configuration configuration;
            long configurationIndex;
            if (req.snapshotVersion() > 0) {
                configuration = ConfigurationCodec.decodeConfiguration(req.configuration());
                configurationIndex = req.configurationIndex();
            } else {
                configuration = ConfigurationCodec.decodePeers(req.peers(), transport);
                configurationIndex = req.lastLogIndex();
            }
            log.info("installing snapshot from the leader index={} term={} size={}", req.lastLogIndex(),
                    req.lastLogTerm(), req.size());
            SnapshotSink sink = snapshots.create(SnapshotVersion.MAX, req.lastLogIndex(), req.lastLogTerm(),
                    configuration, configurationIndex, transport);
            long copied;
            try {
                copied = copy(data, sink, req.size());
            } catch (IOException e) {
                sink.cancel();
                throw e;
            }
            if (copied != req.size()) {
                sink.cancel();
                throw new IOException("short read");
            }
            sink.close();
            try {
                applier.restore(sink.id(), req.lastLogIndex(), req.lastLogTerm()).get();
            } catch (java.util.concurrent.ExecutionException e) {
                // The FSM refused it (the FSM contract asks restores to leave the state alone when they fail):
                // remove it so it never looks usable.
                deleteQuietly(sink.id());
                throw e;
            }
            log.info("installed snapshot id={} index={}", sink.id(), req.lastLogIndex());
            input(new Input.SnapshotInstalled(replyTo, req.lastLogIndex(), req.lastLogTerm(), configuration,
                    configurationIndex));
        } catch (Exception e) {
            String why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getMessage();
            drain(data);
            log.error("failed to install snapshot index={} error={}", req.lastLogIndex(), why == null ? e : why);
            input(new Input.SnapshotInstallFailed(replyTo, why == null ? e.toString() : why));
        } finally {
            metrics.recordNanos("raft.rpc.installSnapshot", System.nanoTime() - started);
        }
    }

    private void deleteQuietly(String snapshotId) {
        try {
            snapshots.delete(snapshotId);
        } catch (IOException e) {
            log.error("failed to delete a snapshot that did not restore id={} error={}", snapshotId, e.toString());
        }
    }

    private static long copy(InputStream in, SnapshotSink sink, long size) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        while (total < size) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, size - total));
            if (n < 0) {
                break;
            }
            sink.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the transport closes the connection anyway
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // User restore

    private record UserRestore(long size, InputStream data) {
    }

    private final Map<Long, UserRestore> userRestores = new ConcurrentHashMap<>();

    /**
     * Replaces the cluster's state with a snapshot (hashicorp's {@code Restore}); completes once the no-op that
     * follows it commits.
     */
    public CompletableFuture<Object> restore(int version, long metaIndex, long size, InputStream data,
                                             long enqueueTimeoutNanos) {
        long[] id = new long[1];
        CompletableFuture<Object> f = request(rid -> {
            id[0] = rid;
            userRestores.put(rid, new UserRestore(size, data));
            return new Input.UserRestore(rid, version, metaIndex);
        }, enqueueTimeoutNanos);
        f.whenComplete((v, e) -> userRestores.remove(id[0]));
        return f;
    }

    private void restoreUserSnapshot(Output.RestoreUserSnapshot r, UserRestore u) {
        long started = System.nanoTime();
        boolean fsmTouched = false;
        try {
            SnapshotSink sink;
            try {
                sink = snapshots.create(r.version(), r.index(), r.term(), r.configuration(), r.configurationIndex(),
                        transport);
            } catch (IOException | RuntimeException e) {
                throw new IOException("failed to create snapshot: " + e.getMessage(), e);
            }
            long copied;
            try {
                copied = copy(u.data(), sink, Long.MAX_VALUE);
            } catch (IOException e) {
                sink.cancel();
                throw new IOException("failed to write snapshot: " + e.getMessage(), e);
            }
            if (copied != u.size()) {
                sink.cancel();
                throw new IOException("failed to write snapshot, size didn't match (" + copied + " != " + u.size() + ")");
            }
            try {
                sink.close();
            } catch (IOException e) {
                throw new IOException("failed to close snapshot: " + e.getMessage(), e);
            }
            fsmTouched = true;
            applier.restore(sink.id(), r.index(), r.term()).get();
            input(new Input.UserRestoreDone(r.requestId(), null, false));
        } catch (Exception e) {
            String why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getMessage();
            input(new Input.UserRestoreDone(r.requestId(), why == null ? e.toString() : why, fsmTouched));
        } finally {
            metrics.recordNanos("raft.restoreUserSnapshot", System.nanoTime() - started);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Snapshots on request

    /** Takes a snapshot now; completes with its id. */
    public CompletableFuture<String> snapshot() {
        if (shuttingDown.get()) {
            return CompletableFuture.failedFuture(new RaftShutdownException());
        }
        return snapshotter.request();
    }

    /** The snapshot store, for opening user snapshots. */
    public SnapshotStore snapshots() {
        return snapshots;
    }

    // ------------------------------------------------------------------------------------------------------
    // Shutdown

    private void requestShutdownFromAnyThread() {
        onShutdownRequested.run();
    }

    /**
     * Stops the node: every pending request completes (with {@link RaftShutdownException} or, for entries in
     * flight on a leader, {@link io.flotilla.raft.LeadershipLostException}), threads stop, the transport closes.
     * Returns when everything has stopped. Idempotent.
     */
    public void shutdown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            loopDone.join();
            return;
        }
        transport.setHandler(rpc -> rpc.respond(null, RaftShutdownException.MESSAGE));
        queue.add(Input.Shutdown.INSTANCE);
        if (Thread.currentThread() != loop) {
            loopDone.join();
        }
        snapshotter.close();
        applier.close();
        writer.close();
        closeSenders();
        pool.shutdownNow();
        installer.shutdownNow();
        RaftException shut = new RaftShutdownException();
        for (Object item : queue.removeAll()) {
            if (item instanceof QueuedProposal p) {
                pending.fail(p.proposal().requestId(), shut);
            } else if (item instanceof QueuedRequest r) {
                pending.fail(r.requestId(), shut);
            }
        }
        pending.failAll(shut);
        for (IncomingRpc rpc : incoming.values()) {
            rpc.respond(null, RaftShutdownException.MESSAGE);
        }
        incoming.clear();
        transport.close();
        log.info("shut down");
    }
}
