package io.flotilla.raft.engine;

import java.util.Arrays;

/**
 * The term of every entry in the local log, stored as runs: {@code (firstIndexOfRun, term)} pairs in index
 * order. Terms never decrease along a log, so a log of millions of entries needs one pair per term — this is
 * what lets the engine check previous-entry terms and detect conflicts without reading the log.
 */
final class TermRuns {
    private long[] starts = new long[8];
    private long[] terms = new long[8];
    private int size;

    /** Records that the entry at {@code index} (the new last) has {@code term}. */
    void append(long index, long term) {
        if (size > 0 && terms[size - 1] == term) {
            return;
        }
        if (size > 0 && term < terms[size - 1]) {
            throw new IllegalStateException("term " + term + " at index " + index + " is below the previous term "
                    + terms[size - 1]);
        }
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            terms = Arrays.copyOf(terms, size * 2);
        }
        starts[size] = index;
        terms[size] = term;
        size++;
    }

    /** The term at {@code index}, assuming the caller checked the index is inside the log. */
    long termAt(long index) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= index) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            throw new IllegalStateException("no term known for index " + index);
        }
        return terms[found];
    }

    /** Forgets every entry at or after {@code index}. */
    void truncateFrom(long index) {
        while (size > 0 && starts[size - 1] >= index) {
            size--;
        }
    }

    /** Forgets entries before {@code firstIndex}: runs that end before it are dropped. */
    void compactTo(long firstIndex) {
        int keepFrom = 0;
        while (keepFrom + 1 < size && starts[keepFrom + 1] <= firstIndex) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(starts, keepFrom, starts, 0, size - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, size - keepFrom);
            size -= keepFrom;
        }
    }

    /** Forgets everything. */
    void clear() {
        size = 0;
    }

    /** Number of runs (for tests). */
    int runCount() {
        return size;
    }
}
