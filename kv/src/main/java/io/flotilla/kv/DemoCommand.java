package io.flotilla.kv;

import io.flotilla.raft.internal.FileTrees;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./flotilla demo}: shows in under a minute what the library does, with real processes. It starts a
 * 3-node key-value cluster on 127.0.0.1 (each node a {@code serve} process with durable storage in a temporary
 * directory), shows the election, writes keys with a live ops/s line, kills the leader with SIGKILL while the
 * writes go on, shows the new leader and reads every acknowledged key back linearizably, adds a fourth node that
 * catches up through InstallSnapshot, prints a table of the nodes, stops them and removes the directory. It exits
 * 0 only if no acknowledged write was lost and all live nodes end with the same state digest.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, version = "flotilla demo 0.1.0",
        description = "Starts a 3-node kv cluster, writes, kills the leader, adds a node, shows that nothing was lost.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--write-seconds", defaultValue = "4",
            description = "how long to write before killing the leader (default: ${DEFAULT-VALUE})")
    int writeSeconds;

    @Option(names = "--clients", defaultValue = "16",
            description = "concurrent writing clients (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--keep", description = "keep the temporary directory (node data and logs)")
    boolean keep;

    private static final Duration READY = Duration.ofSeconds(60);
    private static final int TRAILING_LOGS = 500;

    private final PrintStream out = System.out;
    private final KvClient client = new KvClient(Duration.ofSeconds(5));
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private Path dir;

    /** One node of the demo cluster. */
    private static final class Node {
        final String id;
        final int raftPort;
        volatile KvProcess process;
        volatile boolean killed;

        Node(String id, int raftPort) {
            this.id = id;
            this.raftPort = raftPort;
        }

        String http() {
            return process.httpAddr();
        }
    }

    /** Runs the demo and exits with its code. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        dir = Files.createTempDirectory("flotilla-demo-");
        Thread cleanup = new Thread(this::stopAll, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: no orphaned nodes
        int code = 1;
        try {
            code = run() ? 0 : 1;
        } catch (Exception e) {
            out.println();
            out.println("demo failed: " + e.getMessage());
            for (Node n : nodes.values()) {
                if (n.process != null) {
                    out.println(n.process.logTail(15));
                }
            }
        } finally {
            List<String> stopped = stopAll();
            if (!stopped.isEmpty()) {
                say("stopped " + String.join(", ", stopped));
            }
            if (keep) {
                say("kept " + dir + " (node data and logs)");
            } else {
                FileTrees.deleteQuietly(dir);
                say("removed " + dir);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        out.printf("%s in %.1fs%n", code == 0 ? "done" : "FAILED", elapsed());
        return code;
    }

    private boolean run() throws Exception {
        out.println("Flotilla demo: a replicated key-value service (../shared/KV-API.md) on a Raft cluster of separate");
        out.println("`serve` processes on 127.0.0.1, each with durable storage (RocksDB log, file snapshots) in");
        out.println(dir);
        out.println();

        // 1. Three nodes, bootstrapped with the same configuration.
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.put(id, new Node(id, freePort()));
        }
        StringBuilder peers = new StringBuilder();
        for (Node n : nodes.values()) {
            peers.append(peers.length() == 0 ? "" : ",").append(n.id).append("=127.0.0.1:").append(n.raftPort);
        }
        say("starting n1, n2, n3 (bootstrap --peers " + peers + ")");
        List<Future<KvProcess>> starting = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (Node n : nodes.values()) {
                starting.add(pool.submit(() -> startNode(n, List.of("--bootstrap", "--peers", peers.toString()))));
            }
            for (Future<KvProcess> f : starting) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (Node n : nodes.values()) {
            say(String.format("%s ready: pid %d, raft %s, http %s", n.id, n.process.pid(), n.process.raftAddr(),
                    n.process.httpAddr()));
        }

        // 2. The election.
        Map<String, Object> leaderStatus = awaitLeader(null, Duration.ofSeconds(30));
        Node leader = nodes.get((String) leaderStatus.get("id"));
        say(String.format("election: %s is the leader in term %s; the others follow it", leader.id,
                leaderStatus.get("term")));

        // 3. Writes, then kill -9 the leader while they go on.
        say(String.format("writing keys with %d clients; after %ds the leader is killed with SIGKILL while writes go on",
                clients, writeSeconds));
        Writers writers = new Writers(leader);
        writers.start();
        progressFor(writers, Duration.ofSeconds(writeSeconds), null);
        long ackedBeforeKill = writers.acked.size();
        long killedAt = System.nanoTime();
        Node killed = leader;
        killed.process.kill();
        killed.killed = true;
        endProgress();
        say(String.format("kill -9 %s (pid %d), the leader, after %d acknowledged writes", killed.id,
                killed.process.pid(), ackedBeforeKill));
        progressFor(writers, Duration.ofSeconds(30), () -> writers.firstAckAfter(killedAt) > 0
                && System.nanoTime() - writers.firstAckAfter(killedAt) > TimeUnit.SECONDS.toNanos(2));
        writers.stop();
        endProgress();
        Map<String, Object> newStatus = awaitLeader(killed, Duration.ofSeconds(30));
        leader = nodes.get((String) newStatus.get("id"));
        long resumed = writers.firstAckAfter(killedAt);
        say(String.format("%s won the election in term %s; writes resumed %.1fs after the kill", leader.id,
                newStatus.get("term"), resumed > 0 ? (resumed - killedAt) / 1e9 : Double.NaN));
        say(String.format("writes stopped: %d acknowledged, %d with an unknown outcome (in flight when the leader "
                + "died: they may or may not have been applied)", writers.acked.size(), writers.unknown.size()));

        // 4. Every acknowledged write survived.
        say(String.format("reading all %d acknowledged keys back from %s with linearizable reads ...",
                writers.acked.size(), leader.id));
        long[] check = verify(leader, writers.acked);
        if (check[1] > 0) {
            say(String.format("LOST %d of %d acknowledged writes", check[1], writers.acked.size()));
            return false;
        }
        long unknownApplied = 0;
        for (String key : writers.unknown.keySet()) {
            if (client.read(leader.http(), key).status() == 200) {
                unknownApplied++;
            }
        }
        say(String.format("all %d acknowledged writes survived; of the %d unknown ones, %d were applied",
                check[0], writers.unknown.size(), unknownApplied));

        // 5. A fourth node that must catch up from a snapshot: the leader's log no longer starts at 1.
        KvClient.Answer snap = client.post(leader.http(), "/snapshot"); // 409 if it has just taken one itself
        long snapIndex = client.get(leader.http(), "/status").number("last_snapshot_index");
        say(String.format("%s's newest snapshot is at index %d%s; its log keeps only the %d entries before it",
                leader.id, snapIndex, snap.status() == 200 ? " (" + snap.number("size") + " bytes, just taken)" : "",
                TRAILING_LOGS));
        Node n4 = new Node("n4", freePort());
        nodes.put(n4.id, n4);
        say("starting n4 (empty, no bootstrap) and asking " + leader.id + " to add it as a voter");
        startNode(n4, List.of());
        long joinStarted = System.nanoTime();
        KvClient.Answer join = client.post(leader.http(), "/cluster/join?id=n4&addr=127.0.0.1:" + n4.raftPort);
        if (join.status() != 200) {
            throw new IOException("join failed: " + join.status() + " " + join.body());
        }
        awaitConverged(Duration.ofSeconds(30));
        Map<String, Object> dump = client.get(n4.http(), "/fsm?dump=1").json();
        long restores = (Long) dump.get("restores");
        say(String.format("n4 joined (configuration entry %d) and caught up in %.1fs: %s", join.number("index"),
                (System.nanoTime() - joinStarted) / 1e9, restores > 0
                        ? "InstallSnapshot, then the log after the snapshot"
                        : "by log replication (the leader still had the whole log)"));
        say("all live nodes hold the same state (equal SHA-256 of the snapshot encoding)");

        // 6. The table.
        out.println();
        out.printf("  %-4s  %-9s  %5s  %8s  %8s  %7s  %s%n", "node", "role", "term", "commit", "applied", "keys",
                "fsm sha256");
        for (Node n : nodes.values()) {
            if (n.killed) {
                out.printf("  %-4s  %s%n", n.id, "killed with SIGKILL (its data directory would let it rejoin)");
                continue;
            }
            Map<String, Object> st = client.get(n.http(), "/status").json();
            Map<String, Object> fsm = client.get(n.http(), "/fsm").json();
            out.printf("  %-4s  %-9s  %5s  %8s  %8s  %7s  %s%n", n.id, st.get("state"), st.get("term"),
                    st.get("commit_index"), st.get("applied_index"), fsm.get("keys"),
                    String.valueOf(fsm.get("sha256")).substring(0, 16) + "...");
        }
        out.println();
        return true;
    }

    // ------------------------------------------------------------------------------------------------------

    private KvProcess startNode(Node n, List<String> extra) throws IOException {
        List<String> flags = new ArrayList<>(List.of(
                "--id", n.id,
                "--raft-addr", "127.0.0.1:" + n.raftPort,
                "--http-addr", "127.0.0.1:0",
                "--data-dir", dir.resolve(n.id).toString(),
                // Quick failover for the demo, and snapshots small and often so that a new node needs one.
                "--heartbeat-timeout", "500ms",
                "--election-timeout", "500ms",
                "--leader-lease-timeout", "250ms",
                "--snapshot-interval", "2s",
                "--snapshot-threshold", "2000",
                "--trailing-logs", Integer.toString(TRAILING_LOGS)));
        flags.addAll(extra);
        n.process = KvProcess.start(KvProcess.serveCommand(flags), dir.resolve(n.id + ".log"), READY);
        return n.process;
    }

    /** Waits until a live node other than {@code not} is the leader and returns its status. */
    private Map<String, Object> awaitLeader(Node not, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Node n : nodes.values()) {
                if (n.killed || n == not || n.process == null) {
                    continue;
                }
                try {
                    Map<String, Object> st = client.get(n.http(), "/status").json();
                    if ("Leader".equals(st.get("state"))) {
                        return st;
                    }
                } catch (IOException e) {
                    // not answering yet
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("no leader within " + timeout);
    }

    /** Waits until every live node has applied the leader's commit index and all digests are equal. */
    private void awaitConverged(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            long commit = -1;
            for (Node n : nodes.values()) {
                if (!n.killed) {
                    Map<String, Object> st = client.get(n.http(), "/status").json();
                    if ("Leader".equals(st.get("state"))) {
                        commit = (Long) st.get("commit_index");
                    }
                }
            }
            Set<String> digests = ConcurrentHashMap.newKeySet();
            boolean caughtUp = commit > 0;
            for (Node n : nodes.values()) {
                if (n.killed) {
                    continue;
                }
                Map<String, Object> st = client.get(n.http(), "/status").json();
                caughtUp &= (Long) st.get("applied_index") >= commit;
                digests.add(String.valueOf(client.get(n.http(), "/fsm").json().get("sha256")));
            }
            if (caughtUp && digests.size() == 1) {
                return;
            }
            last = "commit " + commit + ", digests " + digests;
            Thread.sleep(100);
        }
        throw new IOException("nodes did not converge within " + timeout + " (" + last + ")");
    }

    /** Reads every key; returns {found with the right value, missing or wrong}. */
    private long[] verify(Node leader, Map<String, String> acked) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong bad = new AtomicLong();
        List<String> keys = new ArrayList<>(acked.keySet());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int part = t;
                parts.add(pool.submit(() -> {
                    for (int i = part; i < keys.size(); i += 8) {
                        String k = keys.get(i);
                        KvClient.Answer a = client.read(leader.http(), k);
                        if (a.status() == 200 && Objects.equals(a.text("value"), acked.get(k))) {
                            ok.incrementAndGet();
                        } else {
                            bad.incrementAndGet();
                            out.println("  missing or wrong: " + k + " -> " + a.status() + " " + a.body().strip());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return new long[] {ok.get(), bad.get()};
    }

    /** Prints a live progress line until {@code duration} passed or {@code done} holds. */
    private void progressFor(Writers w, Duration duration, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        long lastCount = w.acked.size();
        long lastTime = System.nanoTime();
        long lastPrint = 0;
        while (System.nanoTime() < end && (done == null || !done.getAsBoolean())) {
            Thread.sleep(200);
            long now = System.nanoTime();
            long count = w.acked.size();
            double rate = (count - lastCount) / ((now - lastTime) / 1e9);
            lastCount = count;
            lastTime = now;
            Node l = w.leader.get();
            String line = String.format("        acknowledged %6d  |  %6.0f ops/s  |  %s", count, rate,
                    l == null ? "looking for the leader" : "leader " + l.id);
            if (tty) {
                out.print("\r" + line + "   ");
                out.flush();
            } else if (now - lastPrint > TimeUnit.SECONDS.toNanos(1)) {
                out.println(line);
                lastPrint = now;
            }
        }
    }

    private void endProgress() {
        if (tty) {
            out.println();
        }
    }

    /** Clients writing distinct keys to whichever node leads, following the 503 leader hints. */
    private final class Writers {
        final Map<String, String> acked = new ConcurrentHashMap<>();
        final Map<String, Boolean> unknown = new ConcurrentHashMap<>();
        final AtomicReference<Node> leader = new AtomicReference<>();
        final AtomicLong next = new AtomicLong();
        final AtomicLong firstAckAfterKill = new AtomicLong();
        volatile long killTime = Long.MAX_VALUE;
        volatile boolean stop;
        final List<Thread> threads = new ArrayList<>();

        Writers(Node initial) {
            leader.set(initial);
        }

        void start() {
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(this::loop, "demo-writer-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        long firstAckAfter(long killedAt) {
            killTime = killedAt;
            return firstAckAfterKill.get();
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        private void loop() {
            String key = null;
            String value = null;
            while (!stop) {
                if (key == null) {
                    long n = next.incrementAndGet();
                    key = String.format("demo/%07d", n);
                    value = "value-" + n + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
                }
                Node l = leader.get();
                if (l == null || l.killed) {
                    findLeader();
                    pause();
                    continue;
                }
                try {
                    KvClient.Answer a = client.put(l.http(), key, value);
                    if (a.status() == 200) {
                        acked.put(key, value);
                        long now = System.nanoTime();
                        if (now > killTime) {
                            firstAckAfterKill.compareAndSet(0, now);
                        }
                        key = null;
                        continue;
                    }
                    String error = String.valueOf(a.json().get("error"));
                    if (!error.equals("node is not the leader") && !error.endsWith("; not applied")) {
                        unknown.put(key, Boolean.TRUE); // maybe applied: never reuse the key
                        key = null;
                    }
                    follow(String.valueOf(a.json().get("leader_addr")));
                } catch (IOException | RuntimeException e) {
                    // The node died or did not answer: the request may or may not have reached it.
                    unknown.put(key, Boolean.TRUE);
                    key = null;
                    leader.compareAndSet(l, null);
                }
                pause();
            }
        }

        private void follow(String raftAddr) {
            for (Node n : nodes.values()) {
                if (!n.killed && n.process != null && raftAddr.equals(n.process.raftAddr())) {
                    leader.set(n);
                    return;
                }
            }
            leader.set(null);
        }

        private void findLeader() {
            for (Node n : nodes.values()) {
                if (n.killed || n.process == null) {
                    continue;
                }
                try {
                    Map<String, Object> st = client.get(n.http(), "/status").json();
                    if ("Leader".equals(st.get("state"))) {
                        leader.set(n);
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    // try the next one
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(20); // back off after a failed write; the cluster is electing a leader
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------

    private synchronized List<String> stopAll() {
        List<String> stopped = new ArrayList<>();
        for (Node n : nodes.values()) {
            if (n.process != null && n.process.isAlive()) {
                int code = n.process.terminate(Duration.ofSeconds(10));
                stopped.add(n.id + " (SIGTERM, exit " + code + ")");
            }
        }
        return stopped;
    }

    private void say(String message) {
        out.printf("[%5.1fs] %s%n", elapsed(), message);
    }

    private double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
