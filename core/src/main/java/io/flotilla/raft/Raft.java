package io.flotilla.raft;

import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.EngineStatus;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.internal.GoDuration;
import io.flotilla.raft.runtime.MicrometerMetrics;
import io.flotilla.raft.runtime.NodeRuntime;
import io.flotilla.raft.runtime.Recovery;
import io.flotilla.raft.runtime.StableKeys;
import io.flotilla.raft.snapshot.SnapshotSink;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStream;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;
import io.flotilla.raft.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A Raft node: the replicated log that drives your {@link Fsm} (hashicorp's {@code Raft}). Create one with
 * {@link #builder(RaftConfig)}; every operation returns a {@link CompletableFuture} that completes when the
 * operation has taken effect, or exceptionally with one of the {@link RaftException} subclasses (each matching a
 * hashicorp error value and text).
 *
 * <p>Timeouts given to {@code apply}, {@code barrier} and membership changes bound only how long the request may
 * wait to be accepted (as in hashicorp); once accepted, the future completes when the entry commits and is
 * applied, when leadership is lost ({@link LeadershipLostException}: the entry may still commit), or at shutdown.
 */
public final class Raft implements AutoCloseable {
    private final RaftConfig config;
    private final Transport transport;
    private final NodeRuntime runtime;
    private final List<Observer> observers = new CopyOnWriteArrayList<>();
    private final List<Consumer<Boolean>> leadershipListeners = new CopyOnWriteArrayList<>();
    private final SynchronousQueue<Boolean> leaderCh = new SynchronousQueue<>();
    private final ExecutorService notifier;
    private final CompletableFuture<Void> shutdownDone = new CompletableFuture<>();

    private Raft(Builder b) throws IOException {
        this.config = b.config.validate();
        this.transport = Objects.requireNonNull(b.transport, "transport");
        Objects.requireNonNull(b.fsm, "fsm");
        Objects.requireNonNull(b.logStore, "logStore");
        Objects.requireNonNull(b.stableStore, "stableStore");
        Objects.requireNonNull(b.snapshotStore, "snapshotStore");
        if (config.protocolVersion() < 3 && !config.localId().value().equals(transport.localAddress().value())) {
            throw new IllegalArgumentException(
                    "when running with ProtocolVersion < 3, LocalID must be set to the network address");
        }
        Recovery.Result recovered = Recovery.recover(b.fsm, !config.noSnapshotRestoreOnStart(), true, b.logStore,
                b.stableStore, b.snapshotStore, transport, config.logger());
        long restoredIndex = recovered.snapshot().map(SnapshotMeta::index).orElse(0L);
        long restoredTerm = recovered.snapshot().map(SnapshotMeta::term).orElse(0L);
        MeterRegistry registry = b.meterRegistry == null ? Metrics.globalRegistry : b.meterRegistry;
        EngineMetrics metrics = new MicrometerMetrics(registry, config.localId().value());
        this.notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flotilla-" + config.localId().value() + "-notify");
            t.setDaemon(true);
            return t;
        });
        this.runtime = new NodeRuntime(config, b.fsm, b.logStore, b.stableStore, b.snapshotStore, transport, metrics,
                recovered.state(), restoredIndex, restoredTerm, this::observe, this::leadershipChanged,
                this::shutdownAsync);
        this.metrics = metrics;
        runtime.start();
    }

    private final EngineMetrics metrics;
    private final Instant startWall = Instant.now();
    private final long startNanos = System.nanoTime();

    /** Starts building a node with this configuration. */
    public static Builder builder(RaftConfig config) {
        return new Builder(config);
    }

    // ------------------------------------------------------------------------------------------------------
    // Static operations on stores (no running node)

    /**
     * Writes the initial configuration into empty stores (hashicorp's {@code BootstrapCluster}): term 1 and a
     * configuration entry at index 1. Every server may be bootstrapped with the same configuration.
     *
     * @throws CantBootstrapException if the stores already hold state
     */
    public static void bootstrapCluster(RaftConfig config, LogStore logs, StableStore stable, SnapshotStore snapshots,
                                        Transport transport, Configuration configuration) throws IOException {
        config.validate();
        configuration.check();
        boolean existing;
        try {
            existing = Recovery.hasExistingState(logs, stable, snapshots);
        } catch (IOException e) {
            throw new IOException("failed to check for existing state: " + e.getMessage(), e);
        }
        if (existing) {
            throw new CantBootstrapException();
        }
        try {
            stable.setUint64(StableKeys.CURRENT_TERM, 1);
        } catch (IOException e) {
            throw new IOException("failed to save current term: " + e.getMessage(), e);
        }
        try {
            logs.storeLog(bootstrapEntry(config.protocolVersion(), configuration, transport));
        } catch (IOException e) {
            throw new IOException("failed to append configuration entry to log: " + e.getMessage(), e);
        }
    }

    private static LogEntry bootstrapEntry(int protocolVersion, Configuration configuration, PeerCodec peers) {
        return protocolVersion < 3
                ? new LogEntry(1, 1, LogType.REMOVE_PEER_DEPRECATED, ConfigurationCodec.encodePeers(configuration, peers))
                : new LogEntry(1, 1, LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(configuration));
    }

    /**
     * Whether the stores hold any state: a term, a log entry or a snapshot (hashicorp's {@code HasExistingState}).
     */
    public static boolean hasExistingState(LogStore logs, StableStore stable, SnapshotStore snapshots)
            throws IOException {
        return Recovery.hasExistingState(logs, stable, snapshots);
    }

    /**
     * The latest configuration recorded in a stopped node's stores (hashicorp's top-level
     * {@code GetConfiguration}), from its snapshots and log. The FSM is not touched.
     */
    public static ConfigurationInfo readConfiguration(RaftConfig config, LogStore logs, StableStore stable,
                                                      SnapshotStore snapshots, Transport transport) throws IOException {
        config.validate();
        Recovery.Result r = Recovery.recover(null, false, false, logs, stable, snapshots, transport, config.logger());
        return new ConfigurationInfo(r.state().configurations().latest(), r.state().configurations().latestIndex());
    }

    /**
     * Forces a stopped node's stores to a new configuration, for disaster recovery when a quorum is lost for good
     * (hashicorp's {@code RecoverCluster}). It restores the newest usable snapshot into {@code fsm}, applies every
     * command in the log on top, writes the result as a new snapshot carrying {@code configuration}, and empties
     * the log. Everything in the log is treated as committed. Use a fresh FSM afterwards.
     */
    public static void recoverCluster(RaftConfig config, Fsm fsm, LogStore logs, StableStore stable,
                                      SnapshotStore snapshots, Transport transport, Configuration configuration)
            throws IOException {
        config.validate();
        configuration.check();
        boolean existing;
        try {
            existing = Recovery.hasExistingState(logs, stable, snapshots);
        } catch (IOException e) {
            throw new IOException("failed to check for existing state: " + e.getMessage(), e);
        }
        if (!existing) {
            throw new IOException("refused to recover cluster with no initial state, this is probably an operator error");
        }
        List<SnapshotMeta> metas;
        try {
            metas = snapshots.list();
        } catch (IOException e) {
            throw new IOException("failed to list snapshots: " + e.getMessage(), e);
        }
        long snapIndex = 0;
        long snapTerm = 0;
        for (SnapshotMeta meta : metas) {
            try (SnapshotStream s = snapshots.open(meta.id())) {
                fsm.restore(s.meta(), s.data());
                snapIndex = meta.index();
                snapTerm = meta.term();
                break;
            } catch (Exception e) {
                config.logger().error("failed to restore snapshot id={} error={}", meta.id(), e.toString());
            }
        }
        if (!metas.isEmpty() && (snapIndex == 0 || snapTerm == 0)) {
            throw new IOException("failed to restore any of the available snapshots");
        }
        long lastIndex = snapIndex;
        long lastTerm = snapTerm;
        long lastLog;
        try {
            lastLog = logs.lastIndex();
        } catch (IOException e) {
            throw new IOException("failed to find last log: " + e.getMessage(), e);
        }
        for (long i = snapIndex + 1; i <= lastLog; i++) {
            LogEntry e;
            try {
                e = logs.getLog(i).orElseThrow(() -> new IOException("log not found"));
            } catch (IOException ex) {
                throw new IOException("failed to get log at index " + i + ": " + ex.getMessage(), ex);
            }
            if (e.type() == LogType.COMMAND) {
                fsm.apply(e);
            }
            lastIndex = e.index();
            lastTerm = e.term();
        }
        FsmSnapshot snapshot;
        try {
            snapshot = fsm.snapshot();
        } catch (Exception e) {
            throw new IOException("failed to snapshot FSM: " + e.getMessage(), e);
        }
        try {
            SnapshotSink sink;
            try {
                sink = snapshots.create(SnapshotVersion.MAX, lastIndex, lastTerm, configuration, 1, transport);
            } catch (Exception e) {
                throw new IOException("failed to create snapshot: " + e.getMessage(), e);
            }
            try {
                snapshot.persist(sink);
            } catch (Exception e) {
                sink.cancel();
                throw new IOException("failed to persist snapshot: " + e.getMessage(), e);
            }
            try {
                sink.close();
            } catch (IOException e) {
                throw new IOException("failed to finalize snapshot: " + e.getMessage(), e);
            }
        } finally {
            snapshot.release();
        }
        long first;
        try {
            first = logs.firstIndex();
        } catch (IOException e) {
            throw new IOException("failed to get first log index: " + e.getMessage(), e);
        }
        if (lastLog > 0) {
            try {
                logs.deleteRange(first, lastLog);
            } catch (IOException e) {
                throw new IOException("log compaction failed: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Writing

    /** Applies a command (hashicorp's {@code Apply}); completes once it is committed and applied here. */
    public CompletableFuture<ApplyResult> apply(byte[] command, Duration timeout) {
        return applyLog(command, null, timeout);
    }

    /**
     * Applies a command with extensions (hashicorp's {@code ApplyLog}; only data and extensions are taken, the
     * type is always {@link LogType#COMMAND}).
     */
    public CompletableFuture<ApplyResult> applyLog(byte[] data, byte[] extensions, Duration timeout) {
        metrics.increment("raft.apply");
        return runtime.propose(LogType.COMMAND, data, extensions, timeoutNanos(timeout))
                .thenApply(v -> (ApplyResult) v);
    }

    /**
     * Appends a barrier: completes once every earlier entry has been applied to the FSM here. The value is the
     * barrier's index.
     */
    public CompletableFuture<Long> barrier(Duration timeout) {
        metrics.increment("raft.barrier");
        return runtime.propose(LogType.BARRIER, null, null, timeoutNanos(timeout))
                .thenApply(v -> ((ApplyResult) v).index());
    }

    /** Confirms that this node is still the leader, by hearing from a quorum of voters. */
    public CompletableFuture<Void> verifyLeader() {
        metrics.increment("raft.verify_leader");
        return runtime.request(Input.VerifyLeader::new, 0).thenApply(v -> null);
    }

    /**
     * Makes a local read linearizable without writing to the log (the Raft dissertation's ReadIndex, which
     * hashicorp lacks — its users write a barrier entry per read): once this leader has committed an entry of its
     * term, the commit index is taken as the read index, a heartbeat round confirms a quorum still follows, and
     * the future completes once the local FSM has applied through the read index. Reading the FSM then sees every
     * write that completed before this call started. The value is the read index.
     */
    public CompletableFuture<Long> linearizableRead() {
        return runtime.request(Input.ReadIndex::new, 0)
                .thenCompose(v -> runtime.whenApplied((Long) v).thenApply(applied -> (Long) v));
    }

    // ------------------------------------------------------------------------------------------------------
    // Membership

    /** The latest configuration, possibly not yet committed. */
    public CompletableFuture<ConfigurationInfo> getConfiguration() {
        return runtime.request(Input.QueryConfiguration::new, 0).thenApply(v -> {
            io.flotilla.raft.engine.Configurations c = (io.flotilla.raft.engine.Configurations) v;
            return new ConfigurationInfo(c.latest(), c.latestIndex());
        });
    }

    /**
     * Adds a voter, or updates the address of an existing one (hashicorp's {@code AddVoter}). The value is the
     * index of the configuration entry.
     *
     * @param prevIndex if non-zero, applies only if the latest configuration is still at this index
     */
    public CompletableFuture<Long> addVoter(ServerId id, ServerAddress address, long prevIndex, Duration timeout) {
        requireId(id);
        requireAddress(address);
        if (config.protocolVersion() < 2) {
            return unsupported();
        }
        return changeConfiguration(ConfigurationChangeCommand.ADD_STAGING, id, address, prevIndex, timeout);
    }

    /** Adds a server that receives the log without voting (hashicorp's {@code AddNonvoter}). */
    public CompletableFuture<Long> addNonvoter(ServerId id, ServerAddress address, long prevIndex, Duration timeout) {
        requireId(id);
        requireAddress(address);
        if (config.protocolVersion() < 3) {
            return unsupported();
        }
        return changeConfiguration(ConfigurationChangeCommand.ADD_NONVOTER, id, address, prevIndex, timeout);
    }

    /** Removes a server; removing the leader makes it step down once committed (hashicorp's {@code RemoveServer}). */
    public CompletableFuture<Long> removeServer(ServerId id, long prevIndex, Duration timeout) {
        requireId(id);
        if (config.protocolVersion() < 2) {
            return unsupported();
        }
        return changeConfiguration(ConfigurationChangeCommand.REMOVE_SERVER, id, ServerAddress.NONE, prevIndex,
                timeout);
    }

    /** Takes a voter's vote away, keeping it as a non-voter (hashicorp's {@code DemoteVoter}). */
    public CompletableFuture<Long> demoteVoter(ServerId id, long prevIndex, Duration timeout) {
        requireId(id);
        if (config.protocolVersion() < 3) {
            return unsupported();
        }
        return changeConfiguration(ConfigurationChangeCommand.DEMOTE_VOTER, id, ServerAddress.NONE, prevIndex,
                timeout);
    }

    /**
     * Adds a voter whose id is its address (protocol versions up to 2 only).
     *
     * @deprecated use {@link #addVoter}
     */
    @Deprecated
    public CompletableFuture<Long> addPeer(ServerAddress peer) {
        requireAddress(peer);
        if (config.protocolVersion() > 2) {
            return unsupported();
        }
        return changeConfiguration(ConfigurationChangeCommand.ADD_STAGING, ServerId.of(peer.value()), peer, 0,
                Duration.ZERO);
    }

    /**
     * Removes a server whose id is its address (protocol versions up to 2 only).
     *
     * @deprecated use {@link #removeServer}
     */
    @Deprecated
    public CompletableFuture<Long> removePeer(ServerAddress peer) {
        requireAddress(peer);
        if (config.protocolVersion() > 2) {
            return unsupported();
        }
        return changeConfiguration(ConfigurationChangeCommand.REMOVE_SERVER, ServerId.of(peer.value()),
                ServerAddress.NONE, 0, Duration.ZERO);
    }

    private CompletableFuture<Long> changeConfiguration(ConfigurationChangeCommand command, ServerId id,
                                                        ServerAddress address, long prevIndex, Duration timeout) {
        if (prevIndex < 0) {
            throw new IllegalArgumentException("prevIndex must not be negative: " + prevIndex);
        }
        long enqueue = timeoutNanos(timeout);
        long deadline = enqueue > 0 ? System.nanoTime() + enqueue : Long.MAX_VALUE;
        ConfigurationChangeRequest change = new ConfigurationChangeRequest(command, id, address, prevIndex);
        return runtime.request(rid -> new Input.ChangeConfiguration(rid, change, deadline), enqueue)
                .thenApply(v -> ((ApplyResult) v).index());
    }

    /**
     * Bootstraps this running, empty node with a configuration (hashicorp's {@code Raft.BootstrapCluster}).
     *
     * @throws CantBootstrapException (in the future) if the node already has state
     */
    public CompletableFuture<Void> bootstrapCluster(Configuration configuration) {
        try {
            configuration.check();
        } catch (ConfigurationException e) {
            return CompletableFuture.failedFuture(e);
        }
        return runtime.request(rid -> new Input.Bootstrap(rid, configuration), 0).thenApply(v -> null);
    }

    // ------------------------------------------------------------------------------------------------------
    // Leadership transfer

    /** Hands leadership to the most up-to-date voter (hashicorp's {@code LeadershipTransfer}). */
    public CompletableFuture<Void> leadershipTransfer() {
        if (config.protocolVersion() < 3) {
            return unsupported();
        }
        return runtime.request(rid -> new Input.TransferLeadership(rid, Optional.empty(), Optional.empty()), 0)
                .thenApply(v -> null);
    }

    /**
     * Hands leadership to a given voter (hashicorp's {@code LeadershipTransferToServer}). Never to a non-voter.
     */
    public CompletableFuture<Void> leadershipTransferToServer(ServerId id, ServerAddress address) {
        requireId(id);
        requireAddress(address);
        if (config.protocolVersion() < 3) {
            return unsupported();
        }
        if (id.equals(config.localId())) {
            return CompletableFuture.failedFuture(new RaftException("cannot transfer leadership to itself"));
        }
        return runtime.request(rid -> new Input.TransferLeadership(rid, Optional.of(id), Optional.of(address)), 0)
                .thenApply(v -> null);
    }

    // ------------------------------------------------------------------------------------------------------
    // Snapshots

    /**
     * Takes a snapshot now (hashicorp's {@code Snapshot}). Fails with {@link NothingNewToSnapshotException} when
     * nothing was applied since the last one.
     */
    public CompletableFuture<SnapshotHandle> snapshot() {
        return runtime.snapshot().thenApply(id -> new SnapshotHandle() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public SnapshotStream open() throws IOException {
                return runtime.snapshots().open(id);
            }
        });
    }

    /**
     * Replaces the whole cluster's state with a snapshot, for disaster recovery (hashicorp's {@code Restore}).
     * Entries in flight fail with {@link AbortedByRestoreException}; the snapshot gets an index above every
     * existing entry, the FSM is restored from it, followers receive it, and the future completes once a no-op
     * after it commits. Only the leader can restore. Dangerous: everything written since the snapshot is lost.
     *
     * @param meta    the snapshot's metadata (its version and size are used, and its index raises the new index)
     * @param data    exactly {@code meta.size()} bytes of snapshot data; not closed
     * @param timeout how long the request may wait to be accepted
     */
    public CompletableFuture<Void> restore(SnapshotMeta meta, java.io.InputStream data, Duration timeout) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(data, "data");
        metrics.increment("raft.restore");
        return runtime.restore(meta.version(), meta.index(), meta.size(), data, timeoutNanos(timeout))
                .thenApply(v -> null);
    }

    // ------------------------------------------------------------------------------------------------------
    // Observing

    /** The node's role; {@link RaftState#SHUTDOWN} from the moment shutdown starts. */
    public RaftState state() {
        return runtime.state();
    }

    /** The current leader's address, or {@link ServerAddress#NONE} when unknown (hashicorp's {@code Leader}). */
    public ServerAddress leader() {
        return runtime.isShutdown() ? ServerAddress.NONE : runtime.status().leaderAddress();
    }

    /** The current leader's id, when known and in the configuration. */
    public Optional<ServerId> leaderId() {
        ServerId id = runtime.status().leaderId();
        return runtime.isShutdown() || id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    /** The current term. */
    public long currentTerm() {
        return runtime.status().term();
    }

    /** The commit index. */
    public long commitIndex() {
        return runtime.status().commitIndex();
    }

    /** The last index in the log or the newest snapshot (hashicorp's {@code LastIndex}). */
    public long lastIndex() {
        return runtime.status().lastIndex();
    }

    /** The last index handed to the FSM (hashicorp's {@code AppliedIndex}). */
    public long appliedIndex() {
        return runtime.appliedIndex();
    }

    /**
     * When a leader last contacted this node (or it granted a vote, or stepped down as leader); empty if never.
     */
    public Optional<Instant> lastContact() {
        EngineStatus s = runtime.status();
        if (s.lastContactNanos().isEmpty()) {
            return Optional.empty();
        }
        // Anchored once, so the same contact always maps to the same instant.
        return Optional.of(startWall.plusNanos(s.lastContactNanos().getAsLong() - startNanos));
    }

    /** This node's id. */
    public ServerId localId() {
        return config.localId();
    }

    /** This node's transport address. */
    public ServerAddress localAddress() {
        return transport.localAddress();
    }

    /** The configuration this node runs with. */
    public RaftConfig config() {
        return config;
    }

    /**
     * hashicorp's {@code Stats}: every key it reports, as strings, plus nothing else. Never waits for the event
     * loop.
     */
    public Map<String, String> stats() {
        EngineStatus s = runtime.status();
        RaftState state = runtime.state();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("state", state.toString());
        m.put("term", Long.toUnsignedString(s.term()));
        m.put("last_log_index", Long.toUnsignedString(s.lastIndex()));
        m.put("last_log_term", Long.toUnsignedString(s.lastTerm()));
        m.put("commit_index", Long.toUnsignedString(s.commitIndex()));
        m.put("applied_index", Long.toUnsignedString(runtime.appliedIndex()));
        m.put("fsm_pending", Integer.toString(runtime.pendingRequests()));
        m.put("last_snapshot_index", Long.toUnsignedString(s.snapshotIndex()));
        m.put("last_snapshot_term", Long.toUnsignedString(s.snapshotTerm()));
        m.put("protocol_version", Integer.toString(config.protocolVersion()));
        m.put("protocol_version_min", Integer.toString(ProtocolVersion.MIN));
        m.put("protocol_version_max", Integer.toString(ProtocolVersion.MAX));
        m.put("snapshot_version_min", Integer.toString(SnapshotVersion.MIN));
        m.put("snapshot_version_max", Integer.toString(SnapshotVersion.MAX));
        Configuration latest = s.configurations().latest();
        m.put("latest_configuration_index", Long.toUnsignedString(s.configurations().latestIndex()));
        m.put("latest_configuration", latest.servers().stream()
                .map(x -> "{Suffrage:" + x.suffrage() + " ID:" + x.id().value() + " Address:" + x.address().value() + "}")
                .collect(Collectors.joining(" ", "[", "]")));
        long otherVoters = latest.servers().stream().filter(Server::isVoter)
                .filter(x -> !x.id().equals(config.localId())).count();
        m.put("num_peers", latest.hasVote(config.localId()) ? Long.toString(otherVoters) : "0");
        if (state == RaftState.LEADER) {
            m.put("last_contact", "0");
        } else if (s.lastContactNanos().isEmpty()) {
            m.put("last_contact", "never");
        } else {
            m.put("last_contact", GoDuration.format(Duration.ofNanos(System.nanoTime() - s.lastContactNanos().getAsLong())));
        }
        return m;
    }

    /**
     * A channel-like queue that receives {@code true} when this node gains leadership and {@code false} when it
     * loses it (hashicorp's {@code LeaderCh}). Like Go's unbuffered channel, a value is delivered only to a
     * thread already waiting in {@code take()} or {@code poll(timeout)}; otherwise it is dropped.
     */
    public BlockingQueue<Boolean> leaderCh() {
        return leaderCh;
    }

    /**
     * Calls {@code listener} with {@code true}/{@code false} on every leadership change, in order, on a dedicated
     * thread. Unlike {@link #leaderCh()} nothing is dropped.
     */
    public void addLeadershipListener(Consumer<Boolean> listener) {
        leadershipListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Starts delivering observations to an observer. */
    public void registerObserver(Observer observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /** Stops delivering observations to an observer. */
    public void deregisterObserver(Observer observer) {
        observers.removeIf(o -> o.id() == observer.id());
    }

    private void observe(Object data) {
        if (observers.isEmpty()) {
            return;
        }
        Observation o = new Observation(this, data);
        for (Observer observer : observers) {
            observer.deliver(o);
        }
    }

    private void leadershipChanged(boolean leader) {
        notifier.execute(() -> {
            leaderCh.offer(leader);
            config.notifyQueue().ifPresent(q -> {
                try {
                    if (runtime.isShutdown()) {
                        q.offer(leader);
                    } else {
                        while (!q.offer(leader, 100, TimeUnit.MILLISECONDS)) {
                            if (runtime.isShutdown()) {
                                break;
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (Consumer<Boolean> l : leadershipListeners) {
                try {
                    l.accept(leader);
                } catch (RuntimeException e) {
                    config.logger().error("leadership listener failed", e);
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Shuts the node down (hashicorp's {@code Shutdown}). Every pending future completes; threads stop; the
     * transport is closed. The returned future completes when all of it is done. Later calls return the same
     * future.
     */
    public CompletableFuture<Void> shutdown() {
        shutdownAsync();
        return shutdownDone;
    }

    private synchronized void shutdownAsync() {
        if (shutdownStarted) {
            return;
        }
        shutdownStarted = true;
        Thread t = new Thread(() -> {
            try {
                runtime.shutdown();
                notifier.shutdown();
                notifier.awaitTermination(5, TimeUnit.SECONDS);
                shutdownDone.complete(null);
            } catch (Throwable e) {
                shutdownDone.completeExceptionally(e);
            }
        }, "flotilla-" + config.localId().value() + "-shutdown");
        t.setDaemon(true);
        t.start();
    }

    private boolean shutdownStarted;

    /** Shuts down and waits. */
    @Override
    public void close() {
        try {
            shutdown().join();
        } catch (CompletionException e) {
            config.logger().error("shutdown failed", e.getCause());
        }
    }

    /** hashicorp's {@code String()}: {@code Node at <address> [<state>]}. */
    @Override
    public String toString() {
        return "Node at " + transport.localAddress().value() + " [" + state() + "]";
    }

    // ------------------------------------------------------------------------------------------------------

    private static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return timeout.toNanos();
    }

    private static void requireId(ServerId id) {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("server id must not be empty");
        }
    }

    private static void requireAddress(ServerAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isEmpty()) {
            throw new IllegalArgumentException("server address must not be empty");
        }
    }

    private static <T> CompletableFuture<T> unsupported() {
        return CompletableFuture.failedFuture(new UnsupportedProtocolException());
    }

    /** Collects what a node needs: FSM, stores, transport and optionally a meter registry. */
    public static final class Builder {
        private final RaftConfig config;
        private Fsm fsm;
        private LogStore logStore;
        private StableStore stableStore;
        private SnapshotStore snapshotStore;
        private Transport transport;
        private MeterRegistry meterRegistry;

        private Builder(RaftConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The state machine. */
        public Builder fsm(Fsm f) {
            this.fsm = f;
            return this;
        }

        /** The log store. */
        public Builder logStore(LogStore s) {
            this.logStore = s;
            return this;
        }

        /** The stable store. */
        public Builder stableStore(StableStore s) {
            this.stableStore = s;
            return this;
        }

        /** One store serving as both log and stable store (as {@code InmemStore} and the RocksDB store do). */
        public <S extends LogStore & StableStore> Builder store(S s) {
            this.logStore = s;
            this.stableStore = s;
            return this;
        }

        /** The snapshot store. */
        public Builder snapshotStore(SnapshotStore s) {
            this.snapshotStore = s;
            return this;
        }

        /** The transport. */
        public Builder transport(Transport t) {
            this.transport = t;
            return this;
        }

        /** Where metrics go (default: Micrometer's global registry). */
        public Builder meterRegistry(MeterRegistry r) {
            this.meterRegistry = r;
            return this;
        }

        /**
         * Restores the node from its stores and starts it (hashicorp's {@code NewRaft}).
         *
         * @throws IllegalArgumentException for an invalid configuration (hashicorp's texts)
         * @throws IOException              if the stores cannot be read
         */
        public Raft start() throws IOException {
            return new Raft(this);
        }
    }
}
