package io.flotilla.raft.codec;

import io.flotilla.raft.RpcMessage;

import java.util.Objects;
import java.util.Optional;

/**
 * A response as it travels: the responder's error text ({@code ""} for none) and the response message, which
 * is absent when the responder answered with a nil response (msgpack {@code c0}), as hashicorp does after a
 * failed protocol-version check. A responder may also send both an error and a message.
 *
 * @param error    the error text, empty when there was no error
 * @param response the response message, if one was sent
 */
public record WireResponse(String error, Optional<RpcMessage> response) {
    /** Rejects nulls and a message that is a request. */
    public WireResponse {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(response, "response");
        response.ifPresent(m -> {
            if (RpcType.isRequest(m)) {
                throw new IllegalArgumentException("not a response: " + m);
            }
        });
    }

    /** A successful response. */
    public static WireResponse of(RpcMessage response) {
        return new WireResponse("", Optional.of(response));
    }

    /** An error with a response message as well. */
    public static WireResponse of(String error, RpcMessage response) {
        return new WireResponse(error, Optional.of(response));
    }

    /** An error with a nil response. */
    public static WireResponse error(String error) {
        return new WireResponse(error, Optional.empty());
    }

    /** Whether the responder reported an error. */
    public boolean isError() {
        return !error.isEmpty();
    }
}
