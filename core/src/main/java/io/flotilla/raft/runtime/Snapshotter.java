package io.flotilla.raft.runtime;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.NothingNewToSnapshotException;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.SnapshotVersion;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.EngineStatus;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.internal.RandomTimeouts;
import io.flotilla.raft.snapshot.SnapshotSink;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.storage.LogStore;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The snapshot thread (hashicorp's {@code runSnapshots}): every randomized {@code SnapshotInterval} it checks
 * whether enough entries accumulated since the last snapshot, and it serves user snapshot requests. A snapshot
 * captures the FSM on its thread, persists it here while applies continue, then tells the engine, which
 * compacts the log.
 */
final class Snapshotter implements AutoCloseable {
    private static final CompletableFuture<String> STOP = new CompletableFuture<>();

    private final FsmApplier applier;
    private final SnapshotStore store;
    private final LogStore logStore;
    private final PeerCodec peers;
    private final Supplier<EngineStatus> status;
    private final Consumer<Input> engineInput;
    private final EngineMetrics metrics;
    private final Logger log;
    private final Duration interval;
    private final long threshold;
    private final RandomGenerator random;
    private final LinkedBlockingQueue<CompletableFuture<String>> requests = new LinkedBlockingQueue<>();
    private final Thread thread;

    Snapshotter(FsmApplier applier, SnapshotStore store, LogStore logStore, PeerCodec peers,
                Supplier<EngineStatus> status, Consumer<Input> engineInput, EngineMetrics metrics, Logger log,
                Duration interval, long threshold, RandomGenerator random, String threadName) {
        this.applier = applier;
        this.store = store;
        this.logStore = logStore;
        this.peers = peers;
        this.status = status;
        this.engineInput = engineInput;
        this.metrics = metrics;
        this.log = log;
        this.interval = interval;
        this.threshold = threshold;
        this.random = random;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Takes a snapshot now; completes with its id. */
    CompletableFuture<String> request() {
        CompletableFuture<String> f = new CompletableFuture<>();
        requests.add(f);
        return f;
    }

    private void run() {
        try {
            while (true) {
                long wait = RandomTimeouts.randomTimeout(interval, random).toNanos();
                CompletableFuture<String> user = requests.poll(wait, TimeUnit.NANOSECONDS);
                if (user == STOP) {
                    return;
                }
                if (user != null) {
                    try {
                        user.complete(takeSnapshot());
                    } catch (RaftException e) {
                        user.completeExceptionally(e);
                    }
                } else if (shouldSnapshot()) {
                    try {
                        takeSnapshot();
                    } catch (RaftException e) {
                        log.error("failed to take snapshot error={}", e.getMessage());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            CompletableFuture<String> f;
            while ((f = requests.poll()) != null) {
                f.completeExceptionally(new RaftShutdownException());
            }
        }
    }

    /**
     * Whether enough entries accumulated. Unlike hashicorp's unsigned subtraction, a log that ends before the
     * snapshot (after a restore) never looks like a huge backlog.
     */
    private boolean shouldSnapshot() {
        long lastSnapshot = status.get().snapshotIndex();
        long lastIndex;
        try {
            lastIndex = logStore.lastIndex();
        } catch (Exception e) {
            log.error("failed to get last log index error={}", e.toString());
            return false;
        }
        return lastIndex > lastSnapshot && lastIndex - lastSnapshot >= threshold;
    }

    private String takeSnapshot() {
        long started = System.nanoTime();
        FsmApplier.Captured captured;
        try {
            captured = applier.capture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RaftException re) {
                throw re;
            }
            throw new RaftException("failed to start snapshot: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RaftShutdownException();
        }
        try {
            EngineStatus s = status.get();
            if (captured.index() <= s.snapshotIndex()) {
                throw new NothingNewToSnapshotException();
            }
            long committedIndex = s.configurations().committedIndex();
            Configuration committed = s.configurations().committed();
            if (captured.index() < committedIndex) {
                throw new RaftException("cannot take snapshot now, wait until the configuration entry at "
                        + committedIndex + " has been applied (have applied " + captured.index() + ")");
            }
            long createStarted = System.nanoTime();
            SnapshotSink sink;
            try {
                sink = store.create(SnapshotVersion.MAX, captured.index(), captured.term(), committed,
                        committedIndex, peers);
            } catch (Exception e) {
                throw new RaftException("failed to create snapshot: " + e.getMessage(), e);
            }
            metrics.recordNanos("raft.snapshot.create", System.nanoTime() - createStarted);
            long persistStarted = System.nanoTime();
            try {
                captured.snapshot().persist(sink);
            } catch (Exception e) {
                try {
                    sink.cancel();
                } catch (Exception ignored) {
                    // the persist failure is what matters
                }
                throw new RaftException("failed to persist snapshot: " + e.getMessage(), e);
            }
            metrics.recordNanos("raft.snapshot.persist", System.nanoTime() - persistStarted);
            try {
                sink.close();
            } catch (Exception e) {
                throw new RaftException("failed to close snapshot: " + e.getMessage(), e);
            }
            log.info("snapshot complete up to index={}", captured.index());
            engineInput.accept(new Input.SnapshotTaken(captured.index(), captured.term()));
            metrics.recordNanos("raft.snapshot.takeSnapshot", System.nanoTime() - started);
            return sink.id();
        } finally {
            captured.snapshot().release();
        }
    }

    @Override
    public void close() {
        requests.add(STOP);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
