package io.flotilla.bench;

import io.flotilla.raft.internal.FileTrees;
import io.flotilla.kv.KvFsm;
import io.flotilla.raft.ApplyResult;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;
import io.flotilla.raft.rocksdb.RocksDbStore;
import io.flotilla.raft.snapshot.FileSnapshotStore;
import io.flotilla.raft.snapshot.InmemSnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.transport.net.NetworkTransport;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One measured run of a Flotilla cluster, the Java twin of gopeer's bench mode ({@code ../shared/gopeer/bench.go}):
 * N nodes in this JVM on 127.0.0.1, each with its own TCP {@link NetworkTransport}, all bootstrapped with the same
 * configuration and hashicorp's default timings, running the KV-API.md state machine ({@link KvFsm}). It waits for
 * a leader and a barrier, warms up, then C client threads each loop "apply one entry on the leader, wait for its
 * future" for the duration. A latency runs from the {@code apply} call until the future completes, i.e. after the
 * entry committed on a majority and was applied to the leader's state machine.
 *
 * <p>Afterwards it checks that replication really happened: every follower must catch up with the leader's state
 * machine and hold the same state (same digest). Anything wrong is reported as a problem, not hidden.
 */
final class FlotillaBench {
    /** How long the cluster may take to elect a leader (gopeer waits as long). */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(30);
    /** How long followers may take to catch up once the clients stopped. */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(10);
    /**
     * How long one client waits for one apply before giving up on it. raft futures always resolve (commit,
     * leadership loss or shutdown), so this only turns a wedged cluster into a reported error instead of a hang.
     */
    private static final Duration APPLY_WAIT = Duration.ofSeconds(60);
    /** NetworkTransport settings of gopeer's bench ({@code --max-pool}, {@code --transport-timeout}). */
    private static final int MAX_POOL = 3;
    private static final Duration TRANSPORT_TIMEOUT = Duration.ofSeconds(10);

    /** The stores a run uses. */
    enum Store {
        /** {@link InmemStore} and {@link InmemSnapshotStore}; gopeer's {@code inmem}. */
        MEMORY("memory", "inmem"),
        /** {@link RocksDbStore} (synced writes) and {@link FileSnapshotStore} in a temp dir; gopeer's {@code bolt}. */
        ROCKSDB("rocksdb", "bolt");

        final String label;
        final String goStore;

        Store(String label, String goStore) {
            this.label = label;
            this.goStore = goStore;
        }
    }

    /**
     * What to run.
     *
     * @param nodes        cluster size
     * @param clients      concurrent clients
     * @param payload      entry size in bytes
     * @param duration     measured window
     * @param warmup       unmeasured load before it
     * @param store        the stores
     * @param applyTimeout the enqueue timeout passed to {@code apply} (gopeer's {@code --apply-timeout})
     */
    record Settings(int nodes, int clients, int payload, Duration duration, Duration warmup, Store store,
                    Duration applyTimeout) {
    }

    /**
     * A run's figures, what went wrong (empty when the run is trustworthy), and who else used the CPU.
     *
     * @param result         the figures
     * @param problems       errors, replication failures; each one line
     * @param busiestOthers  the other processes that used the most CPU meanwhile ({@link ProcessCpu#topOthers})
     */
    record Outcome(BenchResult result, List<String> problems, String busiestOthers) {
    }

    private FlotillaBench() {
    }

    /** Runs one measurement; progress goes to {@code log}. */
    static Outcome run(Settings s, int runNumber, PrintStream log) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        // Start every run from a collected heap, so one run's garbage does not land in the next one's window.
        System.gc();
        try (Cluster cluster = Cluster.start(s)) {
            Cluster.Node leaderNode = cluster.awaitLeader(LEADER_WAIT);
            Raft leader = leaderNode.raft();
            try {
                leader.barrier(Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("barrier on the new leader failed: " + describe(e), e);
            }
            log.printf(Locale.ROOT, "flotilla: run %d: %d nodes up (%s), leader %s; warming up %s, measuring %s%n",
                    runNumber, s.nodes(), s.store().label, leaderNode.id(), human(s.warmup()), human(s.duration()));
            if (!s.warmup().isZero()) {
                runClients(leader, s, s.warmup(), false);
            }
            ProcessCpu processesBefore = ProcessCpu.now();
            CpuSample before = CpuSample.now();
            Window w = runClients(leader, s, s.duration(), true);
            CpuSample after = CpuSample.now();
            ProcessCpu processesAfter = ProcessCpu.now();
            long leaderLast = leader.lastIndex();
            long followerMin = Long.MAX_VALUE;
            for (Cluster.Node n : cluster.nodes()) {
                if (n != leaderNode) {
                    followerMin = Math.min(followerMin, n.raft().lastIndex());
                }
            }
            if (followerMin == Long.MAX_VALUE) {
                followerMin = 0;
            }
            CpuSample.Usage cpu = before.until(after);
            String load = CpuSample.loadAverage1m();

            if (w.errors() > 0) {
                problems.add(w.errors() + " applies failed; first: " + w.firstError());
            }
            if (leader.state() != RaftState.LEADER) {
                problems.add("the leader " + leaderNode.id() + " lost leadership during the run (now "
                        + leader.state() + ")");
            }
            problems.addAll(cluster.checkReplication(leaderNode, CATCH_UP_WAIT));

            Histogram h = w.latencies();
            double elapsed = w.elapsedNanos() / 1e9;
            boolean any = h.getTotalCount() > 0;
            BenchResult r = new BenchResult(BenchResult.FLOTILLA, s.store().label, s.nodes(), s.clients(), s.payload(),
                    s.duration().toMillis() / 1000.0, elapsed, h.getTotalCount(), w.errors(),
                    h.getTotalCount() / elapsed, any ? h.getMean() / 1000.0 : 0, us(h, 50), us(h, 90), us(h, 99),
                    us(h, 99.9), any ? h.getMaxValue() / 1000.0 : 0, cpu.ownCores(), cpu.othersCores(),
                    cpu.stealCores(), load, leaderLast, followerMin, runNumber);
            return new Outcome(r, problems, processesBefore.topOthers(processesAfter,
                    Set.of(ProcessHandle.current().pid()), 5));
        }
    }

    private static double us(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * The measured (or warm-up) window.
     *
     * @param latencies    every successful apply's latency in nanoseconds
     * @param errors       failed applies
     * @param firstError   the first failure, for the report
     * @param elapsedNanos from the start until the last client finished its last apply
     */
    private record Window(Histogram latencies, long errors, String firstError, long elapsedNanos) {
    }

    /**
     * Runs the clients for {@code d}: each one applies, waits for the future, and repeats while the window is open,
     * like gopeer's goroutines (an apply started before the end is completed and counted). Each client records
     * into its own histogram, merged at the end, so that measuring adds no contention.
     */
    private static Window runClients(Raft leader, Settings s, Duration d, boolean record) throws InterruptedException {
        int n = s.clients();
        Histogram[] hist = new Histogram[n];
        long[] errors = new long[n];
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2]; // start, end: written before go.countDown(), read after await
        List<Thread> threads = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            int client = c;
            hist[c] = new Histogram(3);
            Thread t = new Thread(() -> {
                byte[] entry = BenchPayload.entry(client, s.payload());
                Histogram mine = hist[client];
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        CompletableFuture<ApplyResult> f = leader.apply(entry, s.applyTimeout());
                        f.get(APPLY_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException | TimeoutException e) {
                        // Like gopeer: count it and go on at once.
                        errors[client]++;
                        firstError.compareAndSet(null, describe(e));
                        continue;
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (record) {
                        mine.recordValue(System.nanoTime() - t0);
                    }
                }
            }, "bench-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + d.toNanos();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - window[0];
        Histogram all = new Histogram(3);
        long errs = 0;
        for (int c = 0; c < n; c++) {
            all.add(hist[c]);
            errs += errors[c];
        }
        return new Window(all, errs, firstError.get(), elapsed);
    }

    static String describe(Throwable e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof TimeoutException) {
            return "no answer within " + human(APPLY_WAIT);
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** The nodes of one run and everything they own; closing it stops them and deletes their files. */
    static final class Cluster implements AutoCloseable {
        /**
         * One node.
         *
         * @param id        its server id
         * @param raft      the running node
         * @param fsm       its state machine
         * @param transport its transport
         * @param store     its log and stable store, closed after the node stopped; {@code null} for memory
         */
        record Node(String id, Raft raft, KvFsm fsm, NetworkTransport transport, AutoCloseable store) {
        }

        private final Path dir;
        private final List<Node> nodes = new ArrayList<>();
        private final List<NetworkTransport> transports = new ArrayList<>();
        private final List<AutoCloseable> stores = new ArrayList<>();

        private Cluster(Path dir) {
            this.dir = dir;
        }

        List<Node> nodes() {
            return nodes;
        }

        /** Starts the nodes, bootstrapped with one configuration holding all of them. */
        static Cluster start(Settings s) throws IOException {
            Path dir = s.store() == Store.ROCKSDB ? Files.createTempDirectory("flotilla-bench-") : null;
            Cluster c = new Cluster(dir);
            TempDirs.register(dir);
            try {
                List<Server> servers = new ArrayList<>();
                for (int i = 0; i < s.nodes(); i++) {
                    NetworkTransport t = NetworkTransport.tcp("127.0.0.1:0", MAX_POOL, TRANSPORT_TIMEOUT);
                    c.transports.add(t);
                    servers.add(new Server(Suffrage.VOTER, ServerId.of(nodeId(i)), t.localAddress()));
                }
                Configuration configuration = new Configuration(servers);
                for (int i = 0; i < s.nodes(); i++) {
                    String id = nodeId(i);
                    RaftConfig config = RaftConfig.builder().localId(id).build();
                    NetworkTransport t = c.transports.get(i);
                    KvFsm fsm = new KvFsm();
                    SnapshotStore snapshots;
                    Raft raft;
                    AutoCloseable closeable = null;
                    if (s.store() == Store.ROCKSDB) {
                        Path nodeDir = dir.resolve(id);
                        RocksDbStore store = RocksDbStore.open(nodeDir.resolve("raft.db"));
                        c.stores.add(store);
                        closeable = store;
                        snapshots = new FileSnapshotStore(nodeDir, 2);
                        Raft.bootstrapCluster(config, store, store, snapshots, t, configuration);
                        raft = Raft.builder(config).fsm(fsm).store(store).snapshotStore(snapshots).transport(t).start();
                    } else {
                        InmemStore store = new InmemStore();
                        snapshots = new InmemSnapshotStore();
                        Raft.bootstrapCluster(config, store, store, snapshots, t, configuration);
                        raft = Raft.builder(config).fsm(fsm).store(store).snapshotStore(snapshots).transport(t).start();
                    }
                    c.nodes.add(new Node(id, raft, fsm, t, closeable));
                }
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        static String nodeId(int i) {
            return "node" + i;
        }

        /** Waits until one node is leader. */
        Node awaitLeader(Duration wait) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (Node n : nodes) {
                    if (n.raft().state() == RaftState.LEADER) {
                        return n;
                    }
                }
                Thread.sleep(20);
            }
            throw new IOException("no leader within " + human(wait));
        }

        /**
         * Once the clients stopped, every follower must apply up to the leader's state machine index within
         * {@code wait} and then hold the same state. Returns what failed.
         */
        List<String> checkReplication(Node leader, Duration wait) throws InterruptedException {
            List<String> problems = new ArrayList<>();
            KvFsm.Digest want = leader.fsm().digest();
            long deadline = System.nanoTime() + wait.toNanos();
            for (Node n : nodes) {
                if (n == leader) {
                    continue;
                }
                while (n.fsm().index() < want.appliedIndex() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                KvFsm.Digest got = n.fsm().digest();
                if (got.appliedIndex() < want.appliedIndex()) {
                    problems.add("follower " + n.id() + " applied only through index " + got.appliedIndex()
                            + " of the leader's " + want.appliedIndex() + " " + human(wait) + " after the run");
                } else if (!got.sha256().equals(want.sha256()) || got.keys() != want.keys()) {
                    problems.add("follower " + n.id() + " holds different state than the leader at index "
                            + got.appliedIndex() + ": " + got + " vs " + want);
                }
            }
            return problems;
        }

        /** Stops every node (in parallel), then closes transports and stores and deletes the files. */
        @Override
        public void close() {
            List<CompletableFuture<Void>> stopping = new ArrayList<>();
            for (Node n : nodes) {
                stopping.add(n.raft().shutdown());
            }
            try {
                CompletableFuture.allOf(stopping.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                System.err.println("flotilla: warning: node shutdown: " + describe(e));
            }
            for (NetworkTransport t : transports) {
                t.close(); // a node closes its own transport; this covers nodes that never started
            }
            for (AutoCloseable s : stores) {
                try {
                    s.close();
                } catch (Exception e) {
                    System.err.println("flotilla: warning: closing a store: " + e);
                }
            }
            if (dir != null) {
                try {
                    FileTrees.deleteRecursively(dir);
                } catch (IOException e) {
                    System.err.println("flotilla: warning: could not delete " + dir + ": " + e);
                }
                TempDirs.unregister(dir);
            }
        }
    }

    /**
     * Temporary directories still in use, deleted by a shutdown hook if the command is interrupted (Ctrl-C) before
     * a run could clean up after itself.
     */
    static final class TempDirs {
        private static final List<Path> LIVE = new ArrayList<>();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteAll, "bench-temp-cleanup"));
        }

        private TempDirs() {
        }

        static synchronized void register(Path dir) {
            if (dir != null) {
                LIVE.add(dir);
            }
        }

        static synchronized void unregister(Path dir) {
            LIVE.remove(dir);
        }

        private static synchronized void deleteAll() {
            for (Path d : LIVE) {
                try {
                    FileTrees.deleteRecursively(d);
                } catch (IOException | UncheckedIOException e) {
                    System.err.println("flotilla: could not delete " + d + ": " + e);
                }
            }
        }
    }
}
