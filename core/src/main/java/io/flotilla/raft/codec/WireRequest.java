package io.flotilla.raft.codec;

import io.flotilla.raft.RpcMessage;

import java.util.Objects;

/**
 * A request read from the wire: the RPC its type byte named and the decoded request message.
 *
 * @param type    the RPC
 * @param message the request, an instance of {@code type.requestType()}
 */
public record WireRequest(RpcType type, RpcMessage message) {
    /** Rejects a message that is not {@code type}'s request. */
    public WireRequest {
        Objects.requireNonNull(type, "type");
        if (!type.requestType().isInstance(message)) {
            throw new IllegalArgumentException("not a " + type + " request: " + message);
        }
    }

    /** A request message with the type it belongs to. */
    public static WireRequest of(RpcMessage request) {
        return new WireRequest(RpcType.of(request), request);
    }
}
