package io.flotilla.kv;

import io.flotilla.raft.CantBootstrapException;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.Server;
import io.flotilla.raft.rocksdb.RocksDbStore;
import io.flotilla.raft.snapshot.DiscardSnapshotStore;
import io.flotilla.raft.snapshot.FileSnapshotStore;
import io.flotilla.raft.snapshot.InmemSnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogCache;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;
import io.flotilla.raft.transport.net.NetworkTransport;
import io.flotilla.raft.transport.net.NetworkTransportConfig;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One node of the key-value service: the {@link KvFsm}, its stores, the TCP transport, the {@link Raft} node and
 * the HTTP API, started together and shut down together. With a data directory the state is durable —
 * {@code DIR/raft/} holds the RocksDB log and stable store (every write batch synced), {@code DIR/snapshots/}
 * the file snapshots (the newest two kept, as the Go node keeps) — and a restart resumes it; without one,
 * everything is in memory.
 */
public final class KvNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvNode.class);

    /**
     * What a node is started with: the {@code serve} flags.
     *
     * @param id               the server id
     * @param raftAddr         where the TCP transport listens ({@code host:port}, port 0 picks one)
     * @param httpAddr         where the HTTP API listens
     * @param dataDir          the data directory, or empty for in-memory state
     * @param store            {@code auto}, {@code inmem} or {@code rocksdb} ({@code bolt} is taken as rocksdb)
     * @param snapshotStore    {@code auto}, {@code inmem}, {@code file} or {@code discard}
     * @param bootstrap        whether to bootstrap (skipped when the stores hold state)
     * @param peers            the bootstrap configuration; empty for this node alone
     * @param raft             the Raft settings, without the local id (it is set from {@code id})
     * @param requestTimeout   how long an HTTP call waits for Raft
     * @param maxPool          idle connections kept per peer
     * @param transportTimeout the transport's I/O deadline
     * @param logCache         entries kept in a log cache in front of the store, 0 for none
     */
    public record Options(String id, String raftAddr, String httpAddr, Optional<Path> dataDir, String store,
                          String snapshotStore, boolean bootstrap, Configuration peers, RaftConfig raft,
                          Duration requestTimeout, int maxPool, Duration transportTimeout, int logCache) {
    }

    private final List<AutoCloseable> resources;
    private final Raft raft;
    private final KvFsm fsm;
    private final KvHttpServer http;
    private final String storeKind;
    private final String snapshotKind;
    private boolean closed;

    private KvNode(List<AutoCloseable> resources, Raft raft, KvFsm fsm, KvHttpServer http, String storeKind,
                   String snapshotKind) {
        this.resources = resources;
        this.raft = raft;
        this.fsm = fsm;
        this.http = http;
        this.storeKind = storeKind;
        this.snapshotKind = snapshotKind;
    }

    /** Thrown for settings that cannot work, before anything was started (the CLI exits with code 2). */
    public static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Opens the stores, bootstraps if asked and possible, starts Raft and the HTTP listener.
     *
     * @param onShutdownRequest run after {@code POST /shutdown} was answered
     * @throws UsageException for settings that cannot work
     * @throws IOException    if a store, the transport or the listener cannot be opened
     */
    public static KvNode start(Options o, Runnable onShutdownRequest) throws UsageException, IOException {
        RaftConfig config;
        try {
            config = o.raft().toBuilder().localId(o.id()).build().validate();
        } catch (IllegalArgumentException e) {
            throw new UsageException("config: " + e.getMessage());
        }
        String storeKind = switch (o.store()) {
            case "auto", "" -> o.dataDir().isPresent() ? "rocksdb" : "inmem";
            case "inmem" -> "inmem";
            case "rocksdb", "bolt" -> "rocksdb";
            default -> throw new UsageException("unknown store " + GoQuote.quote(o.store()) + " (auto|inmem|rocksdb)");
        };
        if (storeKind.equals("rocksdb") && o.dataDir().isEmpty()) {
            throw new UsageException("--store " + o.store() + " needs --data-dir");
        }
        String snapKind = switch (o.snapshotStore()) {
            case "auto", "" -> storeKind.equals("rocksdb") ? "file" : "inmem";
            case "inmem", "file", "discard" -> o.snapshotStore();
            default -> throw new UsageException("unknown snapshot store " + GoQuote.quote(o.snapshotStore())
                    + " (auto|inmem|file|discard)");
        };
        if (snapKind.equals("file") && o.dataDir().isEmpty()) {
            throw new UsageException("--snapshot-store file needs --data-dir");
        }
        InetSocketAddress httpBind;
        try {
            httpBind = socketAddress(o.httpAddr());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--http-addr: " + e.getMessage());
        }
        try {
            GoNet.checkHostPort(o.raftAddr());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--raft-addr: " + e.getMessage());
        }

        // Closed in reverse order on failure or shutdown; Raft closes the transport itself.
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            LogStore logs;
            StableStore stable;
            if (storeKind.equals("rocksdb")) {
                Path dir = o.dataDir().get();
                RocksDbStore rocks;
                try {
                    Files.createDirectories(dir);
                    rocks = RocksDbStore.open(dir.resolve("raft"));
                } catch (IOException e) {
                    throw new IOException("stores: " + e.getMessage(), e);
                }
                resources.add(rocks);
                logs = rocks;
                stable = rocks;
            } else {
                InmemStore mem = new InmemStore();
                logs = mem;
                stable = mem;
            }
            if (o.logCache() > 0) {
                logs = new LogCache(o.logCache(), logs);
            }
            SnapshotStore snaps;
            try {
                snaps = switch (snapKind) {
                    case "file" -> new FileSnapshotStore(o.dataDir().get(), 2);
                    case "discard" -> new DiscardSnapshotStore();
                    default -> new InmemSnapshotStore();
                };
            } catch (IOException e) {
                throw new IOException("snapshot store: " + e.getMessage(), e);
            }
            NetworkTransport transport;
            try {
                transport = NetworkTransport.tcp(o.raftAddr(), Optional.empty(), NetworkTransportConfig.builder()
                        .maxPool(o.maxPool()).timeout(o.transportTimeout()).build());
            } catch (IOException e) {
                throw new IOException("transport: " + o.raftAddr() + ": " + e.getMessage(), e);
            }
            resources.add(transport);

            if (o.bootstrap()) {
                Configuration boot = o.peers().isEmpty()
                        ? Configuration.of(Server.voter(o.id(), transport.localAddress().value()))
                        : o.peers();
                try {
                    Raft.bootstrapCluster(config, logs, stable, snaps, transport, boot);
                    log.info("bootstrapped configuration={}", boot);
                } catch (CantBootstrapException e) {
                    log.info("bootstrap skipped: existing state");
                } catch (IllegalArgumentException | io.flotilla.raft.ConfigurationException e) {
                    throw new IOException("bootstrap: " + e.getMessage(), e);
                }
            } else if (!o.peers().isEmpty()) {
                log.info("--peers is only used with --bootstrap; ignoring it");
            }

            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            KvFsm fsm = new KvFsm();
            Raft raft;
            try {
                raft = Raft.builder(config).fsm(fsm).logStore(logs).stableStore(stable).snapshotStore(snaps)
                        .transport(transport).meterRegistry(registry).start();
            } catch (IOException e) {
                throw new IOException("raft: " + e.getMessage(), e);
            }
            resources.add(() -> raft.shutdown().get(10, TimeUnit.SECONDS));
            KvHttpServer http;
            try {
                http = new KvHttpServer(httpBind, raft, fsm, o.requestTimeout(), registry, onShutdownRequest);
            } catch (IOException e) {
                throw new IOException("http listen: " + o.httpAddr() + ": " + e.getMessage(), e);
            }
            resources.add(http);
            log.info("node started id={} raft_addr={} http_addr={} store={} snapshot_store={} data_dir={}", o.id(),
                    transport.localAddress().value(), format(http.address()), storeKind, snapKind,
                    o.dataDir().map(Path::toString).orElse(""));
            return new KvNode(resources, raft, fsm, http, storeKind, snapKind);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** The Raft node. */
    public Raft raft() {
        return raft;
    }

    /** The state machine. */
    public KvFsm fsm() {
        return fsm;
    }

    /** The Raft address as advertised ({@code host:port}, the real port). */
    public String raftAddress() {
        return raft.localAddress().value();
    }

    /** The HTTP address ({@code host:port}, the real port), formatted as Go formats a listener's address. */
    public String httpAddress() {
        return format(http.address());
    }

    /** {@code rocksdb} or {@code inmem}. */
    public String storeKind() {
        return storeKind;
    }

    /** {@code file}, {@code inmem} or {@code discard}. */
    public String snapshotKind() {
        return snapshotKind;
    }

    /**
     * Shuts down like the Go node: the HTTP listener stops accepting while Raft shuts down, so calls in flight
     * are answered ("outcome unknown") within two seconds; then the stores close. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread stopHttp = new Thread(http::stop, "kv-http-stop");
        stopHttp.start();
        try {
            raft.shutdown().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.error("raft shutdown: {}", e.toString());
        }
        try {
            stopHttp.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll(resources);
        log.info("node stopped");
    }

    private static void closeAll(List<AutoCloseable> resources) {
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing {}: {}", r, e.toString());
            }
        }
    }

    /** {@code host:port} to a bind address; an empty host means every interface, as in Go. */
    static InetSocketAddress socketAddress(String hostport) {
        GoNet.checkHostPort(hostport);
        int colon = hostport.lastIndexOf(':');
        String host = hostport.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostport.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address " + hostport + ": invalid port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address " + hostport + ": invalid port");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** A socket address as Go prints one: {@code 127.0.0.1:8001}, {@code [::1]:8001}. */
    static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip instanceof Inet6Address) {
            return "[" + compressIpv6(ip.getAddress()) + "]:" + a.getPort();
        }
        return ip.getHostAddress() + ":" + a.getPort();
    }

    /** RFC 5952 text of an IPv6 address, as Go's {@code net.IP.String} writes it. */
    static String compressIpv6(byte[] b) {
        int[] f = new int[8];
        for (int i = 0; i < 8; i++) {
            f[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (f[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && f[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(f[i]));
        }
        return sb.toString();
    }
}
