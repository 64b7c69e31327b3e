package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a node keeps its log entries (hashicorp's {@code LogStore}). Indexes are contiguous between
 * {@link #firstIndex()} and {@link #lastIndex()}; both are 0 when the store is empty.
 *
 * <p>Implementations must be safe for use from several threads. {@link #storeLogs(List)} must be atomic and
 * durable when it returns if the store claims durability: Raft acknowledges writes on the strength of it.
 */
public interface LogStore {
    /** The index of the first entry, or 0 when empty. */
    long firstIndex() throws IOException;

    /** The index of the last entry, or 0 when empty. */
    long lastIndex() throws IOException;

    /**
     * The entry at {@code index}, or empty when there is none (never written, compacted, or deleted).
     * Raft relies on "empty" here to decide that a follower needs a snapshot.
     */
    Optional<LogEntry> getLog(long index) throws IOException;

    /**
     * The entries from {@code from} to {@code to} inclusive, stopping early at the first missing one; empty
     * when {@code from} is after {@code to}. Both bounds are unsigned, like every index.
     * Stores that can read ranges efficiently should override this.
     */
    default List<LogEntry> getLogs(long from, long to) throws IOException {
        if (Long.compareUnsigned(from, to) > 0) {
            return new ArrayList<>();
        }
        long span = to - from; // unsigned count minus one; cannot overflow, unlike count itself
        List<LogEntry> out = new ArrayList<>(Long.compareUnsigned(span, 1024) < 0 ? (int) span + 1 : 1024);
        for (long i = from; ; i++) {
            Optional<LogEntry> e = getLog(i);
            if (e.isEmpty()) {
                break;
            }
            out.add(e.get());
            if (i == to) { // checked before incrementing so that to = 2^64-1 does not wrap around
                break;
            }
        }
        return out;
    }

    /** Stores one entry; same as {@code storeLogs(List.of(entry))}. */
    default void storeLog(LogEntry entry) throws IOException {
        storeLogs(List.of(entry));
    }

    /** Stores entries, all or none. An entry at an existing index replaces it. */
    void storeLogs(List<LogEntry> entries) throws IOException;

    /**
     * Deletes the entries from {@code min} to {@code max}, inclusive (unsigned); indexes in the range that hold
     * no entry are ignored, and an inverted range ({@code min} after {@code max}) deletes nothing. Afterwards
     * {@link #firstIndex()} and {@link #lastIndex()} describe the entries that remain.
     */
    void deleteRange(long min, long max) throws IOException;

    /**
     * Whether {@link #storeLogs} and {@link #deleteRange} complete in memory, without blocking on a disk, a network
     * or a lock held across either (as {@link InmemStore} does). Flotilla then writes on its event loop instead of
     * handing each batch to its log-writer thread and back, which for such a store costs more than the write. A
     * store that answers {@code true} and then blocks stalls the whole node, heartbeats included. Default
     * {@code false}.
     */
    default boolean writesInMemory() {
        return false;
    }
}
