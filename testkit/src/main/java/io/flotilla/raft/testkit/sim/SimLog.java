package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.LogEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's log as the simulator keeps it: contiguous entries {@code [first, last]} plus the index and term of the
 * entry just before {@code first} (the snapshot the log follows, or 0/0), so the previous term of the next append
 * is always known. Two of these exist per node: the in-memory view (every log operation applied as the engine
 * emits it) and the durable one (operations applied when the simulated disk syncs them).
 */
final class SimLog {
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long first = 1;
    private long baseTerm;

    SimLog copy() {
        SimLog c = new SimLog();
        c.entries.addAll(entries);
        c.first = first;
        c.baseTerm = baseTerm;
        return c;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }

    /** The first index held (== last + 1 when empty). */
    long firstIndex() {
        return first;
    }

    /** The last index held, or the base index when empty. */
    long lastIndex() {
        return first + entries.size() - 1;
    }

    /** The term of {@link #lastIndex()}: the last entry's, or the base term. */
    long lastTerm() {
        return entries.isEmpty() ? baseTerm : entries.get(entries.size() - 1).term();
    }

    /** The entry at {@code index}, or {@code null} if not held. */
    LogEntry get(long index) {
        long off = index - first;
        if (off < 0 || off >= entries.size()) {
            return null;
        }
        return entries.get((int) off);
    }

    /** Term at index: held entry, base, or -1. */
    long termAt(long index) {
        LogEntry e = get(index);
        if (e != null) {
            return e.term();
        }
        if (index == first - 1) {
            return baseTerm;
        }
        return -1;
    }

    /** Appends contiguous entries after the last index. */
    void append(List<LogEntry> es) {
        if (es.isEmpty()) {
            return;
        }
        long expected = lastIndex() + 1;
        if (es.get(0).index() != expected) {
            throw new IllegalStateException("append at " + es.get(0).index() + " but the log ends at " + lastIndex());
        }
        for (LogEntry e : es) {
            if (e.index() != expected++) {
                throw new IllegalStateException("non-contiguous append at " + e.index());
            }
            entries.add(e);
        }
    }

    /** Deletes {@code [from, last]}. */
    void truncateFrom(long from) {
        if (from > lastIndex()) {
            return;
        }
        if (from <= first) {
            entries.clear();
            return;
        }
        entries.subList((int) (from - first), entries.size()).clear();
    }

    /** Deletes {@code [first, to]}; the entry at {@code to} becomes the base. */
    void compactThrough(long to) {
        if (to < first) {
            return;
        }
        long termAtTo = termAt(to);
        if (to >= lastIndex()) {
            entries.clear();
        } else {
            entries.subList(0, (int) (to - first + 1)).clear();
        }
        first = to + 1;
        baseTerm = termAtTo < 0 ? baseTerm : termAtTo;
    }

    /** Deletes everything; the log now follows {@code (index, term)}. */
    void resetTo(long index, long term) {
        entries.clear();
        first = index + 1;
        baseTerm = term;
    }

    /** All entries, in order (a view). */
    List<LogEntry> entries() {
        return entries;
    }
}
