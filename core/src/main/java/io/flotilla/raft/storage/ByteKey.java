package io.flotilla.raft.storage;

import io.flotilla.raft.internal.Bytes;

import java.util.Arrays;
import java.util.Objects;

/**
 * A byte-array map key compared by content: Java arrays use identity for {@code equals}, so a key set
 * with one array would otherwise be invisible to a lookup with an equal but distinct array.
 */
final class ByteKey {
    private final byte[] bytes;
    private final int hash;

    ByteKey(byte[] bytes) {
        // Copied so that a caller reusing its array cannot re-key an entry already in a map.
        this.bytes = Objects.requireNonNull(bytes, "key").clone();
        this.hash = Arrays.hashCode(this.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Bytes.describe(bytes);
    }
}
