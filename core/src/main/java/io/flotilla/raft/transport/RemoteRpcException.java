package io.flotilla.raft.transport;

import java.io.IOException;

/**
 * The peer answered an RPC with an error text (for example {@code operation not supported with current
 * protocol version}). As in hashicorp's NetworkTransport, only the text survives the network.
 */
public class RemoteRpcException extends IOException {
    /** An exception carrying the peer's error text. */
    public RemoteRpcException(String message) {
        super(message);
    }
}
