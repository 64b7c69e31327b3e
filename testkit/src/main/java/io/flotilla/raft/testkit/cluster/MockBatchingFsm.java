package io.flotilla.raft.testkit.cluster;

import io.flotilla.raft.BatchingFsm;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;

import java.util.ArrayList;
import java.util.List;

/**
 * The batching variant of {@link MockFsm} (the seed's {@code batchtest} build): commands are applied in
 * batches, configuration entries pass through with a {@code null} response.
 */
public class MockBatchingFsm extends MockFsm implements BatchingFsm {
    private int batches;
    private int largestBatch;

    @Override
    public List<Object> applyBatch(List<LogEntry> entries) {
        List<Object> responses = new ArrayList<>(entries.size());
        synchronized (this) {
            batches++;
            largestBatch = Math.max(largestBatch, entries.size());
        }
        for (LogEntry e : entries) {
            responses.add(e.type() == LogType.COMMAND ? apply(e) : null);
        }
        return responses;
    }

    /** How many batches were applied. */
    public synchronized int batches() {
        return batches;
    }

    /** The largest batch seen. */
    public synchronized int largestBatch() {
        return largestBatch;
    }
}
