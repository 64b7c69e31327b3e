package io.flotilla.raft;

import java.util.Objects;

/**
 * A server's network address as the transport understands it (hashicorp's {@code ServerAddress}), for
 * example {@code 127.0.0.1:7001} for TCP. An empty address means "unknown" where an API returns one.
 *
 * @param value the address
 */
public record ServerAddress(String value) {
    /** The empty address: no known server. */
    public static final ServerAddress NONE = new ServerAddress("");

    /** Rejects {@code null}. */
    public ServerAddress {
        Objects.requireNonNull(value, "server address");
    }

    /** Shorthand for {@code new ServerAddress(value)}. */
    public static ServerAddress of(String value) {
        return new ServerAddress(value);
    }

    /** Whether the address is the empty string. */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value;
    }
}
