package io.flotilla.raft.engine;

import java.util.ArrayDeque;

/**
 * The engine's in-memory picture of the local log and newest snapshot: which indexes exist, their terms,
 * and how much of it the log writer has made durable. It never holds entry payloads.
 *
 * <p>Indexes: the log holds the contiguous entries {@code [firstIndex, lastLogIndex]} (empty when
 * {@code firstIndex > lastLogIndex}); the newest snapshot covers everything up to {@code snapshotIndex}.
 * The node's last index is the larger of the two, as in hashicorp's {@code getLastEntry}.
 */
final class LogState {
    private final TermRuns runs = new TermRuns();
    private long firstIndex = 1;
    private long lastLogIndex;
    private long lastLogTerm;
    private long snapshotIndex;
    private long snapshotTerm;

    private long durableIndex;
    private long nextSeq = 1;
    /** Log operations not yet acknowledged: {seq, index through which the log will then be durable}. */
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();

    /**
     * Restores the picture of a log read at startup; everything in it is durable. The caller has already
     * dropped a log that ends before the snapshot.
     *
     * @param runsFromDisk {@code (firstIndexOfRun, term)} pairs covering {@code [first, last]}, in order
     */
    void restore(long snapIndex, long snapTerm, long first, long last, long[][] runsFromDisk) {
        this.snapshotIndex = snapIndex;
        this.snapshotTerm = snapTerm;
        runs.clear();
        if (last >= first && last > snapIndex) {
            for (long[] run : runsFromDisk) {
                runs.append(run[0], run[1]);
            }
            this.firstIndex = first;
            this.lastLogIndex = last;
            this.lastLogTerm = runs.termAt(last);
        } else {
            this.firstIndex = snapIndex + 1;
            this.lastLogIndex = snapIndex;
            this.lastLogTerm = snapTerm;
        }
        this.durableIndex = lastIndex();
    }

    /** Whether the log holds no entries (everything known is in the snapshot). */
    boolean logIsEmpty() {
        return firstIndex > lastLogIndex;
    }

    /** The first index held in the log. */
    long firstIndex() {
        return firstIndex;
    }

    /** The last index of log or snapshot, whichever is newer. */
    long lastIndex() {
        return Math.max(lastLogIndex, snapshotIndex);
    }

    /** The term of {@link #lastIndex()}. */
    long lastTerm() {
        return lastLogIndex >= snapshotIndex ? lastLogTerm : snapshotTerm;
    }

    /** The last index held in the log itself. */
    long lastLogIndex() {
        return lastLogIndex;
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    long snapshotTerm() {
        return snapshotTerm;
    }

    /** Whether the entry at {@code index} is held in the log (not only in a snapshot). */
    boolean hasEntry(long index) {
        return index >= firstIndex && index <= lastLogIndex;
    }

    /**
     * The term of the entry at {@code index}: from the log, or the snapshot's term at its index; 0 for index 0;
     * -1 when unknown (compacted away or beyond the end).
     */
    long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (hasEntry(index)) {
            return runs.termAt(index);
        }
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        return -1;
    }

    /** Records appended entries (contiguous from {@code lastIndex()+1}); returns the log operation's seq. */
    long append(long fromIndex, long[] entryTerms) {
        if (fromIndex != lastIndex() + 1) {
            throw new IllegalStateException("append at " + fromIndex + " but the log ends at " + lastIndex());
        }
        if (logIsEmpty()) {
            firstIndex = fromIndex;
        }
        for (int i = 0; i < entryTerms.length; i++) {
            runs.append(fromIndex + i, entryTerms[i]);
        }
        lastLogIndex = fromIndex + entryTerms.length - 1;
        lastLogTerm = entryTerms[entryTerms.length - 1];
        return enqueue(lastLogIndex);
    }

    /** Records that the suffix from {@code index} on was deleted; returns the log operation's seq. */
    long truncateFrom(long index) {
        if (index < firstIndex || index > lastLogIndex) {
            throw new IllegalStateException("truncate at " + index + " outside the log [" + firstIndex + ", "
                    + lastLogIndex + "]");
        }
        runs.truncateFrom(index);
        lastLogIndex = index - 1;
        lastLogTerm = logIsEmpty() ? termAtOrSnapshot(lastLogIndex) : runs.termAt(lastLogIndex);
        long durableLimit = Math.max(index - 1, 0);
        for (long[] op : pending) {
            op[1] = Math.min(op[1], durableLimit);
        }
        durableIndex = Math.min(durableIndex, durableLimit);
        return enqueue(lastIndex());
    }

    private long termAtOrSnapshot(long index) {
        return index == snapshotIndex ? snapshotTerm : 0;
    }

    /** Records that a snapshot now covers everything up to {@code index}. */
    void snapshotTaken(long index, long term) {
        if (index <= snapshotIndex) {
            return;
        }
        snapshotIndex = index;
        snapshotTerm = term;
    }

    /**
     * Records that the log prefix through {@code index} was deleted (it is covered by the snapshot); returns the
     * log operation's seq.
     */
    long compactThrough(long index) {
        if (index > lastLogIndex) {
            throw new IllegalStateException("compact through " + index + " beyond the log's end " + lastLogIndex);
        }
        firstIndex = index + 1;
        if (logIsEmpty()) {
            runs.clear();
        } else {
            runs.compactTo(firstIndex);
        }
        return enqueue(lastIndex());
    }

    /**
     * Records that the whole log was discarded in favour of a snapshot at {@code index}; returns the log
     * operation's seq.
     */
    long resetTo(long index, long term) {
        runs.clear();
        snapshotIndex = index;
        snapshotTerm = term;
        firstIndex = index + 1;
        lastLogIndex = index;
        lastLogTerm = term;
        // The snapshot itself is durable; nothing pending can vouch for more than it.
        for (long[] op : pending) {
            op[1] = Math.min(op[1], index);
        }
        durableIndex = index;
        return enqueue(index);
    }

    private long enqueue(long durableThrough) {
        long seq = nextSeq++;
        pending.addLast(new long[] {seq, durableThrough});
        return seq;
    }

    /** The log writer finished every operation up to {@code seq}; returns whether the durable index grew. */
    boolean persisted(long seq) {
        long before = durableIndex;
        while (!pending.isEmpty() && pending.peekFirst()[0] <= seq) {
            long[] op = pending.pollFirst();
            durableIndex = Math.max(durableIndex, op[1]);
        }
        return durableIndex > before;
    }

    /** Everything through this index is durable locally (log or snapshot) and matches the engine's view. */
    long durableIndex() {
        return durableIndex;
    }

    /** Whether every log operation issued so far has been acknowledged. */
    boolean allPersisted() {
        return pending.isEmpty();
    }

    /** The sequence number the next log operation will get. */
    long nextSeq() {
        return nextSeq;
    }
}
