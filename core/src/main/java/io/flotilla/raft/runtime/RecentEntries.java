package io.flotilla.raft.runtime;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.storage.LogStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The log as replication and the FSM read it: entries handed to the log writer are readable at once, before
 * they are durable (that is what lets a leader replicate in parallel with its own fsync), and the most recent
 * durable ones stay in memory so followers that are slightly behind are served without touching the store.
 * Anything older is read from the {@link LogStore}.
 *
 * <p>Written only by the event loop; read from any thread. The entries sit in a ring indexed by log index (a
 * power-of-two array, so a lookup is a mask and a load); the window {@code [first, last]} is contiguous because the
 * log is. The ring grows when it fills with entries that are not yet durable (those exist nowhere else), and its
 * slots are otherwise reused. A reader that finds a slot holding another index than it asked for (evicted, or
 * reused) goes to the store, which has every entry that was evicted.
 */
final class RecentEntries {
    /** Per-entry overhead counted on top of the payload, so many tiny entries are bounded too. */
    private static final int ENTRY_OVERHEAD = 64;
    private static final int MIN_CAPACITY = 1024;

    private final LogStore store;
    private final int keepDurable;
    private final long keepDurableBytes;
    /** Replaced (never resized in place) when it grows; readers may briefly use the old one, which stays valid. */
    private volatile AtomicReferenceArray<LogEntry> ring;
    /** The oldest index held; {@code last < first} when empty. Read by other threads to find the store's part. */
    private volatile long first = 1;
    /** The newest index held (event loop only). */
    private long last;
    /** Approximate memory held (event loop only). */
    private long bytes;

    /**
     * @param store            the durable log
     * @param keepDurable      at most how many durable entries to keep in memory behind the newest one
     * @param keepDurableBytes at most how many bytes of durable entries to keep (large entries hit this first)
     */
    RecentEntries(LogStore store, int keepDurable, long keepDurableBytes) {
        this.store = store;
        this.keepDurable = keepDurable;
        this.keepDurableBytes = keepDurableBytes;
        // Room for the durable window plus as many entries again in flight before the first growth.
        this.ring = new AtomicReferenceArray<>(Integer.highestOneBit(Math.max(MIN_CAPACITY, keepDurable) * 2 - 1) << 1);
    }

    private static long size(LogEntry e) {
        return ENTRY_OVERHEAD + e.dataLength();
    }

    private boolean isEmpty() {
        return last < first;
    }

    private static int slot(AtomicReferenceArray<LogEntry> r, long index) {
        return (int) (index & (r.length() - 1));
    }

    /**
     * Adds entries after the newest one. An entry at or below the newest index replaces it and everything after
     * (a follower's conflicting suffix); one that leaves a gap starts the window afresh.
     */
    void append(List<LogEntry> appended) {
        for (LogEntry e : appended) {
            long index = e.index();
            if (!isEmpty() && index <= last) {
                truncateFrom(index);
            }
            if (isEmpty() || index != last + 1) {
                clear();
                first = index;
                last = index - 1;
            }
            if (last - first + 1 >= ring.length()) {
                grow();
            }
            AtomicReferenceArray<LogEntry> r = ring;
            r.set(slot(r, index), e);
            last = index;
            bytes += size(e);
        }
    }

    /**
     * Doubles the ring, keeping every entry held; readers of the old ring still find what they look for there. It
     * never shrinks: its size is set by the most entries ever waiting for the disk at once.
     */
    private void grow() {
        AtomicReferenceArray<LogEntry> old = ring;
        AtomicReferenceArray<LogEntry> bigger = new AtomicReferenceArray<>(old.length() * 2);
        for (long i = first; i <= last; i++) {
            bigger.set(slot(bigger, i), old.get(slot(old, i)));
        }
        ring = bigger;
    }

    /** Forgets entries from {@code index} on (a follower's conflicting suffix). */
    void truncateFrom(long index) {
        AtomicReferenceArray<LogEntry> r = ring;
        while (!isEmpty() && last >= index) {
            forget(r, last);
            last--;
        }
    }

    /** Forgets entries up to {@code index} (compacted away, or replaced by a snapshot). */
    void dropThrough(long index) {
        AtomicReferenceArray<LogEntry> r = ring;
        while (!isEmpty() && first <= index) {
            forget(r, first);
            first = first + 1;
        }
    }

    private void forget(AtomicReferenceArray<LogEntry> r, long index) {
        LogEntry e = r.getAndSet(slot(r, index), null);
        if (e != null) {
            bytes -= size(e);
        }
    }

    /** Forgets everything. */
    void clear() {
        dropThrough(last);
        bytes = 0;
    }

    /**
     * The log is durable through {@code durableIndex}: keep only a window of durable entries in memory, bounded
     * by count and by bytes. Entries not yet durable always stay: they exist nowhere else.
     */
    void durableThrough(long durableIndex) {
        AtomicReferenceArray<LogEntry> r = ring;
        while (!isEmpty() && first <= durableIndex) {
            boolean tooMany = first < durableIndex - keepDurable;
            boolean tooBig = bytes > keepDurableBytes;
            if (!tooMany && !tooBig) {
                return;
            }
            forget(r, first);
            first = first + 1;
        }
    }

    /** Approximate bytes held in memory (for tests and metrics). */
    long bytes() {
        return bytes;
    }

    /** The entry at {@code index} if it is in memory. */
    private LogEntry cached(long index) {
        AtomicReferenceArray<LogEntry> r = ring;
        LogEntry e = r.get(slot(r, index));
        return e != null && e.index() == index ? e : null;
    }

    /** The entry at {@code index}, from memory or the store. */
    Optional<LogEntry> get(long index) throws IOException {
        LogEntry e = cached(index);
        if (e != null) {
            return Optional.of(e);
        }
        return store.getLog(index);
    }

    /**
     * The entries {@code [from, to]}, or fewer if some are missing (compacted): the caller checks the count.
     */
    List<LogEntry> range(long from, long to) throws IOException {
        List<LogEntry> out = new ArrayList<>((int) Math.max(0, Math.min(to - from + 1, 4096)));
        long i = from;
        while (i <= to) {
            LogEntry cached = cached(i);
            if (cached != null) {
                out.add(cached);
                i++;
                continue;
            }
            // Read the stretch below the in-memory window from the store in one call.
            long oldestCached = first;
            long end = oldestCached > i && oldestCached <= to ? oldestCached - 1 : to;
            List<LogEntry> stored = store.getLogs(i, end);
            out.addAll(stored);
            if (stored.size() < end - i + 1) {
                break;
            }
            i = end + 1;
        }
        return out;
    }
}
