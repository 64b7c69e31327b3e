package io.flotilla.kv.e2e;

import io.flotilla.raft.internal.FileTrees;
import io.flotilla.kv.KvClient;
import io.flotilla.kv.KvProcess;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Real {@code serve} processes (Java, or the Go reference node) in a temporary directory, for one test: started,
 * killed with SIGKILL, restarted with the same flags, and always cleaned up — processes killed and the directory
 * removed after the test, with the nodes' logs printed when it failed. Register it with
 * {@code @RegisterExtension}.
 */
final class TestCluster implements AfterEachCallback {
    /** Raft timings for tests: quick elections, yet slack enough for a busy 2-core machine. */
    static final List<String> FAST = List.of("--heartbeat-timeout", "500ms", "--election-timeout", "500ms",
            "--leader-lease-timeout", "250ms", "--commit-timeout", "20ms");

    static final Duration READY = Duration.ofSeconds(60);
    static final Duration WAIT = Duration.ofSeconds(30);

    final KvClient client = new KvClient(Duration.ofSeconds(15));
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private Path dir;

    /** One node: its fixed Raft port and flags, and the process while it runs. */
    final class Node {
        final String id;
        final boolean go;
        final int raftPort;
        final List<String> flags;
        KvProcess process;
        volatile boolean paused;

        Node(String id, boolean go, int raftPort, List<String> flags) {
            this.id = id;
            this.go = go;
            this.raftPort = raftPort;
            this.flags = flags;
        }

        String raftAddr() {
            return "127.0.0.1:" + raftPort;
        }

        String http() {
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException(id + " is not running");
            }
            return process.httpAddr();
        }

        /** Running and not paused: it answers. */
        boolean alive() {
            return process != null && process.isAlive() && !paused;
        }

        /** SIGSTOP: the process freezes, as if cut off from the network; its sockets stay open. */
        void pause() throws Exception {
            signal("-STOP");
            paused = true;
        }

        /** SIGCONT. */
        void resume() throws Exception {
            signal("-CONT");
            paused = false;
        }

        private void signal(String sig) throws Exception {
            Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
            }
        }

        Path dataDir() {
            return dir.resolve(id);
        }

        /** Starts (or restarts, with the same flags and data directory) the node. */
        Node start() throws IOException {
            List<String> command;
            if (go) {
                command = new ArrayList<>();
                command.add(GoPeer.binary().orElseThrow().toString());
                command.add("serve");
                command.addAll(flags);
            } else {
                command = KvProcess.serveCommand(flags);
            }
            process = KvProcess.start(command, dir.resolve(id + ".log"), READY);
            return this;
        }

        /** SIGKILL. */
        void kill() {
            process.kill();
        }

        /** SIGTERM; the exit code. */
        int terminate() {
            return process.terminate(Duration.ofSeconds(20));
        }

        KvClient.Answer get(String target) throws IOException {
            return client.get(http(), target);
        }

        KvClient.Answer post(String target) throws IOException {
            return client.post(http(), target);
        }

        Map<String, Object> status() throws IOException {
            return get("/status").json();
        }

        @Override
        public String toString() {
            return id + (go ? " (Go)" : "");
        }
    }

    private Path dir() throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("flotilla-e2e-");
        }
        return dir;
    }

    /**
     * Declares a node (not started): {@code --id}, a free fixed {@code --raft-addr} (restarts need it),
     * {@code --http-addr} port 0, {@code --data-dir} when durable, then {@code flags}.
     */
    Node node(String id, boolean go, boolean durable, List<String> flags) throws IOException {
        int port = freePort();
        List<String> all = new ArrayList<>(List.of("--id", id, "--raft-addr", "127.0.0.1:" + port,
                "--http-addr", "127.0.0.1:0"));
        if (durable) {
            all.add("--data-dir");
            all.add(dir().resolve(id).toString());
        } else {
            dir();
        }
        all.addAll(flags);
        Node n = new Node(id, go, port, all);
        nodes.put(id, n);
        return n;
    }

    /** {@code id=127.0.0.1:port,...} for these nodes. */
    static String peers(Node... ns) {
        StringBuilder sb = new StringBuilder();
        for (Node n : ns) {
            sb.append(sb.length() == 0 ? "" : ",").append(n.id).append('=').append(n.raftAddr());
        }
        return sb.toString();
    }

    Node node(String id) {
        return nodes.get(id);
    }

    List<Node> alive() {
        return nodes.values().stream().filter(Node::alive).toList();
    }

    /** Waits until a running node says it leads, and returns it. */
    Node awaitLeader() throws Exception {
        Node[] found = new Node[1];
        await("a leader", () -> {
            for (Node n : alive()) {
                try {
                    if ("Leader".equals(n.status().get("state"))) {
                        found[0] = n;
                        return true;
                    }
                } catch (IOException | RuntimeException e) {
                    // not answering (yet)
                }
            }
            return false;
        });
        return found[0];
    }

    /**
     * Sets a key through the leader, following 503 leader hints and retrying after unknown outcomes (the same
     * value again, so a maybe-applied first try does no harm), until acknowledged. Returns the entry's index.
     */
    long write(String key, String value) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        Node target = null;
        while (System.nanoTime() < deadline) {
            if (target == null || !target.alive()) {
                target = awaitLeader();
            }
            try {
                KvClient.Answer a = client.put(target.http(), key, value);
                if (a.status() == 200) {
                    return a.number("index");
                }
                last = a.status() + " " + a.body().strip();
                String hint = String.valueOf(a.json().get("leader_addr"));
                target = nodes.values().stream().filter(n -> n.alive() && n.raftAddr().equals(hint)).findFirst()
                        .orElse(null);
            } catch (IOException e) {
                last = e.toString();
                target = null;
            }
            Thread.sleep(20); // an election is under way; poll again shortly
        }
        throw new AssertionError("write " + key + " not acknowledged within " + WAIT + ": " + last);
    }

    /**
     * Waits until every running node's FSM has applied {@code index} (its {@code /fsm} {@code applied_index})
     * and all report the same SHA-256; returns that digest.
     */
    String awaitConverged(long index) throws Exception {
        String[] digest = new String[1];
        String[] seen = {""};
        await("all nodes at index " + index + " with one digest", () -> {
            Set<String> digests = new HashSet<>();
            StringBuilder sb = new StringBuilder();
            for (Node n : alive()) {
                try {
                    Map<String, Object> fsm = n.get("/fsm").json();
                    sb.append(n.id).append('=').append(fsm.get("applied_index")).append('/')
                            .append(String.valueOf(fsm.get("sha256")), 0, 8).append(' ');
                    if ((Long) fsm.get("applied_index") < index) {
                        seen[0] = sb.toString();
                        return false;
                    }
                    digests.add((String) fsm.get("sha256"));
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            }
            seen[0] = sb.toString();
            if (digests.size() == 1) {
                digest[0] = digests.iterator().next();
                return true;
            }
            return false;
        }, () -> seen[0]);
        return digest[0];
    }

    /** Polls {@code condition} every 50 ms until it holds, failing after {@link #WAIT}. */
    static void await(String what, BooleanSupplierWithException condition) throws Exception {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplierWithException condition, java.util.function.Supplier<String> detail)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " " + detail.get());
            }
            Thread.sleep(50);
        }
    }

    /** A condition that may throw. */
    interface BooleanSupplierWithException {
        boolean getAsBoolean() throws Exception;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Kills every process, prints the logs if the test failed, and removes the directory. */
    @Override
    public void afterEach(ExtensionContext context) {
        for (Node n : nodes.values()) {
            if (n.process != null) {
                n.process.close(); // SIGKILL ends a stopped process too
            }
        }
        if (context.getExecutionException().isPresent()) {
            for (Node n : nodes.values()) {
                if (n.process != null) {
                    System.err.println(n.process.logTail(60));
                }
            }
        }
        if (dir != null) {
            FileTrees.deleteQuietly(dir);
        }
        nodes.clear();
        dir = null;
    }
}
