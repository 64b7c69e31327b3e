package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;

/**
 * The four RPCs of the network transport, with the type byte that starts each request frame
 * (hashicorp's {@code rpcAppendEntries} ... {@code rpcTimeoutNow}); never renumber.
 */
public enum RpcType {
    /** Type byte 0. */
    APPEND_ENTRIES(0, AppendEntriesRequest.class, AppendEntriesResponse.class),
    /** Type byte 1. */
    REQUEST_VOTE(1, RequestVoteRequest.class, RequestVoteResponse.class),
    /** Type byte 2; the request is followed by its {@code Size} bytes of snapshot data. */
    INSTALL_SNAPSHOT(2, InstallSnapshotRequest.class, InstallSnapshotResponse.class),
    /** Type byte 3. */
    TIMEOUT_NOW(3, TimeoutNowRequest.class, TimeoutNowResponse.class);

    private static final RpcType[] BY_CODE = values();

    private final int code;
    private final Class<? extends RpcMessage> requestType;
    private final Class<? extends RpcMessage> responseType;

    RpcType(int code, Class<? extends RpcMessage> requestType, Class<? extends RpcMessage> responseType) {
        this.code = code;
        this.requestType = requestType;
        this.responseType = responseType;
    }

    /** The type byte. */
    public int code() {
        return code;
    }

    /** The class of this RPC's request message. */
    public Class<? extends RpcMessage> requestType() {
        return requestType;
    }

    /** The class of this RPC's response message. */
    public Class<? extends RpcMessage> responseType() {
        return responseType;
    }

    /**
     * The RPC a type byte names.
     *
     * @throws CodecException {@code unknown rpc type N}, the Go server's words, for any other byte
     */
    public static RpcType fromCode(int code) throws CodecException {
        if (code < 0 || code >= BY_CODE.length) {
            throw new CodecException("unknown rpc type " + code);
        }
        return BY_CODE[code];
    }

    /** The RPC a request or response message belongs to. */
    public static RpcType of(RpcMessage message) {
        for (RpcType type : BY_CODE) {
            if (type.requestType.isInstance(message) || type.responseType.isInstance(message)) {
                return type;
            }
        }
        throw new IllegalArgumentException("not an RPC message: " + message);
    }

    /** Whether the message is a request (rather than a response). */
    public static boolean isRequest(RpcMessage message) {
        return of(message).requestType.isInstance(message);
    }
}
