package io.flotilla.raft;

import java.util.Objects;

/**
 * One member of a cluster configuration.
 *
 * @param suffrage whether its vote counts
 * @param id       its stable identity
 * @param address  where the transport reaches it
 */
public record Server(Suffrage suffrage, ServerId id, ServerAddress address) {
    /** Rejects {@code null} components. */
    public Server {
        Objects.requireNonNull(suffrage, "suffrage");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
    }

    /** A voter. */
    public static Server voter(String id, String address) {
        return new Server(Suffrage.VOTER, ServerId.of(id), ServerAddress.of(address));
    }

    /** A non-voter. */
    public static Server nonvoter(String id, String address) {
        return new Server(Suffrage.NONVOTER, ServerId.of(id), ServerAddress.of(address));
    }

    /** Whether this server votes. */
    public boolean isVoter() {
        return suffrage == Suffrage.VOTER;
    }

    /** This server with another suffrage. */
    public Server withSuffrage(Suffrage newSuffrage) {
        return new Server(newSuffrage, id, address);
    }

    /** This server with another address. */
    public Server withAddress(ServerAddress newAddress) {
        return new Server(suffrage, id, newAddress);
    }

    /** Go's {@code %v} rendering, {@code {Voter id1 addr1}}, so error texts match the seed's. */
    @Override
    public String toString() {
        return "{" + suffrage + " " + id.value() + " " + address.value() + "}";
    }
}
