package io.flotilla.raft.runtime;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.storage.LogStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The log as replication and the FSM read it: entries handed to the log writer are readable at once, before
 * they are durable (that is what lets a leader replicate in parallel with its own fsync), and the most recent
 * durable ones stay in memory so followers that are slightly behind are served without touching the store.
 * Anything older is read from the {@link LogStore}.
 *
 * <p>Written only by the event loop; read from any thread.
 */
final class RecentEntries {
    /** Per-entry overhead counted on top of the payload, so many tiny entries are bounded too. */
    private static final int ENTRY_OVERHEAD = 64;

    private final LogStore store;
    private final int keepDurable;
    private final long keepDurableBytes;
    private final ConcurrentSkipListMap<Long, LogEntry> entries = new ConcurrentSkipListMap<>();
    /** Approximate memory held (written by the event loop only). */
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
    }

    private static long size(LogEntry e) {
        return ENTRY_OVERHEAD + e.dataLength();
    }

    void append(List<LogEntry> appended) {
        for (LogEntry e : appended) {
            LogEntry replaced = entries.put(e.index(), e);
            bytes += size(e) - (replaced == null ? 0 : size(replaced));
        }
    }

    /** Forgets entries from {@code index} on (a follower's conflicting suffix). */
    void truncateFrom(long index) {
        forget(entries.tailMap(index, true));
    }

    /** Forgets entries up to {@code index} (compacted away, or replaced by a snapshot). */
    void dropThrough(long index) {
        forget(entries.headMap(index, true));
    }

    private void forget(java.util.NavigableMap<Long, LogEntry> range) {
        for (LogEntry e : range.values()) {
            bytes -= size(e);
        }
        range.clear();
    }

    /** Forgets everything. */
    void clear() {
        entries.clear();
        bytes = 0;
    }

    /**
     * The log is durable through {@code durableIndex}: keep only a window of durable entries in memory, bounded
     * by count and by bytes. Entries not yet durable always stay: they exist nowhere else.
     */
    void durableThrough(long durableIndex) {
        while (!entries.isEmpty()) {
            long first = entries.firstKey();
            boolean tooMany = first < durableIndex - keepDurable;
            boolean tooBig = bytes > keepDurableBytes;
            if (first > durableIndex || (!tooMany && !tooBig)) {
                return;
            }
            LogEntry e = entries.remove(first);
            if (e != null) {
                bytes -= size(e);
            }
        }
    }

    /** Approximate bytes held in memory (for tests and metrics). */
    long bytes() {
        return bytes;
    }

    /** The entry at {@code index}, from memory or the store. */
    Optional<LogEntry> get(long index) throws IOException {
        LogEntry e = entries.get(index);
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
            LogEntry cached = entries.get(i);
            if (cached != null) {
                out.add(cached);
                i++;
                continue;
            }
            // Read the stretch up to the next cached entry from the store in one call.
            Long nextCached = entries.ceilingKey(i);
            long end = nextCached == null ? to : Math.min(to, nextCached - 1);
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
