package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.StableStore;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StableStore} decorator that fails on command with an {@link InjectedIOException}, to test how Raft
 * copes when it cannot persist or read its term and vote.
 *
 * <p>Writes ({@code set}, {@code setUint64}) and reads ({@code get}, {@code getUint64}) have separate
 * {@link FaultSwitch}es. A failed call never reaches the delegate.
 */
public final class FaultyStableStore implements StableStore {
    private final StableStore delegate;
    private final FaultSwitch writes = new FaultSwitch();
    private final FaultSwitch reads = new FaultSwitch();

    /** A healthy decorator over {@code delegate}. */
    public FaultyStableStore(StableStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The switch for {@code set} and {@code setUint64}. */
    public FaultSwitch writes() {
        return writes;
    }

    /** The switch for {@code get} and {@code getUint64}. */
    public FaultSwitch reads() {
        return reads;
    }

    /** The store that holds the data. */
    public StableStore delegate() {
        return delegate;
    }

    @Override
    public void set(byte[] key, byte[] value) throws IOException {
        writes.check("set");
        delegate.set(key, value);
    }

    @Override
    public Optional<byte[]> get(byte[] key) throws IOException {
        reads.check("get");
        return delegate.get(key);
    }

    @Override
    public void setUint64(byte[] key, long value) throws IOException {
        writes.check("setUint64");
        delegate.setUint64(key, value);
    }

    @Override
    public long getUint64(byte[] key) throws IOException {
        reads.check("getUint64");
        return delegate.getUint64(key);
    }
}
