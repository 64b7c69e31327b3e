package io.flotilla.raft;

/**
 * Any Raft RPC request or response. Every message carries an {@link RpcHeader}; field names and types
 * follow hashicorp/raft 1.1.2 so the network codec can produce its exact bytes.
 */
public sealed interface RpcMessage permits AppendEntriesRequest, AppendEntriesResponse, RequestVoteRequest,
        RequestVoteResponse, InstallSnapshotRequest, InstallSnapshotResponse, TimeoutNowRequest, TimeoutNowResponse {
    /** The message's protocol header. */
    RpcHeader header();
}
