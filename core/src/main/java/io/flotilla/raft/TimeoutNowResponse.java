package io.flotilla.raft;

import java.util.Objects;

/**
 * The target's answer to {@link TimeoutNowRequest} (hashicorp's {@code TimeoutNowResponse}).
 *
 * @param header protocol header (hashicorp sends version 0 here)
 */
public record TimeoutNowResponse(RpcHeader header) implements RpcMessage {
    /** Rejects a {@code null} header. */
    public TimeoutNowResponse {
        Objects.requireNonNull(header, "header");
    }
}
