package io.flotilla.raft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The membership of a cluster: an ordered list of servers with their suffrage. Immutable. Order is
 * significant (it is preserved in the log and used for tie-breaks), as in hashicorp/raft.
 *
 * <p>The membership rules live here: {@link #check()} (hashicorp's {@code checkConfiguration}),
 * {@link #next(long, ConfigurationChangeRequest)} ({@code nextConfiguration}) and {@link #hasVote(ServerId)}.
 *
 * @param servers the members, in order
 */
public record Configuration(List<Server> servers) {

    /** The configuration with no servers. */
    public static final Configuration EMPTY = new Configuration(List.of());

    /** Copies the list; rejects {@code null} members. */
    public Configuration {
        servers = List.copyOf(servers);
    }

    /** A configuration of the given servers, in order. */
    public static Configuration of(Server... servers) {
        return new Configuration(List.of(servers));
    }

    /** Whether there are no servers. */
    public boolean isEmpty() {
        return servers.isEmpty();
    }

    /** The server with this id, if it is a member. */
    public Optional<Server> server(ServerId id) {
        for (Server s : servers) {
            if (s.id().equals(id)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Whether the server with this id is a member with a vote. */
    public boolean hasVote(ServerId id) {
        return server(id).map(Server::isVoter).orElse(false);
    }

    /** The voting members, in order. */
    public List<Server> voters() {
        return servers.stream().filter(Server::isVoter).collect(Collectors.toUnmodifiableList());
    }

    /** How many votes make a majority of this configuration's voters (1 when there are none). */
    public int quorumSize() {
        return voters().size() / 2 + 1;
    }

    /**
     * Checks the configuration is usable: non-empty unique ids and addresses, and at least one voter.
     * The first problem found, in server order, is reported with hashicorp's error text.
     *
     * @throws ConfigurationException describing the first problem
     */
    public void check() {
        Set<ServerId> ids = new HashSet<>();
        Set<ServerAddress> addresses = new HashSet<>();
        int voters = 0;
        for (Server server : servers) {
            if (server.id().isEmpty()) {
                throw new ConfigurationException("Empty ID in configuration: " + this);
            }
            if (server.address().isEmpty()) {
                throw new ConfigurationException("Empty address in configuration: " + server);
            }
            if (!ids.add(server.id())) {
                throw new ConfigurationException("Found duplicate ID in configuration: " + server.id().value());
            }
            if (!addresses.add(server.address())) {
                throw new ConfigurationException(
                        "Found duplicate address in configuration: " + server.address().value());
            }
            if (server.isVoter()) {
                voters++;
            }
        }
        if (voters == 0) {
            throw new ConfigurationException("Need at least one voter in configuration: " + this);
        }
    }

    /**
     * The configuration that results from applying a change to this one, which is the latest configuration
     * at {@code currentIndex}. The result is checked with {@link #check()}.
     *
     * @throws ConfigurationException if {@code prevIndex} no longer matches, or the result is invalid
     */
    public Configuration next(long currentIndex, ConfigurationChangeRequest change) {
        if (change.prevIndex() != 0 && change.prevIndex() != currentIndex) {
            throw new ConfigurationException("Configuration changed since " + Long.toUnsignedString(change.prevIndex())
                    + " (latest is " + Long.toUnsignedString(currentIndex) + ")");
        }
        List<Server> next = new ArrayList<>(servers);
        int at = indexOf(change.serverId());
        switch (change.command()) {
            case ADD_STAGING -> {
                // hashicorp 1.1.2 does not implement staging: the server gets its vote at once.
                Server added = new Server(Suffrage.VOTER, change.serverId(), change.address());
                if (at < 0) {
                    next.add(added);
                } else if (next.get(at).isVoter()) {
                    next.set(at, next.get(at).withAddress(change.address()));
                } else {
                    next.set(at, added);
                }
            }
            case ADD_NONVOTER -> {
                Server added = new Server(Suffrage.NONVOTER, change.serverId(), change.address());
                if (at < 0) {
                    next.add(added);
                } else if (next.get(at).suffrage() != Suffrage.NONVOTER) {
                    // An existing voter or staging server keeps its suffrage; only its address changes.
                    next.set(at, next.get(at).withAddress(change.address()));
                } else {
                    next.set(at, added);
                }
            }
            case DEMOTE_VOTER -> {
                if (at >= 0) {
                    next.set(at, next.get(at).withSuffrage(Suffrage.NONVOTER));
                }
            }
            case REMOVE_SERVER -> {
                if (at >= 0) {
                    next.remove(at);
                }
            }
            case PROMOTE -> {
                if (at >= 0 && next.get(at).suffrage() == Suffrage.STAGING) {
                    next.set(at, next.get(at).withSuffrage(Suffrage.VOTER));
                }
            }
            default -> throw new IllegalStateException("unhandled command " + change.command());
        }
        Configuration result = new Configuration(next);
        result.check();
        return result;
    }

    private int indexOf(ServerId id) {
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Go's {@code %v} rendering, {@code {[{Voter id1 addr1} {Nonvoter id2 addr2}]}}, as in the seed's errors. */
    @Override
    public String toString() {
        return servers.stream().map(Server::toString).collect(Collectors.joining(" ", "{[", "]}"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Configuration c && servers.equals(c.servers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(servers);
    }
}
