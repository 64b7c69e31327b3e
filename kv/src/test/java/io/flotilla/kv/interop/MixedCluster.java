package io.flotilla.kv.interop;

import io.flotilla.raft.internal.FileTrees;
import io.flotilla.kv.KvFsm;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Starts Go nodes (gopeer processes) and Flotilla nodes (in this JVM) that form one TCP raft cluster, waits for
 * cluster conditions with deadlines, and tears everything down after each test. Register it with
 * {@code @RegisterExtension}. When a test fails, the state of every node and the tail of every Go node's log are
 * attached to the failure; the full logs stay in {@code target/interop/<class>/<test>/}.
 */
final class MixedCluster implements BeforeEachCallback, AfterEachCallback {
    /** Long enough for an election on a loaded 2-core machine, short enough to fail fast. */
    static final Duration WAIT = Duration.ofSeconds(20);

    static {
        // Java node logs (slf4j-simple, in target/surefire-reports/*-output.txt) with wall-clock times, to line
        // them up with the Go logs. Takes effect only if no test in this JVM has logged yet.
        System.setProperty("org.slf4j.simpleLogger.showDateTime",
                System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"));
    }

    private volatile Settings settings;
    private final List<KvNode> nodes = new CopyOnWriteArrayList<>();
    private Path binary;
    private Path dir;

    MixedCluster(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    /** Changes the settings for the nodes started from now on (e.g. per parameter of a parameterized test). */
    void use(Settings newSettings) {
        if (!nodes.isEmpty()) {
            throw new IllegalStateException("nodes already started with " + settings);
        }
        settings = newSettings;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        GoPeer.Result go = GoPeer.locate();
        assumeTrue(go.available(), () -> "interop tests need the gopeer binary: " + go.unavailableReason());
        binary = go.binary();
        System.err.println(java.time.Instant.now() + " ===== " + context.getDisplayName() + " =====");
        String method = context.getRequiredTestMethod().getName();
        // Parameterized invocations share a method: keep their logs apart by the invocation's display name.
        String invocation = context.getUniqueId().contains("test-template-invocation")
                ? "-" + context.getDisplayName().replaceAll("[^A-Za-z0-9._-]+", "_") : "";
        dir = Path.of("target", "interop", context.getRequiredTestClass().getSimpleName(), method + invocation);
        FileTrees.deleteRecursively(dir);
        Files.createDirectories(dir);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getExecutionException().ifPresent(e -> e.addSuppressed(new Diagnostics(diagnostics())));
        List<RuntimeException> failures = new ArrayList<>();
        // Start every Java node's shutdown at once (each takes a while); the loop below waits for them.
        for (KvNode n : nodes) {
            if (n instanceof JavaNode j && j.alive() && j.raft() != null) {
                j.raft().shutdown();
            }
        }
        // Java nodes first: a Go node killed under a Java follower only makes it log connection errors.
        for (KvNode n : nodes.stream().sorted(Comparator.comparing(KvNode::kind).reversed()).toList()) {
            try {
                if (n.alive()) {
                    n.kill();
                }
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        nodes.clear();
        System.err.println(java.time.Instant.now() + " ===== torn down =====");
        if (!failures.isEmpty() && context.getExecutionException().isEmpty()) {
            throw failures.get(0);
        }
    }

    /** Failure context: not a stack trace, just what every node looked like. */
    static final class Diagnostics extends RuntimeException {
        Diagnostics(String text) {
            super(text, null, false, false);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Starting nodes

    /** A Go node with no configuration: it waits to be added by a leader. */
    GoNode go(String name) {
        return startGo(name, false);
    }

    /** A Go node bootstrapped as the only voter: it elects itself. */
    GoNode goAlone(String name) {
        return startGo(name, true);
    }

    private GoNode startGo(String name, boolean bootstrapAlone) {
        if (!settings.idsAreAddresses()) {
            return startGo(name, "127.0.0.1:0", bootstrapAlone, null);
        }
        try {
            String address = "127.0.0.1:" + freePort();
            return startGo(name, address, address, bootstrapAlone, null, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Java node with no configuration: it waits to be added by a leader. */
    JavaNode java(String id) {
        try {
            return created(id).start(Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Java node bootstrapped as the only voter: it elects itself. */
    JavaNode javaAlone(String id) {
        try {
            JavaNode n = created(id);
            return n.start(Optional.of(Configuration.of(n.asVoter())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Go and Java nodes all bootstrapped with the same configuration (every one of them a voter), the way
     * hashicorp recommends: any of them may win the first election. Returns the nodes by name.
     */
    Map<String, KvNode> bootstrapped(List<String> goNames, List<String> javaNames) {
        return bootstrapped(goNames, javaNames, false, null);
    }

    /**
     * Go and Java nodes, all voters in one configuration.
     *
     * @param durableGo    give the Go nodes data directories (so they can restart)
     * @param bootstrapper the only node to bootstrap (with everyone's configuration), so the only one that can
     *                     campaign at first (servers without a configuration never do); {@code null}: all of them
     * @return the nodes by name; with protocol versions below 3 their ids are their addresses
     */
    Map<String, KvNode> bootstrapped(List<String> goNames, List<String> javaNames, boolean durableGo,
                                     String bootstrapper) {
        try {
            Map<String, String> goAddresses = new LinkedHashMap<>();
            for (String name : goNames) {
                goAddresses.put(name, "127.0.0.1:" + freePort());
            }
            Map<String, JavaNode> javas = new LinkedHashMap<>();
            for (String name : javaNames) {
                javas.put(name, created(name));
            }
            List<Server> servers = new ArrayList<>();
            goAddresses.forEach((name, addr) -> servers.add(Server.voter(goId(name, addr), addr)));
            javas.values().forEach(j -> servers.add(j.asVoter()));
            Configuration configuration = new Configuration(servers);
            String peers = servers.stream().map(s -> s.id().value() + "=" + s.address().value())
                    .collect(Collectors.joining(","));
            Map<String, KvNode> out = new LinkedHashMap<>();
            for (var e : goAddresses.entrySet()) {
                boolean bootstrap = bootstrapper == null || bootstrapper.equals(e.getKey());
                out.put(e.getKey(), startGo(e.getKey(), goId(e.getKey(), e.getValue()), e.getValue(), bootstrap,
                        peers, durableGo));
            }
            for (var e : javas.entrySet()) {
                boolean bootstrap = bootstrapper == null || bootstrapper.equals(e.getKey());
                out.put(e.getKey(), e.getValue().start(bootstrap ? Optional.of(configuration) : Optional.empty()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String goId(String name, String address) {
        return settings.idsAreAddresses() ? address : name;
    }

    private JavaNode created(String name) throws IOException {
        JavaNode n = JavaNode.create(name, settings, dir.resolve("java-snapshots"));
        nodes.add(n);
        return n;
    }

    private GoNode startGo(String id, String raftAddress, boolean bootstrap, String peers) {
        return startGo(id, id, raftAddress, bootstrap, peers, false);
    }

    private GoNode startGo(String name, String id, String raftAddress, boolean bootstrap, String peers,
                           boolean durable) {
        try {
            GoNode n = GoNode.start(binary, id, raftAddress, bootstrap, peers, settings,
                    durable ? dir.resolve("go-data").resolve(name) : null, dir.resolve(name + ".log"));
            nodes.add(n);
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        // A small window in which someone else may take it; Java nodes bind to port 0 and never race.
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Waiting for the cluster

    /**
     * Waits until exactly one of {@code among} leads and every other one of them follows it (knows its address).
     */
    KvNode awaitLeader(Collection<? extends KvNode> among) {
        KvNode[] leader = new KvNode[1];
        Poll.until(WAIT, "one leader among " + among + " that all of them follow", this::diagnostics, () -> {
            List<KvNode> leaders = new ArrayList<>();
            for (KvNode n : among) {
                if (n.isLeader()) {
                    leaders.add(n);
                }
            }
            if (leaders.size() != 1) {
                return false;
            }
            for (KvNode n : among) {
                if (!n.leaderAddress().equals(leaders.get(0).raftAddress())) {
                    return false;
                }
            }
            leader[0] = leaders.get(0);
            return true;
        });
        return leader[0];
    }

    /** Waits until {@code expected} leads and every other one of {@code among} follows it. */
    void awaitLeader(KvNode expected, Collection<? extends KvNode> among) {
        Poll.until(WAIT, expected + " leading " + among, this::diagnostics, () -> {
            if (!expected.isLeader()) {
                return false;
            }
            for (KvNode n : among) {
                if (n != expected && (n.isLeader() || !n.leaderAddress().equals(expected.raftAddress()))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Waits for a first leader among {@code all}, then hands leadership to {@code wanted} if another one won. */
    void makeLeader(KvNode wanted, List<? extends KvNode> all) {
        KvNode first = awaitLeader(all);
        if (first != wanted) {
            first.transferLeadershipTo(wanted);
        }
        awaitLeader(wanted, all);
    }

    /**
     * Waits until every one of {@code members} has applied the command at {@code index} (its FSM index is at
     * least that) and all hold the same state, then returns that state's digest.
     */
    KvFsm.Digest awaitConverged(Collection<? extends KvNode> members, long index) {
        KvFsm.Digest[] result = new KvFsm.Digest[1];
        Poll.until(WAIT, "every one of " + members + " to apply index " + index + " and hold the same state",
                () -> digests(members) + "\n" + dumpsIfSmall(members) + "\n" + diagnostics(), () -> {
                    KvFsm.Digest first = null;
                    for (KvNode n : members) {
                        KvFsm.Digest d = n.digest();
                        if (d.appliedIndex() < index) {
                            return false;
                        }
                        if (first == null) {
                            first = d;
                        } else if (!first.sha256().equals(d.sha256()) || first.keys() != d.keys()) {
                            return false;
                        }
                    }
                    result[0] = first;
                    return true;
                });
        return result[0];
    }

    /** Waits until {@code node}'s configuration is exactly {@code ids} (order aside). */
    void awaitConfiguration(KvNode node, Collection<String> ids) {
        Poll.until(WAIT, node + " to have the configuration " + ids, this::diagnostics, () -> {
            List<String> have = node.configuration().stream().map(s -> s.substring(0, s.indexOf('='))).sorted()
                    .toList();
            return have.equals(ids.stream().sorted().toList());
        });
    }

    private static String digests(Collection<? extends KvNode> members) {
        StringBuilder sb = new StringBuilder("digests:");
        for (KvNode n : members) {
            String d;
            try {
                d = n.alive() ? n.digest().toString() : "dead";
            } catch (RuntimeException e) {
                d = e.getMessage();
            }
            sb.append("\n  ").append(n).append(": ").append(d);
        }
        return sb.toString();
    }

    private static String dumpsIfSmall(Collection<? extends KvNode> members) {
        StringBuilder sb = new StringBuilder("states:");
        for (KvNode n : members) {
            String d;
            try {
                d = n.alive() ? n.dump() : "dead";
            } catch (RuntimeException e) {
                d = e.getMessage();
            }
            if (d.length() > 4000) {
                d = d.substring(0, 4000) + "...";
            }
            sb.append("\n  ").append(n).append(": ").append(d);
        }
        return sb.toString();
    }

    String diagnostics() {
        StringBuilder sb = new StringBuilder("nodes:");
        for (KvNode n : nodes) {
            sb.append("\n  ").append(n.describe());
        }
        for (KvNode n : nodes) {
            if (n instanceof GoNode g) {
                sb.append("\n--- last lines of ").append(g.log()).append(" ---\n").append(GoPeer.tail(g.log(), 40));
            }
        }
        sb.append("\n(full Go logs in ").append(dir == null ? "?" : dir.toAbsolutePath())
                .append("; Java logs in target/surefire-reports/*-output.txt)");
        return sb.toString();
    }
}
