package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backing store for {@link LogCache} tests: an {@link InmemStore} that counts the reads reaching it and
 * can be told to fail the next write, either cleanly or after writing anyway (a store breaking its
 * all-or-nothing promise).
 */
final class ScriptedLogStore implements LogStore {
    enum WriteFailure { NONE, BEFORE_WRITING, AFTER_WRITING }

    final InmemStore data = new InmemStore();
    final AtomicInteger reads = new AtomicInteger();
    volatile WriteFailure nextWrite = WriteFailure.NONE;

    @Override
    public long firstIndex() {
        return data.firstIndex();
    }

    @Override
    public long lastIndex() {
        return data.lastIndex();
    }

    @Override
    public Optional<LogEntry> getLog(long index) {
        reads.incrementAndGet();
        return data.getLog(index);
    }

    @Override
    public List<LogEntry> getLogs(long from, long to) {
        reads.incrementAndGet();
        return data.getLogs(from, to);
    }

    @Override
    public void storeLogs(List<LogEntry> entries) throws IOException {
        WriteFailure failure = nextWrite;
        nextWrite = WriteFailure.NONE;
        if (failure == WriteFailure.BEFORE_WRITING) {
            throw new IOException("disk full");
        }
        data.storeLogs(entries);
        if (failure == WriteFailure.AFTER_WRITING) {
            throw new IOException("fsync failed");
        }
    }

    @Override
    public void deleteRange(long min, long max) {
        data.deleteRange(min, max);
    }
}
