package io.flotilla.raft;

import java.util.Objects;

/**
 * Sent by a leader transferring leadership: the target starts an election at once
 * (hashicorp's {@code TimeoutNowRequest}).
 *
 * @param header protocol header
 */
public record TimeoutNowRequest(RpcHeader header) implements RpcMessage {
    /** Rejects a {@code null} header. */
    public TimeoutNowRequest {
        Objects.requireNonNull(header, "header");
    }
}
