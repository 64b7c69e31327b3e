package io.flotilla.raft.testkit.cluster;

import io.flotilla.raft.internal.FileTrees;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.ConfigurationInfo;
import io.flotilla.raft.Fsm;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;
import io.flotilla.raft.snapshot.FileSnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;
import io.flotilla.raft.transport.InmemTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A cluster of Raft nodes in one JVM on the in-memory transport, for tests — the equivalent of hashicorp's
 * {@code testing.go} harness: make a cluster, find the leader, cut and restore links, and wait, with deadlines,
 * for replication and agreement. Written so that users can test their own FSMs: give it an FSM factory.
 *
 * <p>Nothing here sleeps to synchronise: every wait polls a condition until it holds or a deadline passes, and
 * failing to reach a condition throws {@link AssertionError}.
 */
public final class Cluster implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(2);

    /** One node of the cluster and everything it is made of. */
    public static final class Node {
        private final ServerId id;
        private final NodeStores stores;
        private final SnapshotStore snapshots;
        private final Path dir;
        private final Fsm fsm;
        private InmemTransport transport;
        private Raft raft;

        Node(ServerId id, NodeStores stores, SnapshotStore snapshots, Path dir, Fsm fsm, InmemTransport transport) {
            this.id = id;
            this.stores = stores;
            this.snapshots = snapshots;
            this.dir = dir;
            this.fsm = fsm;
            this.transport = transport;
        }

        /** The node's id. */
        public ServerId id() {
            return id;
        }

        /** Its transport address. */
        public ServerAddress address() {
            return transport.localAddress();
        }

        /** Its log store. */
        public LogStore logStore() {
            return stores.logStore();
        }

        /** Its stable store. */
        public StableStore stableStore() {
            return stores.stableStore();
        }

        /** Its snapshot store. */
        public SnapshotStore snapshots() {
            return snapshots;
        }

        /** Its FSM. */
        public Fsm fsm() {
            return fsm;
        }

        /** Its transport. */
        public InmemTransport transport() {
            return transport;
        }

        /** Its Raft node. */
        public Raft raft() {
            return raft;
        }
    }

    /**
     * A node's log and stable store, and how to release them when the cluster closes.
     *
     * @param logStore    the log store
     * @param stableStore the stable store
     * @param closer      releases them (for example closes a database); may do nothing
     */
    public record NodeStores(LogStore logStore, StableStore stableStore, AutoCloseable closer) {
        /** A fresh {@link InmemStore} serving as both. */
        public static NodeStores inMemory() {
            InmemStore s = new InmemStore();
            return new NodeStores(s, s, () -> { });
        }
    }

    /** Makes the stores of a new node, given its id and a directory of its own. */
    @FunctionalInterface
    public interface StoreFactory {
        /** Opens the stores of node {@code id} under {@code dir}. */
        NodeStores open(ServerId id, Path dir) throws IOException;
    }

    /** How to build a cluster; defaults follow hashicorp's {@code inmemConfig}. */
    public static final class Options {
        private int peers = 3;
        private boolean bootstrap = true;
        private RaftConfig.Builder config = inmemConfig();
        private Supplier<Fsm> fsmFactory = MockFsm::new;
        private Duration longstop = Duration.ofSeconds(10);
        private Duration transportTimeout = InmemTransport.DEFAULT_TIMEOUT;
        private io.micrometer.core.instrument.MeterRegistry meterRegistry;
        private StoreFactory stores = (id, dir) -> NodeStores.inMemory();

        /** How each node's log and stable store are made (default: an {@link InmemStore}). */
        public Options stores(StoreFactory factory) {
            this.stores = factory;
            return this;
        }

        /** One registry for every node's metrics (default: a fresh one per node). */
        public Options meterRegistry(io.micrometer.core.instrument.MeterRegistry r) {
            this.meterRegistry = r;
            return this;
        }

        /** Number of nodes (default 3). */
        public Options peers(int n) {
            this.peers = n;
            return this;
        }

        /** Whether every node is bootstrapped with the full configuration (default true). */
        public Options bootstrap(boolean b) {
            this.bootstrap = b;
            return this;
        }

        /** The configuration template; each node gets its own local id. */
        public Options config(RaftConfig.Builder c) {
            this.config = c;
            return this;
        }

        /** How each node's FSM is made (default {@link MockFsm}). */
        public Options fsm(Supplier<Fsm> factory) {
            this.fsmFactory = factory;
            return this;
        }

        /** Uses {@link MockFsmConfigStore} for every node. */
        public Options configStoreFsm() {
            this.fsmFactory = MockFsmConfigStore::new;
            return this;
        }

        /** The longest any wait may take (default 10 s). */
        public Options longstop(Duration d) {
            this.longstop = d;
            return this;
        }

        /** The in-memory transport's RPC timeout (default 50 ms, hashicorp's). */
        public Options transportTimeout(Duration d) {
            this.transportTimeout = d;
            return this;
        }
    }

    /**
     * The test cluster's timing: 100 ms heartbeat, election and lease timeouts, 5 ms commit timeout. hashicorp's
     * {@code inmemConfig} uses 50 ms; on a two-core CI machine a cold JIT plus a young collection in the shared test
     * JVM can silence every node for that long at once, and the leader then (correctly) steps down for lack of a
     * quorum, which turns tests about other things into tests of the scheduler.
     */
    public static RaftConfig.Builder inmemConfig() {
        return RaftConfig.builder()
                .heartbeatTimeout(Duration.ofMillis(100))
                .electionTimeout(Duration.ofMillis(100))
                .leaderLeaseTimeout(Duration.ofMillis(100))
                .commitTimeout(Duration.ofMillis(5));
    }

    private final Options options;
    private final List<Node> nodes = new ArrayList<>();
    /** The highest term right after creation: bootstrap writes term 1 before any election. */
    private long startTerm;
    private final RaftConfig.Builder conf;

    private Cluster(Options options) {
        this.options = options;
        this.conf = options.config;
    }

    /** New options with hashicorp's defaults. */
    public static Options options() {
        return new Options();
    }

    /** hashicorp's {@code MakeCluster}: {@code n} bootstrapped nodes. */
    public static Cluster make(int n) {
        return make(options().peers(n));
    }

    /** hashicorp's {@code MakeClusterNoBootstrap}. */
    public static Cluster makeNoBootstrap(int n) {
        return make(options().peers(n).bootstrap(false));
    }

    /** hashicorp's {@code MakeClusterCustom}. */
    public static Cluster make(Options options) {
        Cluster c = new Cluster(options);
        try {
            c.build();
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e instanceof RuntimeException re ? re : new UncheckedIOException((IOException) e);
        }
        return c;
    }

    private void build() throws IOException {
        int protocolVersion = conf.build().protocolVersion();
        for (int i = 0; i < options.peers; i++) {
            InmemTransport transport = new InmemTransport(InmemTransport.newInmemAddress(), options.transportTimeout);
            ServerId id = ServerId.of(protocolVersion < 3 ? transport.localAddress().value()
                    : "server-" + transport.localAddress().value());
            Path dir = Files.createTempDirectory("flotilla-cluster-");
            nodes.add(new Node(id, options.stores.open(id, dir.resolve("store")), new FileSnapshotStore(dir, 3), dir,
                    options.fsmFactory.get(), transport));
        }
        fullyConnect();
        Configuration configuration = new Configuration(nodes.stream()
                .map(n -> new Server(Suffrage.VOTER, n.id, n.address())).toList());
        for (Node n : nodes) {
            RaftConfig c = configFor(n);
            if (options.bootstrap) {
                Raft.bootstrapCluster(c, n.logStore(), n.stableStore(), n.snapshots, n.transport, configuration);
            }
            n.raft = startRaft(n, c);
        }
        startTerm = options.bootstrap ? 1 : 0;
    }

    private RaftConfig configFor(Node n) {
        return conf.localId(n.id).build();
    }

    private Raft startRaft(Node n, RaftConfig c) throws IOException {
        return Raft.builder(c).fsm(n.fsm).logStore(n.logStore()).stableStore(n.stableStore()).snapshotStore(n.snapshots)
                .transport(n.transport)
                .meterRegistry(options.meterRegistry != null ? options.meterRegistry : new SimpleMeterRegistry())
                .start();
    }

    // ------------------------------------------------------------------------------------------------------
    // Accessors

    /** The nodes, in creation order. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** Node {@code i}. */
    public Node node(int i) {
        return nodes.get(i);
    }

    /** Every node's Raft, in order. */
    public List<Raft> rafts() {
        return nodes.stream().map(Node::raft).toList();
    }

    /** Node {@code i}'s Raft. */
    public Raft raft(int i) {
        return nodes.get(i).raft;
    }

    /** Node {@code i}'s FSM as a {@link MockFsm} (when the cluster uses mock FSMs). */
    public MockFsm fsm(int i) {
        return (MockFsm) nodes.get(i).fsm;
    }

    /** The node whose Raft this is, or -1. */
    public int indexOf(Raft r) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).raft == r) {
                return i;
            }
        }
        return -1;
    }

    /** The node running this Raft. */
    public Node nodeOf(Raft r) {
        int i = indexOf(r);
        if (i < 0) {
            throw new IllegalArgumentException("not in this cluster: " + r);
        }
        return nodes.get(i);
    }

    /** The configuration builder the nodes were made from (with another node's local id). */
    public RaftConfig.Builder configTemplate() {
        return conf;
    }

    /** hashicorp's {@code propagateTimeout}: 2 × heartbeat timeout + commit timeout. */
    public Duration propagateTimeout() {
        RaftConfig c = conf.build();
        return c.heartbeatTimeout().multipliedBy(2).plus(c.commitTimeout());
    }

    /** The longest any wait takes. */
    public Duration longstop() {
        return options.longstop;
    }

    // ------------------------------------------------------------------------------------------------------
    // Network

    /** Connects every transport to every other, both ways. */
    public void fullyConnect() {
        for (Node a : nodes) {
            for (Node b : nodes) {
                if (a != b) {
                    a.transport.connect(b.address(), b.transport);
                }
            }
        }
    }

    /** Cuts a node off from everyone (hashicorp's {@code Disconnect}). */
    public void disconnect(ServerAddress address) {
        for (Node n : nodes) {
            if (n.address().equals(address)) {
                n.transport.disconnectAll();
            } else {
                n.transport.disconnect(address);
            }
        }
    }

    /** Splits the cluster: {@code far} on one side, the rest on the other (hashicorp's {@code Partition}). */
    public void partition(List<ServerAddress> far) {
        for (Node a : nodes) {
            boolean aFar = far.contains(a.address());
            for (Node b : nodes) {
                if (a != b && aFar != far.contains(b.address())) {
                    a.transport.disconnect(b.address());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Waiting

    /** Polls {@code condition} until it holds; throws {@link AssertionError} with {@code what} at the longstop. */
    public void waitFor(String what, BooleanSupplier condition) {
        waitFor(what, options.longstop, condition);
    }

    /** Polls {@code condition} until it holds; throws {@link AssertionError} after {@code timeout}. */
    public static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            TimeUnit.NANOSECONDS.sleep(POLL.toNanos()); // a poll interval, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /**
     * The nodes in {@code state} once the cluster's states and terms have stayed unchanged for a while
     * (hashicorp's {@code GetInState}: 2 × max(heartbeat, election) + commit timeout).
     */
    public List<Raft> getInState(RaftState state) {
        RaftConfig c = conf.build();
        Duration hb = c.heartbeatTimeout().compareTo(c.electionTimeout()) > 0 ? c.heartbeatTimeout() : c.electionTimeout();
        long stableFor = hb.multipliedBy(2).plus(c.commitTimeout()).toNanos();
        long deadline = System.nanoTime() + options.longstop.toNanos();
        String last = snapshotOfStates();
        long lastChange = System.nanoTime();
        while (true) {
            String now = snapshotOfStates();
            if (!now.equals(last)) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange >= stableFor && highestTerm() > startTerm) {
                // Until some node has campaigned (term above the bootstrap term) nothing has happened yet.
                return rafts().stream().filter(r -> r.state() == state).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for stable states; last: " + last);
            }
            pause();
        }
    }

    private String snapshotOfStates() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            // States only, like hashicorp's observer-driven check: a candidate re-running elections in a partition
            // does not count as a change.
            sb.append(n.id.value()).append('=').append(n.raft.state()).append(' ');
        }
        return sb.toString();
    }

    private long highestTerm() {
        return nodes.stream().mapToLong(n -> n.raft.currentTerm()).max().orElse(0);
    }

    /** The single leader once states are stable (hashicorp's {@code Leader}); fails if there is not exactly one. */
    public Raft leader() {
        long deadline = System.nanoTime() + options.longstop.toNanos();
        while (true) {
            List<Raft> leaders = getInState(RaftState.LEADER);
            if (leaders.size() == 1) {
                return leaders.get(0);
            }
            // Unlike hashicorp, a quiet spell between elections (every node a follower or a candidate waiting out
            // its randomized timeout) is not a verdict: keep waiting for the election to finish.
            if (leaders.size() > 1 || System.nanoTime() > deadline) {
                throw new AssertionError("expected one leader, got " + leaders.size() + ": " + snapshotOfStates());
            }
        }
    }

    /** Waits until some node leads and the others follow it, without waiting for stability. */
    public Raft awaitLeader() {
        Raft[] found = new Raft[1];
        waitFor("a leader", () -> {
            for (Raft r : rafts()) {
                if (r.state() == RaftState.LEADER) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /**
     * Runs an operation on the current leader, and again on the next one if leadership moves before it completes
     * ({@link io.flotilla.raft.NotLeaderException} or {@link io.flotilla.raft.LeadershipLostException}). A Raft
     * client must expect leadership to move at any time (a missed heartbeat on a busy machine is enough); tests
     * that are not about that use this. Only for operations that are safe to repeat.
     */
    public <T> T onLeader(String what, java.util.function.Function<Raft, java.util.concurrent.CompletableFuture<T>> op) {
        long deadline = System.nanoTime() + options.longstop.toNanos();
        while (true) {
            Raft leader = awaitLeader();
            try {
                return op.apply(leader).get(options.longstop.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                boolean moved = cause instanceof io.flotilla.raft.NotLeaderException
                        || cause instanceof io.flotilla.raft.LeadershipLostException;
                if (!moved || System.nanoTime() > deadline) {
                    throw new AssertionError(what + " failed: " + cause, cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("timed out: " + what, e);
            }
        }
    }

    /** The followers once states are stable; fails unless every node but one follows. */
    public List<Raft> followers() {
        List<Raft> followers = getInState(RaftState.FOLLOWER);
        if (followers.size() != nodes.size() - 1) {
            throw new AssertionError("expected " + (nodes.size() - 1) + " followers, got " + followers.size() + ": "
                    + snapshotOfStates());
        }
        return followers;
    }

    /** Waits until every MockFsm has applied exactly {@code n} commands (hashicorp's {@code WaitForReplication}). */
    public void waitForReplication(int n) {
        waitFor("every FSM to hold " + n + " commands",
                () -> nodes.stream().allMatch(x -> ((MockFsm) x.fsm).size() == n));
    }

    /** Asserts every node believes {@code leader} leads (hashicorp's {@code EnsureLeader}). */
    public void ensureLeader(ServerAddress leader) {
        for (Node n : nodes) {
            if (!n.raft.leader().equals(leader)) {
                throw new AssertionError("at least one peer has the wrong notion of leader: " + n.id + " thinks "
                        + n.raft.leader() + ", expected " + leader);
            }
        }
    }

    /** Waits until all MockFsms hold the same commands and configurations (hashicorp's {@code EnsureSame}). */
    public void ensureSame() {
        waitFor("identical FSMs", this::fsmsIdentical);
    }

    private boolean fsmsIdentical() {
        MockFsm first = (MockFsm) nodes.get(0).fsm;
        List<byte[]> logs = first.logs();
        for (Node n : nodes.subList(1, nodes.size())) {
            MockFsm f = (MockFsm) n.fsm;
            List<byte[]> other = f.logs();
            if (other.size() != logs.size()) {
                return false;
            }
            for (int i = 0; i < logs.size(); i++) {
                if (!Arrays.equals(logs.get(i), other.get(i))) {
                    return false;
                }
            }
            if (!first.configurations().equals(f.configurations())) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every running node reports the same configuration (hashicorp's {@code EnsureSamePeers}). */
    public void ensureSamePeers() {
        waitFor("identical configurations", () -> {
            List<Configuration> seen = new ArrayList<>();
            for (Node n : nodes) {
                if (n.raft.state() == RaftState.SHUTDOWN) {
                    continue;
                }
                seen.add(configuration(n.raft));
            }
            return seen.stream().distinct().count() <= 1;
        });
    }

    /** A node's latest configuration, or an AssertionError. */
    public static Configuration configuration(Raft r) {
        try {
            ConfigurationInfo info = r.getConfiguration().get(10, TimeUnit.SECONDS);
            return info.configuration();
        } catch (Exception e) {
            throw new AssertionError("failed to get configuration of " + r + ": " + e, e);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Changing the cluster

    /** Adds a new, unbootstrapped node connected to everyone; returns its index. */
    public int addNode() {
        try {
            int protocolVersion = conf.build().protocolVersion();
            InmemTransport transport = new InmemTransport(InmemTransport.newInmemAddress(), options.transportTimeout);
            ServerId id = ServerId.of(protocolVersion < 3 ? transport.localAddress().value()
                    : "server-" + transport.localAddress().value());
            Path dir = Files.createTempDirectory("flotilla-cluster-");
            Node n = new Node(id, options.stores.open(id, dir.resolve("store")), new FileSnapshotStore(dir, 3), dir,
                    options.fsmFactory.get(), transport);
            nodes.add(n);
            fullyConnect();
            n.raft = startRaft(n, configFor(n));
            return nodes.size() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves every node of {@code other} into this cluster (hashicorp's {@code Merge}). */
    public void merge(Cluster other) {
        nodes.addAll(other.nodes);
        other.nodes.clear();
    }

    /** Moves node {@code index} of {@code other} into this cluster. */
    public void mergeNode(Cluster other, int index) {
        nodes.add(other.nodes.remove(index));
    }

    /** Shuts node {@code i} down and waits. */
    public void shutdown(int i) {
        Node n = nodes.get(i);
        n.raft.shutdown().orTimeout(options.longstop.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /**
     * Restarts node {@code i} on its stores with a new transport at the same address, reconnecting it (its FSM is
     * replaced by {@code fsm}).
     */
    public void restart(int i, RaftConfig.Builder config) {
        restart(i, config, options.fsmFactory.get());
    }

    /**
     * Restarts node {@code i} on its stores with a new transport at the same address and the given FSM (which may
     * be the old one), reconnecting it.
     */
    public void restart(int i, RaftConfig.Builder config, Fsm fsm) {
        Node old = nodes.get(i);
        if (old.raft.state() != RaftState.SHUTDOWN) {
            shutdown(i);
        }
        try {
            InmemTransport transport = new InmemTransport(old.address(), options.transportTimeout);
            Node n = new Node(old.id, old.stores, old.snapshots, old.dir, fsm, transport);
            nodes.set(i, n);
            fullyConnect();
            n.raft = startRaft(n, config.localId(n.id).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shuts every node down and deletes their directories. */
    @Override
    public void close() {
        List<Throwable> errors = new ArrayList<>();
        for (Node n : nodes) {
            if (n.raft != null) {
                try {
                    n.raft.shutdown().get(options.longstop.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    errors.add(e);
                }
            }
        }
        for (Node n : nodes) {
            try {
                n.stores.closer().close();
            } catch (Exception e) {
                errors.add(e);
            }
            FileTrees.deleteQuietly(n.dir);
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("timed out waiting for shutdown: " + errors.get(0), errors.get(0));
        }
    }

    @Override
    public String toString() {
        return "Cluster[" + snapshotOfStates().trim() + "]";
    }

    /** Checks {@code o} is not null, for fluent use. */
    static <T> T required(T o, String what) {
        return Objects.requireNonNull(o, what);
    }
}
