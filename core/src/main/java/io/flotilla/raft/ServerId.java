package io.flotilla.raft;

import java.util.Objects;

/**
 * A server's unique, stable identity in the cluster (hashicorp's {@code ServerID}). It may differ from
 * the server's network address. An empty id is representable so that invalid configurations can be
 * described in errors; {@link Configuration#check()} rejects it.
 *
 * @param value the id
 */
public record ServerId(String value) implements Comparable<ServerId> {
    /** Rejects {@code null}. */
    public ServerId {
        Objects.requireNonNull(value, "server id");
    }

    /** Shorthand for {@code new ServerId(value)}. */
    public static ServerId of(String value) {
        return new ServerId(value);
    }

    /** Whether the id is the empty string. */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public int compareTo(ServerId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
