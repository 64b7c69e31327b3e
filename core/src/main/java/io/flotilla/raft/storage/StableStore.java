package io.flotilla.raft.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * Durable key/value storage for the few values Raft must never forget — the current term and the last
 * vote (hashicorp's {@code StableStore}). A {@code set} must be durable when it returns.
 *
 * <p>Keys are compared by content, not identity, and neither keys nor values may be {@code null}. A key set
 * to an empty array is present: {@link #get} returns the empty array, not empty. Implementations must be safe
 * for use from several threads.
 */
public interface StableStore {
    /** Stores a value under a key. */
    void set(byte[] key, byte[] value) throws IOException;

    /** The value stored under a key, or empty when there is none. */
    Optional<byte[]> get(byte[] key) throws IOException;

    /** Stores an unsigned 64-bit value under a key. */
    void setUint64(byte[] key, long value) throws IOException;

    /** The unsigned 64-bit value stored under a key, or 0 when there is none. */
    long getUint64(byte[] key) throws IOException;
}
