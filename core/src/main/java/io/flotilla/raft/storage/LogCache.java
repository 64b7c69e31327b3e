package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link LogStore} decorator that keeps the most recently written entries in memory (hashicorp's
 * {@code LogCache}), so that replication and the FSM read recent entries without touching the backing store.
 *
 * <p>The cache is a fixed ring: entry {@code i} lives in slot {@code i mod capacity} (unsigned), and a read is
 * a hit only when that slot holds an entry with exactly index {@code i}; anything else is read from the
 * backing store. {@link #firstIndex()} and {@link #lastIndex()} always come from the backing store.
 *
 * <p>Differences from hashicorp, which are fixes:
 * <ul>
 *   <li>{@link #storeLogs} fills the ring only after the backing store accepted the batch, so a failed write
 *       is never served from the cache; on failure the slots of the attempted indexes are emptied, in case the
 *       backing store broke its all-or-nothing promise.</li>
 *   <li>{@link #deleteRange} empties only the slots that hold an entry in the deleted range, so compacting old
 *       entries after a snapshot keeps the recent ones cached. Slots are emptied before the backing store
 *       deletes, so a deleted entry is never served once the call returns, even if the backing delete fails.</li>
 * </ul>
 *
 * <p>The cache is only coherent if every write goes through it: entries deleted from the backing store
 * directly keep being served until overwritten or deleted here (hashicorp's test relies on exactly this).
 *
 * <p>Thread-safe. Reads never block; writes are serialised among themselves (the lock is held while the
 * backing store writes, so that a write and a delete cannot interleave and leave a stale slot).
 */
public final class LogCache implements LogStore {
    private final LogStore store;
    private final AtomicReferenceArray<LogEntry> ring;
    private final ReentrantLock writeLock = new ReentrantLock();

    /**
     * A cache of {@code capacity} entries in front of {@code store}.
     *
     * @throws IllegalArgumentException "capacity must be positive" when {@code capacity <= 0}
     */
    public LogCache(int capacity, LogStore store) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.store = Objects.requireNonNull(store, "store");
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    /** How many entries the cache holds at most. */
    public int capacity() {
        return ring.length();
    }

    @Override
    public long firstIndex() throws IOException {
        return store.firstIndex();
    }

    @Override
    public long lastIndex() throws IOException {
        return store.lastIndex();
    }

    @Override
    public Optional<LogEntry> getLog(long index) throws IOException {
        LogEntry hit = cached(index);
        return hit != null ? Optional.of(hit) : store.getLog(index);
    }

    /** Serves the leading run of cached entries from memory and the rest with one ranged backing read. */
    @Override
    public List<LogEntry> getLogs(long from, long to) throws IOException {
        List<LogEntry> out = new ArrayList<>();
        if (Long.compareUnsigned(from, to) > 0) {
            return out;
        }
        for (long i = from; ; i++) {
            LogEntry hit = cached(i);
            if (hit == null) {
                out.addAll(store.getLogs(i, to));
                return out;
            }
            out.add(hit);
            if (i == to) { // before incrementing, so that to = 2^64-1 does not wrap around
                return out;
            }
        }
    }

    @Override
    public void storeLogs(List<LogEntry> entries) throws IOException {
        // Checked here too, as the backing store might accept a null the ring could not index.
        entries.forEach(e -> Objects.requireNonNull(e, "entry"));
        writeLock.lock();
        try {
            boolean stored = false;
            try {
                store.storeLogs(entries);
                stored = true;
            } finally {
                for (LogEntry entry : entries) {
                    ring.set(slot(entry.index()), stored ? entry : null);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void deleteRange(long min, long max) throws IOException {
        writeLock.lock();
        try {
            evict(min, max);
            store.deleteRange(min, max);
        } finally {
            writeLock.unlock();
        }
    }

    private void evict(long min, long max) {
        if (Long.compareUnsigned(min, max) > 0) {
            return;
        }
        int capacity = ring.length();
        if (Long.compareUnsigned(max - min, capacity) < 0) {
            // A short range: visit its slots rather than the whole ring.
            for (long i = min; ; i++) {
                int slot = slot(i);
                LogEntry e = ring.get(slot);
                if (e != null && e.index() == i) {
                    ring.set(slot, null);
                }
                if (i == max) {
                    return;
                }
            }
        }
        for (int slot = 0; slot < capacity; slot++) {
            LogEntry e = ring.get(slot);
            if (e != null && Long.compareUnsigned(e.index(), min) >= 0 && Long.compareUnsigned(e.index(), max) <= 0) {
                ring.set(slot, null);
            }
        }
    }

    private LogEntry cached(long index) {
        LogEntry e = ring.get(slot(index));
        return e != null && e.index() == index ? e : null;
    }

    private int slot(long index) {
        return (int) Long.remainderUnsigned(index, ring.length());
    }

    /** As the wrapped store: the cache itself adds no I/O. */
    @Override
    public boolean writesInMemory() {
        return store.writesInMemory();
    }
}
