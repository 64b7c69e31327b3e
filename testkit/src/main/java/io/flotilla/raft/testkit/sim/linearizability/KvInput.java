package io.flotilla.raft.testkit.sim.linearizability;

import java.util.Objects;

/**
 * An operation on one key of a key-value store (or one register): read it, write it, or compare-and-set it.
 *
 * @param kind     which operation
 * @param key      the key
 * @param value    the value written (write, cas); {@code null} for a read
 * @param expected the value a cas expects ({@code null} = expects the key absent)
 */
public record KvInput(Kind kind, String key, String value, String expected) {
    /** The operations. */
    public enum Kind {
        /** Returns the current value (or {@code null} when absent). */
        READ,
        /** Sets the value. */
        WRITE,
        /** Sets the value if the current one equals {@code expected}; returns whether it did. */
        CAS
    }

    /** Rejects a {@code null} kind or key. */
    public KvInput {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
    }

    /** A read of {@code key}. */
    public static KvInput read(String key) {
        return new KvInput(Kind.READ, key, null, null);
    }

    /** A write of {@code value} to {@code key}. */
    public static KvInput write(String key, String value) {
        return new KvInput(Kind.WRITE, key, value, null);
    }

    /** A compare-and-set of {@code key} from {@code expected} to {@code value}. */
    public static KvInput cas(String key, String expected, String value) {
        return new KvInput(Kind.CAS, key, value, expected);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case READ -> "read(" + key + ")";
            case WRITE -> "write(" + key + "=" + value + ")";
            case CAS -> "cas(" + key + ":" + expected + "->" + value + ")";
        };
    }
}
