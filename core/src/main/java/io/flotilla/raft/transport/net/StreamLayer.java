package io.flotilla.raft.transport.net;

import io.flotilla.raft.ServerAddress;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/**
 * What a {@link NetworkTransport} runs over (hashicorp's {@code StreamLayer}): a listener that accepts
 * connections, a way to dial a peer, and the address peers should dial to reach this node. {@link TcpStreamLayer}
 * carries plain TCP, {@link TlsStreamLayer} mutually authenticated TLS.
 *
 * <p>Connections are {@link Socket}s so that the transport can bound reads with socket timeouts. An
 * {@link javax.net.ssl.SSLSocket} returned by {@link #accept()} may still be before its handshake: the transport
 * runs the handshake on the connection's own thread, bounded by its request read timeout, so a slow or silent
 * client never stalls the accept loop.
 */
public interface StreamLayer extends Closeable {
    /**
     * Waits for the next inbound connection.
     *
     * @throws IOException if accepting failed; after {@link #close()} every call fails
     */
    Socket accept() throws IOException;

    /**
     * Opens a connection to a peer, ready for RPC bytes (for TLS, handshake done).
     *
     * @param address the peer's address, as it advertises it
     * @param timeout how long connecting may take; zero means no limit
     */
    Socket dial(ServerAddress address, Duration timeout) throws IOException;

    /** The address peers dial to reach this node (hashicorp's {@code Addr()}). */
    ServerAddress address();

    /** Stops listening; a blocked {@link #accept()} fails. Connections already made stay open. Idempotent. */
    @Override
    void close() throws IOException;
}
