package io.flotilla.raft.runtime;

import io.flotilla.raft.ApplyResult;
import io.flotilla.raft.BatchingFsm;
import io.flotilla.raft.ConfigurationStore;
import io.flotilla.raft.Fsm;
import io.flotilla.raft.FsmSnapshot;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.NothingNewToSnapshotException;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStream;
import org.slf4j.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The FSM thread (hashicorp's {@code runFSM}): applies committed entries in order — in batches to a
 * {@link BatchingFsm} — completes the futures of the requests among them, restores snapshots, and captures the
 * FSM for snapshots. Applies, restores and captures are serialized here; persisting a snapshot happens
 * elsewhere while applies go on.
 */
final class FsmApplier implements AutoCloseable {
    /** A captured FSM state at {@code index}/{@code term}. */
    record Captured(long index, long term, FsmSnapshot snapshot) {
    }

    private sealed interface Task permits CommitTask, RestoreTask, CaptureTask, StopTask {
    }

    private record CommitTask(long commitIndex, List<Output.CommittedRequest> requests) implements Task {
    }

    private record RestoreTask(String snapshotId, long index, long term, CompletableFuture<Void> done)
            implements Task {
    }

    private record CaptureTask(CompletableFuture<Captured> result) implements Task {
    }

    private record StopTask() implements Task {
    }

    private final Fsm fsm;
    private final RecentEntries log;
    private final SnapshotStore snapshots;
    private final PendingRequests pending;
    private final EngineMetrics metrics;
    private final Logger logger;
    private final int protocolVersion;
    private final int maxBatch;
    private final Runnable onFatal;
    private final Mailbox<Task> queue = new Mailbox<>();
    private final Thread thread;

    private volatile long lastApplied;
    /** Readers waiting for the FSM to reach an index: {index} ordered, with their futures. */
    private final java.util.PriorityQueue<AppliedWaiter> waiters =
            new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(AppliedWaiter::index));

    private record AppliedWaiter(long index, CompletableFuture<Long> future) {
    }
    private long fsmIndex;
    private long fsmTerm;
    private volatile boolean failed;

    FsmApplier(Fsm fsm, RecentEntries log, SnapshotStore snapshots, PendingRequests pending, EngineMetrics metrics,
               Logger logger, int protocolVersion, int maxBatch, long restoredIndex, long restoredTerm,
               Runnable onFatal, String threadName) {
        this.fsm = fsm;
        this.log = log;
        this.snapshots = snapshots;
        this.pending = pending;
        this.metrics = metrics;
        this.logger = logger;
        this.protocolVersion = protocolVersion;
        this.maxBatch = maxBatch;
        this.lastApplied = restoredIndex;
        this.fsmIndex = restoredIndex;
        this.fsmTerm = restoredTerm;
        this.onFatal = onFatal;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The last index handed to the FSM (hashicorp's {@code AppliedIndex}). */
    long lastApplied() {
        return lastApplied;
    }

    /** Completes once the FSM has applied through {@code index} (at once if it already has). */
    CompletableFuture<Long> whenApplied(long index) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        synchronized (waiters) {
            if (lastApplied >= index) {
                f.complete(lastApplied);
                return f;
            }
            waiters.add(new AppliedWaiter(index, f));
        }
        return f;
    }

    private void releaseWaiters() {
        List<AppliedWaiter> ready = new ArrayList<>();
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().index() <= lastApplied) {
                ready.add(waiters.poll());
            }
        }
        ready.forEach(w -> w.future().complete(lastApplied));
    }

    void commit(long commitIndex, List<Output.CommittedRequest> requests) {
        queue.add(new CommitTask(commitIndex, requests));
    }

    /** Restores the FSM from a stored snapshot, after everything queued before it. */
    CompletableFuture<Void> restore(String snapshotId, long index, long term) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new RestoreTask(snapshotId, index, term, done));
        return done;
    }

    /** Captures the FSM for a snapshot, after everything queued before it. */
    CompletableFuture<Captured> capture() {
        CompletableFuture<Captured> result = new CompletableFuture<>();
        queue.add(new CaptureTask(result));
        return result;
    }

    private void run() {
        try {
            while (true) {
                Task task = queue.take();
                if (task instanceof StopTask) {
                    return;
                }
                if (task instanceof CommitTask c) {
                    if (!failed) {
                        applyThrough(c.commitIndex(), c.requests());
                        releaseWaiters();
                    } else {
                        c.requests().forEach(r -> pending.fail(r.requestId(), new RaftShutdownException()));
                    }
                } else if (task instanceof RestoreTask r) {
                    doRestore(r);
                    releaseWaiters();
                } else if (task instanceof CaptureTask c) {
                    doCapture(c);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failQueued();
        }
    }

    private void applyThrough(long commitIndex, List<Output.CommittedRequest> requests) {
        Map<Long, Long> requestAt = new HashMap<>();
        for (Output.CommittedRequest r : requests) {
            if (r.index() <= lastApplied) {
                // Already covered (a restore overtook it): it committed, so report its index.
                pending.complete(r.requestId(), new ApplyResult(r.index(), null));
            } else {
                requestAt.put(r.index(), r.requestId());
            }
        }
        long next = lastApplied + 1;
        while (next <= commitIndex) {
            long to = Math.min(commitIndex, next + maxBatch - 1);
            List<LogEntry> entries;
            try {
                entries = log.range(next, to);
            } catch (IOException e) {
                fatal("failed to read committed entries " + next + ".." + to + ": " + e, requestAt);
                return;
            }
            if (entries.size() != to - next + 1) {
                fatal("committed entries missing from the log at index " + (next + entries.size()), requestAt);
                return;
            }
            applyBatch(entries, requestAt);
            next = to + 1;
            lastApplied = to;
        }
    }

    private void applyBatch(List<LogEntry> entries, Map<Long, Long> requestAt) {
        if (fsm instanceof BatchingFsm batching) {
            List<LogEntry> toFsm = new ArrayList<>(entries.size());
            for (LogEntry e : entries) {
                if (e.type() == LogType.COMMAND || (e.type() == LogType.CONFIGURATION && protocolVersion > 2)) {
                    toFsm.add(e);
                }
            }
            List<Object> responses = List.of();
            if (!toFsm.isEmpty()) {
                long started = System.nanoTime();
                try {
                    responses = batching.applyBatch(toFsm);
                } catch (RuntimeException ex) {
                    logger.error("FSM applyBatch failed; its entries get the exception", ex);
                    for (LogEntry e : toFsm) {
                        Long id = requestAt.remove(e.index());
                        if (id != null) {
                            pending.fail(id, new RaftException("FSM apply failed: " + ex, ex));
                        }
                    }
                    responses = null;
                }
                metrics.recordNanos("raft.fsm.applyBatch", System.nanoTime() - started);
                metrics.gauge("raft.fsm.applyBatchNum", entries.size());
                if (responses != null && responses.size() != toFsm.size()) {
                    fatal("invalid number of responses", requestAt);
                    return;
                }
            }
            int r = 0;
            for (LogEntry e : entries) {
                boolean sent = e.type() == LogType.COMMAND || (e.type() == LogType.CONFIGURATION && protocolVersion > 2);
                Object response = sent && responses != null ? responses.get(r++) : null;
                if (sent || e.type() == LogType.BARRIER) {
                    fsmIndex = e.index();
                    fsmTerm = e.term();
                }
                finish(e, response, requestAt);
            }
            return;
        }
        for (LogEntry e : entries) {
            Object response = null;
            switch (e.type()) {
                case COMMAND -> {
                    long started = System.nanoTime();
                    try {
                        response = fsm.apply(e);
                    } catch (RuntimeException ex) {
                        logger.error("FSM apply failed index={}", e.index(), ex);
                        Long id = requestAt.remove(e.index());
                        if (id != null) {
                            pending.fail(id, new RaftException("FSM apply failed: " + ex, ex));
                        }
                    }
                    metrics.recordNanos("raft.fsm.apply", System.nanoTime() - started);
                    fsmIndex = e.index();
                    fsmTerm = e.term();
                }
                case CONFIGURATION -> {
                    if (protocolVersion > 2 && fsm instanceof ConfigurationStore store) {
                        long started = System.nanoTime();
                        try {
                            store.storeConfiguration(e.index(), ConfigurationCodec.decodeConfiguration(e.data()));
                        } catch (CodecException ex) {
                            logger.error("undecodable configuration entry index={}", e.index(), ex);
                        }
                        metrics.recordNanos("raft.fsm.store_config", System.nanoTime() - started);
                        fsmIndex = e.index();
                        fsmTerm = e.term();
                    }
                }
                case BARRIER -> {
                    fsmIndex = e.index();
                    fsmTerm = e.term();
                }
                default -> {
                }
            }
            finish(e, response, requestAt);
        }
    }

    private void finish(LogEntry e, Object response, Map<Long, Long> requestAt) {
        Long id = requestAt.remove(e.index());
        if (id != null) {
            pending.complete(id, new ApplyResult(e.index(), response));
        }
    }

    private void doRestore(RestoreTask r) {
        long started = System.nanoTime();
        try (SnapshotStream s = snapshots.open(r.snapshotId())) {
            fsm.restore(s.meta(), s.data());
            lastApplied = r.index();
            fsmIndex = r.index();
            fsmTerm = r.term();
            metrics.recordNanos("raft.fsm.restore", System.nanoTime() - started);
            r.done().complete(null);
        } catch (Exception e) {
            logger.error("failed to restore snapshot id={} error={}", r.snapshotId(), e.toString());
            r.done().completeExceptionally(new RaftException(
                    "failed to restore snapshot " + r.snapshotId() + ": " + e.getMessage(), e));
        }
    }

    private void doCapture(CaptureTask c) {
        if (fsmIndex == 0) {
            c.result().completeExceptionally(new NothingNewToSnapshotException());
            return;
        }
        long started = System.nanoTime();
        try {
            FsmSnapshot snapshot = fsm.snapshot();
            metrics.recordNanos("raft.fsm.snapshot", System.nanoTime() - started);
            c.result().complete(new Captured(fsmIndex, fsmTerm, snapshot));
        } catch (Exception e) {
            c.result().completeExceptionally(new RaftException("failed to start snapshot: " + e.getMessage(), e));
        }
    }

    private void fatal(String why, Map<Long, Long> requestAt) {
        logger.error("FSM thread stopping: {}", why);
        failed = true;
        requestAt.values().forEach(id -> pending.fail(id, new RaftException(why)));
        onFatal.run();
    }

    private void failWaiters() {
        List<AppliedWaiter> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        all.forEach(w -> w.future().completeExceptionally(new RaftShutdownException()));
    }

    private void failQueued() {
        failWaiters();
        for (Task t : queue.removeAll()) {
            if (t instanceof CommitTask c) {
                c.requests().forEach(r -> pending.fail(r.requestId(), new RaftShutdownException()));
            } else if (t instanceof RestoreTask r) {
                r.done().completeExceptionally(new RaftShutdownException());
            } else if (t instanceof CaptureTask c) {
                c.result().completeExceptionally(new RaftShutdownException());
            }
        }
    }

    /** Stops after the task in hand; queued tasks fail with the shutdown exception. */
    @Override
    public void close() {
        List<Task> queued = queue.removeAll();
        queue.add(new StopTask());
        for (Task t : queued) {
            if (t instanceof CommitTask c) {
                c.requests().forEach(r -> pending.fail(r.requestId(), new RaftShutdownException()));
            } else if (t instanceof RestoreTask r) {
                r.done().completeExceptionally(new RaftShutdownException());
            } else if (t instanceof CaptureTask c) {
                c.result().completeExceptionally(new RaftShutdownException());
            }
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
