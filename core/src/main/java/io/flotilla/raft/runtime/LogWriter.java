package io.flotilla.raft.runtime;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.storage.LogStore;
import org.slf4j.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one thread that writes the log. It takes every log operation queued since its last write and performs
 * them in order, merging consecutive appends into a single {@link LogStore#storeLogs} — one sync for many
 * entries, on leader and follower alike (group commit) — then reports what is durable back to the engine.
 *
 * <p>A store that {@linkplain LogStore#writesInMemory() writes in memory} is written on the caller's thread
 * instead, one operation at a time.
 *
 * <p>After a failed write it stops writing: later operations could otherwise leave gaps, and the engine shuts
 * the node down when told.
 */
final class LogWriter implements AutoCloseable {
    private static final Output.LogOperation STOP = new Output.AppendLog(-1, List.of());

    private final LogStore store;
    private final Consumer<Input> reply;
    private final Logger log;
    private final io.flotilla.raft.engine.EngineMetrics metrics;
    private final Mailbox<Output.LogOperation> queue = new Mailbox<>();
    private final Thread thread;
    private volatile boolean failed;
    /**
     * Whether writes run on the caller (the event loop) instead of this writer's thread: for a store that writes
     * in memory, handing each batch to another thread and back costs more than the write (hashicorp writes its
     * log on the leader loop for every store).
     */
    private final boolean inline;

    /**
     * @param store     the log store
     * @param reply where {@link Input.LogPersisted} and {@link Input.LogPersistFailed} go
     */
    LogWriter(LogStore store, Consumer<Input> reply, io.flotilla.raft.engine.EngineMetrics metrics, Logger log,
              String name) {
        this.store = store;
        this.reply = reply;
        this.metrics = metrics;
        this.log = log;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.inline = store.writesInMemory();
    }

    void start() {
        if (!inline) {
            thread.start();
        }
    }

    /** Queues {@code op} for the writer thread, or performs it at once for a store that writes in memory. */
    void submit(Output.LogOperation op) {
        if (inline) {
            write(List.of(op));
        } else {
            queue.add(op);
        }
    }

    private void run() {
        List<Output.LogOperation> batch = new ArrayList<>();
        try {
            boolean stop = false;
            while (!stop) {
                batch.clear();
                batch.add(queue.take());
                queue.drainTo(batch);
                stop = write(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Performs {@code batch} in order and reports the outcome; returns whether it held the stop marker. */
    private boolean write(List<Output.LogOperation> batch) {
        boolean stop = false;
        long lastSeq = -1;
        List<LogEntry> pendingAppend = new ArrayList<>();
        try {
            for (Output.LogOperation op : batch) {
                if (op == STOP) {
                    stop = true;
                    break;
                }
                if (failed) {
                    continue;
                }
                if (op instanceof Output.AppendLog a) {
                    pendingAppend.addAll(a.entries());
                } else {
                    flush(pendingAppend);
                    apply(op);
                }
                lastSeq = op.seq();
            }
            flush(pendingAppend);
            if (lastSeq >= 0 && !failed) {
                reply.accept(new Input.LogPersisted(lastSeq));
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            log.error("failed to write the log error={}", e.toString());
            reply.accept(new Input.LogPersistFailed(lastSeq < 0 ? batch.get(0).seq() : lastSeq + 1, e.toString()));
        }
        return stop;
    }

    private void flush(List<LogEntry> pending) throws IOException {
        if (!pending.isEmpty()) {
            store.storeLogs(pending);
            pending.clear();
        }
    }

    private void apply(Output.LogOperation op) throws IOException {
        if (op instanceof Output.TruncateLog t) {
            store.deleteRange(t.from(), t.to());
        } else if (op instanceof Output.CompactLog c) {
            long started = System.nanoTime();
            store.deleteRange(c.from(), c.to());
            metrics.recordNanos("raft.compactLogs", System.nanoTime() - started);
        } else if (op instanceof Output.ResetLog) {
            // Delete whatever is physically there, stale entries included.
            long first = store.firstIndex();
            long last = store.lastIndex();
            if (last > 0) {
                store.deleteRange(first, last);
            }
        }
    }

    /** Finishes queued writes, then stops. */
    @Override
    public void close() {
        if (inline) {
            return;
        }
        queue.add(STOP);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
