package io.flotilla.raft.transport;

import io.flotilla.raft.ServerAddress;

/**
 * A {@link Transport} whose routes to peers are wired by hand rather than found on a network (hashicorp's
 * {@code LoopbackTransport}, which is {@code Transport} + {@code WithPeers} + {@code WithClose}). Test
 * harnesses use it to build clusters and to partition them.
 *
 * @param <T> the kind of transport this one can be connected to
 */
public interface LoopbackTransport<T extends LoopbackTransport<T>> extends Transport {
    /** Routes RPCs for {@code peer} to {@code transport}; replaces any earlier route to that address. */
    void connect(ServerAddress peer, T transport);

    /** Removes the route to {@code peer} and closes every pipeline to it. */
    void disconnect(ServerAddress peer);

    /** Removes every route and closes every pipeline. */
    void disconnectAll();
}
