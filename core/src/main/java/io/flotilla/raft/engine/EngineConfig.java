package io.flotilla.raft.engine;

import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;

import java.util.Objects;

/**
 * What the engine needs to know about its node and its timing, in engine-clock nanoseconds.
 *
 * @param localId            this server's id
 * @param localAddress       this server's transport address
 * @param peerCodec          how peers are named on the wire
 * @param protocolVersion    the protocol version spoken
 * @param heartbeatTimeout   follower timeout before an election (randomized to [T, 2T))
 * @param electionTimeout    candidate timeout before a new election (randomized); leadership transfer deadline
 * @param commitTimeout      how often, at most, a leader pushes its commit index without new entries
 * @param leaderLeaseTimeout how long a leader leads without hearing from a quorum
 * @param maxAppendEntries   entries per AppendEntries
 * @param trailingLogs       entries kept behind a snapshot
 * @param shutdownOnRemove   whether a leader that removed itself shuts down
 * @param startAsLeader      testing only: start as leader
 * @param maxInflight        pipelined AppendEntries in flight per follower
 */
public record EngineConfig(ServerId localId, ServerAddress localAddress, PeerCodec peerCodec, int protocolVersion,
                           long heartbeatTimeout, long electionTimeout, long commitTimeout, long leaderLeaseTimeout,
                           int maxAppendEntries, long trailingLogs, boolean shutdownOnRemove, boolean startAsLeader,
                           int maxInflight) {
    /** hashicorp's pipeline depth ({@code rpcMaxPipeline}). */
    public static final int DEFAULT_MAX_INFLIGHT = 128;

    /** Rejects {@code null} components. */
    public EngineConfig {
        Objects.requireNonNull(localId, "localId");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(peerCodec, "peerCodec");
    }

    /** The engine settings for a validated {@link RaftConfig}. */
    public static EngineConfig from(RaftConfig c, ServerAddress localAddress, PeerCodec peerCodec) {
        return new EngineConfig(c.localId(), localAddress, peerCodec, c.protocolVersion(),
                c.heartbeatTimeout().toNanos(), c.electionTimeout().toNanos(), c.commitTimeout().toNanos(),
                c.leaderLeaseTimeout().toNanos(), c.maxAppendEntries(), c.trailingLogs(), c.shutdownOnRemove(),
                c.startAsLeader(), DEFAULT_MAX_INFLIGHT);
    }
}
