package io.flotilla.raft;

import java.util.Objects;

/**
 * A follower's answer to {@link InstallSnapshotRequest} (hashicorp's {@code InstallSnapshotResponse}).
 *
 * @param header  protocol header (hashicorp sends version 0 here)
 * @param term    the follower's current term
 * @param success whether the snapshot was installed
 */
public record InstallSnapshotResponse(RpcHeader header, long term, boolean success) implements RpcMessage {
    /** Rejects a {@code null} header. */
    public InstallSnapshotResponse {
        Objects.requireNonNull(header, "header");
    }
}
