package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.storage.LogStore;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link LogStore} decorator that fails on command with an {@link InjectedIOException}, to test how Raft
 * copes with a failing disk (for example, a leader whose own {@code storeLogs} fails must step down).
 *
 * <p>Writes ({@code storeLogs}, {@code storeLog}, {@code deleteRange}) and reads ({@code firstIndex},
 * {@code lastIndex}, {@code getLog}, {@code getLogs}) have separate {@link FaultSwitch}es. A failed call
 * never reaches the delegate, so the delegate's state is exactly as before the call; each call counts as
 * one operation, however many entries it covers.
 *
 * <pre>{@code
 * FaultyLogStore logs = new FaultyLogStore(new InmemStore());
 * logs.writes().failNext(1);   // the next append fails, later ones succeed
 * }</pre>
 */
public final class FaultyLogStore implements LogStore {
    private final LogStore delegate;
    private final FaultSwitch writes = new FaultSwitch();
    private final FaultSwitch reads = new FaultSwitch();

    /** A healthy decorator over {@code delegate}. */
    public FaultyLogStore(LogStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The switch for {@code storeLogs}, {@code storeLog} and {@code deleteRange}. */
    public FaultSwitch writes() {
        return writes;
    }

    /** The switch for {@code firstIndex}, {@code lastIndex}, {@code getLog} and {@code getLogs}. */
    public FaultSwitch reads() {
        return reads;
    }

    /** The store that holds the data, for checking what a failed call did (nothing) or did not do. */
    public LogStore delegate() {
        return delegate;
    }

    @Override
    public long firstIndex() throws IOException {
        reads.check("firstIndex");
        return delegate.firstIndex();
    }

    @Override
    public long lastIndex() throws IOException {
        reads.check("lastIndex");
        return delegate.lastIndex();
    }

    @Override
    public Optional<LogEntry> getLog(long index) throws IOException {
        reads.check("getLog");
        return delegate.getLog(index);
    }

    @Override
    public List<LogEntry> getLogs(long from, long to) throws IOException {
        reads.check("getLogs");
        return delegate.getLogs(from, to);
    }

    @Override
    public void storeLog(LogEntry entry) throws IOException {
        writes.check("storeLog");
        delegate.storeLog(entry);
    }

    @Override
    public void storeLogs(List<LogEntry> entries) throws IOException {
        writes.check("storeLogs");
        delegate.storeLogs(entries);
    }

    @Override
    public void deleteRange(long min, long max) throws IOException {
        writes.check("deleteRange");
        delegate.deleteRange(min, max);
    }
}
