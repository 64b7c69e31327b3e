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
    private final LogStore store;
    private final int keepDurable;
    private final ConcurrentSkipListMap<Long, LogEntry> entries = new ConcurrentSkipListMap<>();

    /**
     * @param store       the durable log
     * @param keepDurable how many durable entries to keep in memory behind the newest one
     */
    RecentEntries(LogStore store, int keepDurable) {
        this.store = store;
        this.keepDurable = keepDurable;
    }

    void append(List<LogEntry> appended) {
        for (LogEntry e : appended) {
            entries.put(e.index(), e);
        }
    }

    /** Forgets entries from {@code index} on (a follower's conflicting suffix). */
    void truncateFrom(long index) {
        entries.tailMap(index, true).clear();
    }

    /** Forgets entries up to {@code index} (compacted away, or replaced by a snapshot). */
    void dropThrough(long index) {
        entries.headMap(index, true).clear();
    }

    /** Forgets everything. */
    void clear() {
        entries.clear();
    }

    /** The log is durable through {@code durableIndex}: keep only a window of durable entries in memory. */
    void durableThrough(long durableIndex) {
        long keepFrom = durableIndex - keepDurable;
        if (keepFrom > 0 && !entries.isEmpty() && entries.firstKey() < keepFrom) {
            entries.headMap(keepFrom, false).clear();
        }
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
