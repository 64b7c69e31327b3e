package io.flotilla.raft;

import java.util.Objects;

/**
 * A follower's answer to {@link AppendEntriesRequest} (hashicorp's {@code AppendEntriesResponse}).
 *
 * @param header         protocol header
 * @param term           the follower's current term, so a stale leader learns it
 * @param lastLog        the follower's last log index, a hint for the leader's next index
 * @param success        whether the entries were accepted
 * @param noRetryBackoff whether the leader may retry at once (a log mismatch, not a failure)
 */
public record AppendEntriesResponse(RpcHeader header, long term, long lastLog, boolean success,
                                    boolean noRetryBackoff) implements RpcMessage {
    /** Rejects a {@code null} header. */
    public AppendEntriesResponse {
        Objects.requireNonNull(header, "header");
    }
}
