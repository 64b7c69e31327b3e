package io.flotilla.raft.engine;

import io.flotilla.raft.Server;
import io.flotilla.raft.ServerId;

import java.util.HashMap;
import java.util.Map;

/**
 * What the leader knows about replicating to one follower (hashicorp's {@code followerReplication}, minus the
 * goroutine): how far its log matches ours, what is in flight, whether it is being probed, fed by pipeline, or
 * sent a snapshot, its failure backoff, and its heartbeats.
 */
final class Progress {
    /** How entries reach the follower. */
    enum Mode {
        /** One AppendEntries at a time, walking back until the logs match. */
        PROBE,
        /** Logs match: stream AppendEntries without waiting for answers, up to a bound. */
        PIPELINE,
        /** The entries it needs are compacted: send the newest snapshot. */
        SNAPSHOT
    }

    /** An AppendEntries in flight. */
    record Sent(long prevIndex, long lastIndex, long verifyRound, long sentAt) {
    }

    Server server;
    /** hashicorp's per-peer metric names, built once rather than on every response. */
    final String metricHeartbeat;
    final String metricAppendRpc;
    final String metricAppendLogs;
    final String metricInstallSnapshot;
    long nextIndex;
    long matchIndex;
    Mode mode = Mode.PROBE;
    final Map<Long, Sent> outstanding = new HashMap<>();
    /** In pipeline mode, the last index already sent (optimistically ahead of {@link #nextIndex}). */
    long sentThrough;
    long snapshotCorrelation = -1;
    long snapshotRound;
    long snapshotSentAt;
    int failures;
    long retryAt = Long.MIN_VALUE;
    long lastContact;
    long commitPushAt;
    /** Heartbeats in flight: correlation to the verify round they carry. */
    final Map<Long, Long> heartbeats = new HashMap<>();
    final Map<Long, Long> heartbeatSentAt = new HashMap<>();
    int heartbeatFailures;
    long nextHeartbeatAt;
    /** The newest VerifyLeader round this follower has acknowledged. */
    long ackedRound;

    Progress(Server server, long nextIndex, long now) {
        this.server = server;
        String peer = server.id().value();
        this.metricHeartbeat = "raft.replication.heartbeat." + peer;
        this.metricAppendRpc = "raft.replication.appendEntries.rpc." + peer;
        this.metricAppendLogs = "raft.replication.appendEntries.logs." + peer;
        this.metricInstallSnapshot = "raft.replication.installSnapshot." + peer;
        this.nextIndex = nextIndex;
        this.sentThrough = nextIndex - 1;
        this.lastContact = now;
        this.commitPushAt = now;
        this.nextHeartbeatAt = now;
    }

    ServerId id() {
        return server.id();
    }

    /** Forgets everything in flight and probes from {@link #nextIndex}. */
    void resetToProbe() {
        mode = Mode.PROBE;
        outstanding.clear();
        sentThrough = nextIndex - 1;
    }

    /** When replication to this follower next needs attention, or {@link Long#MAX_VALUE}. */
    long replicationWake(long now, long lastIndex, int maxInflight) {
        switch (mode) {
            case SNAPSHOT:
                return snapshotCorrelation >= 0 ? Long.MAX_VALUE : Math.max(retryAt, now);
            case PROBE:
                if (!outstanding.isEmpty()) {
                    return Long.MAX_VALUE;
                }
                if (retryAt > now) {
                    return retryAt;
                }
                return nextIndex <= lastIndex ? now : commitPushAt;
            case PIPELINE:
            default:
                if (outstanding.size() >= maxInflight) {
                    return Long.MAX_VALUE;
                }
                if (retryAt > now) {
                    return retryAt;
                }
                return sentThrough < lastIndex ? now : commitPushAt;
        }
    }

    @Override
    public String toString() {
        return "Progress[" + server.id() + " next=" + nextIndex + " match=" + matchIndex + " mode=" + mode
                + " inflight=" + outstanding.size() + " failures=" + failures + "]";
    }
}
