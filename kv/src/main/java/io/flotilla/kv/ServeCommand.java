package io.flotilla.kv;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.RaftConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./flotilla serve}: runs one node of the key-value service (KV-API.md) with the Go reference node's
 * flags. Once the HTTP listener is open it prints exactly one line to stdout,
 * {@code {"event":"ready","id":"n1","raft_addr":"127.0.0.1:40123","http_addr":"127.0.0.1:40124"}}; logs go to
 * stderr. SIGTERM, SIGINT and {@code POST /shutdown} shut the node down cleanly and the process exits 0. Exit
 * code 2 means bad flags, 1 a failure to start.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
        version = "flotilla serve 0.1.0 (KV-API.md; speaks hashicorp/raft 1.1.2's TCP protocol)",
        description = "Runs one node of the replicated key-value service (KV-API.md).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = {"--id", "-id"}, required = true, description = "server ID")
    String id;

    @Option(names = {"--raft-addr", "-raft-addr"}, defaultValue = "127.0.0.1:7001",
            description = "raft TCP bind and advertised address; port 0 picks one (default: ${DEFAULT-VALUE})")
    String raftAddr;

    @Option(names = {"--http-addr", "-http-addr"}, defaultValue = "127.0.0.1:8001",
            description = "HTTP API address; port 0 picks one (default: ${DEFAULT-VALUE})")
    String httpAddr;

    @Option(names = {"--data-dir", "-data-dir"},
            description = "durable state: DIR/raft (RocksDB log and stable store) and DIR/snapshots; "
                    + "without it everything is in memory")
    Path dataDir;

    @Option(names = {"--bootstrap", "-bootstrap"}, arity = "0..1", fallbackValue = "true",
            description = "bootstrap with --peers, or this node alone; skipped when the data directory holds state")
    boolean bootstrap;

    @Option(names = {"--peers", "-peers"}, defaultValue = "",
            description = "bootstrap configuration id=host:port,id=host:port[/nonvoter],...")
    String peers;

    @Option(names = {"--heartbeat-timeout", "-heartbeat-timeout"}, defaultValue = "1s",
            converter = GoDurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
    Duration heartbeatTimeout;

    @Option(names = {"--election-timeout", "-election-timeout"}, defaultValue = "1s",
            converter = GoDurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
    Duration electionTimeout;

    @Option(names = {"--commit-timeout", "-commit-timeout"}, defaultValue = "50ms",
            converter = GoDurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
    Duration commitTimeout;

    @Option(names = {"--leader-lease-timeout", "-leader-lease-timeout"}, defaultValue = "500ms",
            converter = GoDurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
    Duration leaderLeaseTimeout;

    @Option(names = {"--snapshot-interval", "-snapshot-interval"}, defaultValue = "120s",
            converter = GoDurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
    Duration snapshotInterval;

    @Option(names = {"--snapshot-threshold", "-snapshot-threshold"}, defaultValue = "8192",
            description = "(default: ${DEFAULT-VALUE})")
    long snapshotThreshold;

    @Option(names = {"--trailing-logs", "-trailing-logs"}, defaultValue = "10240",
            description = "(default: ${DEFAULT-VALUE})")
    long trailingLogs;

    @Option(names = {"--max-append-entries", "-max-append-entries"}, defaultValue = "64",
            description = "(default: ${DEFAULT-VALUE})")
    int maxAppendEntries;

    @Option(names = {"--request-timeout", "-request-timeout"}, defaultValue = "10s",
            converter = GoDurationConverter.class,
            description = "how long an HTTP call waits for raft; ?timeout= overrides it (default: ${DEFAULT-VALUE})")
    Duration requestTimeout;

    @Option(names = {"--store", "-store"}, defaultValue = "auto",
            description = "auto (rocksdb with --data-dir, else inmem), inmem, rocksdb (bolt is taken as rocksdb)")
    String store;

    @Option(names = {"--snapshot-store", "-snapshot-store"}, defaultValue = "auto",
            description = "auto (file for rocksdb, else inmem), inmem, file, discard")
    String snapshotStore;

    @Option(names = {"--protocol-version", "-protocol-version"}, defaultValue = "3",
            description = "raft protocol version (default: ${DEFAULT-VALUE})")
    int protocolVersion;

    @Option(names = {"--max-pool", "-max-pool"}, defaultValue = "3",
            description = "transport connections kept per peer (default: ${DEFAULT-VALUE})")
    int maxPool;

    @Option(names = {"--transport-timeout", "-transport-timeout"}, defaultValue = "10s",
            converter = GoDurationConverter.class, description = "transport I/O deadline (default: ${DEFAULT-VALUE})")
    Duration transportTimeout;

    @Option(names = {"--log-cache", "-log-cache"}, defaultValue = "0",
            description = "entries cached in front of the log store; 0 = none (default: ${DEFAULT-VALUE})")
    int logCache;

    @Option(names = {"--log-level", "-log-level"}, defaultValue = "INFO",
            description = "TRACE, DEBUG, INFO, WARN, ERROR or OFF (default: ${DEFAULT-VALUE})")
    String logLevel;

    /** Set once the process is exiting on its own, so the shutdown hook knows no signal is being handled. */
    private static volatile boolean exiting;

    /** Set once the node serves: from then on a signal means a clean shutdown and exit code 0. */
    private static volatile boolean serving;

    /** Parses Go durations for picocli. */
    static final class GoDurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return GoDurations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Runs the command and exits with its code. */
    public static void main(String[] args) {
        int code;
        try {
            code = new CommandLine(new ServeCommand()).execute(args);
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        }
        exiting = true;
        System.exit(code);
    }

    @Override
    public Integer call() {
        PrintStream err = System.err;
        String level = logLevel.strip().toUpperCase(Locale.ROOT);
        switch (level) {
            case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF" -> configureLogging(level);
            default -> {
                err.println("--log-level " + GoQuote.quote(logLevel) + ": want TRACE, DEBUG, INFO, WARN, ERROR or OFF");
                return 2;
            }
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            err.println("--request-timeout must be positive");
            return 2;
        }
        Configuration boot;
        try {
            boot = PeerList.parse(peers);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        RaftConfig raftConfig = RaftConfig.builder()
                .protocolVersion(protocolVersion)
                .heartbeatTimeout(heartbeatTimeout)
                .electionTimeout(electionTimeout)
                .commitTimeout(commitTimeout)
                .leaderLeaseTimeout(leaderLeaseTimeout)
                .snapshotInterval(snapshotInterval)
                .snapshotThreshold(snapshotThreshold)
                .trailingLogs(trailingLogs)
                .maxAppendEntries(maxAppendEntries)
                .build();
        KvNode.Options options = new KvNode.Options(id, raftAddr, httpAddr, Optional.ofNullable(dataDir), store,
                snapshotStore, bootstrap, boot, raftConfig, requestTimeout, maxPool, transportTimeout, logCache);

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (exiting || !serving) {
                return; // exiting on its own, or a signal before the node served: the JVM's own exit code
            }
            // SIGTERM or SIGINT: shut down cleanly, then exit 0 (the JVM would report 143 or 130).
            stop.countDown();
            try {
                stopped.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, "kv-signal"));

        try {
            KvNode node;
            try {
                node = KvNode.start(options, stop::countDown);
            } catch (KvNode.UsageException e) {
                err.println(e.getMessage());
                return 2;
            } catch (IOException | RuntimeException e) {
                err.println(e.getMessage() == null ? e.toString() : e.getMessage());
                return 1;
            }
            String ready = new JsonObject().str("event", "ready").str("id", id).str("raft_addr", node.raftAddress())
                    .str("http_addr", node.httpAddress()).toString() + "\n";
            serving = true;
            byte[] line = ready.getBytes(StandardCharsets.UTF_8);
            System.out.write(line, 0, line.length);
            System.out.flush();
            awaitUninterruptibly(stop);
            node.close();
            return 0;
        } finally {
            stopped.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void configureLogging(String level) {
        // slf4j-simple reads these once, when the first logger is made; nothing has logged yet.
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level.toLowerCase(Locale.ROOT));
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
