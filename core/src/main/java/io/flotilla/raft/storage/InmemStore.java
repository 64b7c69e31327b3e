package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link LogStore} and {@link StableStore} held in memory (hashicorp's {@code InmemStore}): for tests, the
 * simulator, and nodes that may lose everything on restart. Nothing survives the process.
 *
 * <p><b>Log.</b> Entries are kept in a map ordered by unsigned index, so {@link #getLog} and the ends are
 * O(log n) and {@link #storeLogs} costs O(k log n). {@link #firstIndex()} and {@link #lastIndex()} are always
 * the smallest and largest index actually held (0 when empty). This matches hashicorp's low/high bookkeeping
 * whenever the log is contiguous, and fixes its quirks: hashicorp only moves {@code lowIndex} when it is 0, so
 * storing entries below the current first index (for example after a prefix was deleted) left it stale; and
 * deleting a range lying wholly before or after the entries, or starting at 0, left bounds that no entry
 * backs (and its per-index loop made a huge range take forever). Here
 * {@link #deleteRange} deletes exactly the entries in the range, in time proportional to how many it finds,
 * so even {@code deleteRange(0, -1)} (everything, unsigned) is cheap.
 *
 * <p>Index 0 is not a Raft index, but it may be stored (hashicorp's store benchmarks do); while it is held,
 * {@link #firstIndex()} returns 0 just as it does for an empty store.
 *
 * <p>A batch given to {@link #storeLogs} is applied under one write lock, so readers see all of it or none.
 * {@link LogEntry} is immutable, so entries are shared, not copied, without any aliasing.
 *
 * <p><b>Key/value.</b> Byte-array keys are compared by content. Values are copied on the way in and out. A key
 * set to an empty array is present and reads back as an empty array (hashicorp treats a nil value as
 * missing; Java has no nil slice distinct from {@code null}, and {@code null} values are rejected).
 * {@link #setUint64}/{@link #getUint64} use their own namespace, as in hashicorp: a key written with
 * {@code set} is not visible to {@code getUint64} and vice versa.
 *
 * <p>Thread-safe. No method throws {@link java.io.IOException}.
 */
public final class InmemStore implements LogStore, StableStore {
    private final NavigableMap<Long, LogEntry> logs = new TreeMap<>(Long::compareUnsigned);
    private final ReadWriteLock logLock = new ReentrantReadWriteLock();
    private final ConcurrentMap<ByteKey, byte[]> values = new ConcurrentHashMap<>();
    private final ConcurrentMap<ByteKey, Long> uint64s = new ConcurrentHashMap<>();

    /** An empty store. */
    public InmemStore() {
    }

    @Override
    public long firstIndex() {
        Lock lock = logLock.readLock();
        lock.lock();
        try {
            return logs.isEmpty() ? 0 : logs.firstKey();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long lastIndex() {
        Lock lock = logLock.readLock();
        lock.lock();
        try {
            return logs.isEmpty() ? 0 : logs.lastKey();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<LogEntry> getLog(long index) {
        Lock lock = logLock.readLock();
        lock.lock();
        try {
            return Optional.ofNullable(logs.get(index));
        } finally {
            lock.unlock();
        }
    }

    /** Reads the range under one read lock, so the result is a consistent slice of the log. */
    @Override
    public List<LogEntry> getLogs(long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        if (Long.compareUnsigned(from, to) > 0) {
            return out;
        }
        Lock lock = logLock.readLock();
        lock.lock();
        try {
            long expected = from;
            for (Map.Entry<Long, LogEntry> e : logs.subMap(from, true, to, true).entrySet()) {
                if (e.getKey() != expected) {
                    break; // a gap: the contract stops at the first missing entry
                }
                out.add(e.getValue());
                expected++;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void storeLogs(List<LogEntry> entries) {
        // Rejecting nulls before anything is stored keeps the batch all-or-nothing.
        entries.forEach(e -> Objects.requireNonNull(e, "entry"));
        Lock lock = logLock.writeLock();
        lock.lock();
        try {
            for (LogEntry entry : entries) {
                logs.put(entry.index(), entry);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deleteRange(long min, long max) {
        if (Long.compareUnsigned(min, max) > 0) {
            return;
        }
        Lock lock = logLock.writeLock();
        lock.lock();
        try {
            logs.subMap(min, true, max, true).clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void set(byte[] key, byte[] value) {
        Objects.requireNonNull(value, "value");
        values.put(new ByteKey(key), value.clone());
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        byte[] value = values.get(new ByteKey(key));
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    @Override
    public void setUint64(byte[] key, long value) {
        uint64s.put(new ByteKey(key), value);
    }

    @Override
    public long getUint64(byte[] key) {
        return uint64s.getOrDefault(new ByteKey(key), 0L);
    }

    /** Always: every write is a map update. */
    @Override
    public boolean writesInMemory() {
        return true;
    }
}
