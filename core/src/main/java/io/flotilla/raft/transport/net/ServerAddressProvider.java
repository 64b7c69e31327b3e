package io.flotilla.raft.transport.net;

import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;

import java.io.IOException;

/**
 * Looks up a server's current address by its id (hashicorp's {@code ServerAddressProvider}), for clusters whose
 * addresses change while ids stay. When set, the {@link NetworkTransport} dials the address it returns instead of
 * the one in the configuration, and names servers by it in {@code encodePeer}; when it fails, the transport falls
 * back to the given address.
 */
@FunctionalInterface
public interface ServerAddressProvider {
    /**
     * The address of server {@code id}.
     *
     * @throws IOException if the address is not known; the caller then uses its fallback
     */
    ServerAddress serverAddress(ServerId id) throws IOException;
}
