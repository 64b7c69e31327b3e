package io.flotilla.raft.transport;

/**
 * Receives the RPC requests that arrive at a {@link Transport} (hashicorp's {@code Consumer()} channel plus the
 * heartbeat handler). It must return quickly and answer each request exactly once, possibly later and from
 * another thread, through {@link IncomingRpc#respond}.
 */
@FunctionalInterface
public interface RpcHandler {
    /** Handles one request. */
    void handle(IncomingRpc rpc);
}
