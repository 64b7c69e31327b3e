package io.flotilla.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;

/**
 * The tunables of a Raft node (hashicorp's {@code Config}), immutable, built with {@link #builder()}.
 * Defaults are hashicorp's {@code DefaultConfig()}; {@link #validate()} applies {@code ValidateConfig}'s rules
 * in the same order with the same error texts.
 *
 * <p>hashicorp's {@code LogOutput} and {@code LogLevel} have no counterpart: Flotilla logs through SLF4J,
 * whose binding decides where messages go and which levels show. {@link Builder#logger} replaces
 * {@code Logger}.
 */
public final class RaftConfig {
    private final int protocolVersion;
    private final Duration heartbeatTimeout;
    private final Duration electionTimeout;
    private final Duration commitTimeout;
    private final int maxAppendEntries;
    private final boolean shutdownOnRemove;
    private final long trailingLogs;
    private final Duration snapshotInterval;
    private final long snapshotThreshold;
    private final Duration leaderLeaseTimeout;
    private final boolean startAsLeader;
    private final ServerId localId;
    private final BlockingQueue<Boolean> notifyQueue;
    private final Logger logger;
    private final boolean noSnapshotRestoreOnStart;

    private RaftConfig(Builder b) {
        this.protocolVersion = b.protocolVersion;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.electionTimeout = b.electionTimeout;
        this.commitTimeout = b.commitTimeout;
        this.maxAppendEntries = b.maxAppendEntries;
        this.shutdownOnRemove = b.shutdownOnRemove;
        this.trailingLogs = b.trailingLogs;
        this.snapshotInterval = b.snapshotInterval;
        this.snapshotThreshold = b.snapshotThreshold;
        this.leaderLeaseTimeout = b.leaderLeaseTimeout;
        this.startAsLeader = b.startAsLeader;
        this.localId = b.localId;
        this.notifyQueue = b.notifyQueue;
        this.logger = b.logger;
        this.noSnapshotRestoreOnStart = b.noSnapshotRestoreOnStart;
    }

    /** A builder with hashicorp's defaults; the local id must still be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Checks the configuration with hashicorp's rules, in its order.
     *
     * @throws IllegalArgumentException with hashicorp's text for the first rule broken
     */
    public RaftConfig validate() {
        if (protocolVersion < 1 || protocolVersion > ProtocolVersion.MAX) {
            // Version 0 is understood on the wire but no longer spoken.
            throw new IllegalArgumentException("Protocol version " + protocolVersion + " must be >= 1 and <= "
                    + ProtocolVersion.MAX);
        }
        if (localId == null || localId.isEmpty()) {
            throw new IllegalArgumentException("LocalID cannot be empty");
        }
        if (isBelow(heartbeatTimeout, 5)) {
            throw new IllegalArgumentException("Heartbeat timeout is too low");
        }
        if (isBelow(electionTimeout, 5)) {
            throw new IllegalArgumentException("Election timeout is too low");
        }
        if (isBelow(commitTimeout, 1)) {
            throw new IllegalArgumentException("Commit timeout is too low");
        }
        if (maxAppendEntries <= 0) {
            throw new IllegalArgumentException("MaxAppendEntries must be positive");
        }
        if (maxAppendEntries > 1024) {
            throw new IllegalArgumentException("MaxAppendEntries is too large");
        }
        if (isBelow(snapshotInterval, 5)) {
            throw new IllegalArgumentException("Snapshot interval is too low");
        }
        if (isBelow(leaderLeaseTimeout, 5)) {
            throw new IllegalArgumentException("Leader lease timeout is too low");
        }
        if (leaderLeaseTimeout.compareTo(heartbeatTimeout) > 0) {
            throw new IllegalArgumentException("Leader lease timeout cannot be larger than heartbeat timeout");
        }
        if (electionTimeout.compareTo(heartbeatTimeout) < 0) {
            throw new IllegalArgumentException("Election timeout must be equal or greater than Heartbeat Timeout");
        }
        return this;
    }

    private static boolean isBelow(Duration d, long millis) {
        return d.compareTo(Duration.ofMillis(millis)) < 0;
    }

    /** The protocol version this server speaks (1..3, default 3). */
    public int protocolVersion() {
        return protocolVersion;
    }

    /** How long a follower waits without leader contact before campaigning (randomized to [T, 2T)). */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** How long a candidate waits before restarting an election (randomized); also the transfer deadline. */
    public Duration electionTimeout() {
        return electionTimeout;
    }

    /** How often, at most, a leader pushes its commit index without new entries (randomized to [T, 2T)). */
    public Duration commitTimeout() {
        return commitTimeout;
    }

    /** The most entries sent in one AppendEntries, written in one group commit, and applied in one FSM batch. */
    public int maxAppendEntries() {
        return maxAppendEntries;
    }

    /** Whether a leader that removed itself shuts down (else it becomes a follower). */
    public boolean shutdownOnRemove() {
        return shutdownOnRemove;
    }

    /** How many log entries to keep after a snapshot, so slightly-behind followers avoid a snapshot install. */
    public long trailingLogs() {
        return trailingLogs;
    }

    /** How often to check whether to snapshot (randomized to [T, 2T)). */
    public Duration snapshotInterval() {
        return snapshotInterval;
    }

    /** How many new entries since the last snapshot trigger a new one. */
    public long snapshotThreshold() {
        return snapshotThreshold;
    }

    /** How long a leader keeps leading without hearing from a quorum. */
    public Duration leaderLeaseTimeout() {
        return leaderLeaseTimeout;
    }

    /** Testing only: start as leader without an election. Can cause split brain. */
    public boolean startAsLeader() {
        return startAsLeader;
    }

    /** This server's id. */
    public ServerId localId() {
        return localId;
    }

    /**
     * A queue that receives {@code true} on gaining and {@code false} on losing leadership (hashicorp's
     * {@code NotifyCh}). Raft blocks until the value is accepted, so give it room or drain it.
     */
    public Optional<BlockingQueue<Boolean>> notifyQueue() {
        return Optional.ofNullable(notifyQueue);
    }

    /** The logger Raft writes to. */
    public Logger logger() {
        return logger;
    }

    /** Whether to skip restoring the FSM from the newest snapshot at startup (its metadata is still used). */
    public boolean noSnapshotRestoreOnStart() {
        return noSnapshotRestoreOnStart;
    }

    @Override
    public String toString() {
        return "RaftConfig[protocolVersion=" + protocolVersion + ", heartbeatTimeout=" + heartbeatTimeout
                + ", electionTimeout=" + electionTimeout + ", commitTimeout=" + commitTimeout
                + ", maxAppendEntries=" + maxAppendEntries + ", shutdownOnRemove=" + shutdownOnRemove
                + ", trailingLogs=" + trailingLogs + ", snapshotInterval=" + snapshotInterval
                + ", snapshotThreshold=" + snapshotThreshold + ", leaderLeaseTimeout=" + leaderLeaseTimeout
                + ", startAsLeader=" + startAsLeader + ", localId=" + localId
                + ", noSnapshotRestoreOnStart=" + noSnapshotRestoreOnStart + "]";
    }

    /** Builds a {@link RaftConfig}; starts from hashicorp's defaults. */
    public static final class Builder {
        private int protocolVersion = ProtocolVersion.MAX;
        private Duration heartbeatTimeout = Duration.ofMillis(1000);
        private Duration electionTimeout = Duration.ofMillis(1000);
        private Duration commitTimeout = Duration.ofMillis(50);
        private int maxAppendEntries = 64;
        private boolean shutdownOnRemove = true;
        private long trailingLogs = 10240;
        private Duration snapshotInterval = Duration.ofSeconds(120);
        private long snapshotThreshold = 8192;
        private Duration leaderLeaseTimeout = Duration.ofMillis(500);
        private boolean startAsLeader;
        private ServerId localId;
        private BlockingQueue<Boolean> notifyQueue;
        private Logger logger = LoggerFactory.getLogger("io.flotilla.raft");
        private boolean noSnapshotRestoreOnStart;

        private Builder() {
        }

        private Builder(RaftConfig c) {
            protocolVersion = c.protocolVersion;
            heartbeatTimeout = c.heartbeatTimeout;
            electionTimeout = c.electionTimeout;
            commitTimeout = c.commitTimeout;
            maxAppendEntries = c.maxAppendEntries;
            shutdownOnRemove = c.shutdownOnRemove;
            trailingLogs = c.trailingLogs;
            snapshotInterval = c.snapshotInterval;
            snapshotThreshold = c.snapshotThreshold;
            leaderLeaseTimeout = c.leaderLeaseTimeout;
            startAsLeader = c.startAsLeader;
            localId = c.localId;
            notifyQueue = c.notifyQueue;
            logger = c.logger;
            noSnapshotRestoreOnStart = c.noSnapshotRestoreOnStart;
        }

        /** See {@link RaftConfig#protocolVersion()}. */
        public Builder protocolVersion(int v) {
            protocolVersion = v;
            return this;
        }

        /** See {@link RaftConfig#heartbeatTimeout()}. */
        public Builder heartbeatTimeout(Duration d) {
            heartbeatTimeout = Objects.requireNonNull(d, "heartbeatTimeout");
            return this;
        }

        /** See {@link RaftConfig#electionTimeout()}. */
        public Builder electionTimeout(Duration d) {
            electionTimeout = Objects.requireNonNull(d, "electionTimeout");
            return this;
        }

        /** See {@link RaftConfig#commitTimeout()}. */
        public Builder commitTimeout(Duration d) {
            commitTimeout = Objects.requireNonNull(d, "commitTimeout");
            return this;
        }

        /** See {@link RaftConfig#maxAppendEntries()}. */
        public Builder maxAppendEntries(int n) {
            maxAppendEntries = n;
            return this;
        }

        /** See {@link RaftConfig#shutdownOnRemove()}. */
        public Builder shutdownOnRemove(boolean b) {
            shutdownOnRemove = b;
            return this;
        }

        /** See {@link RaftConfig#trailingLogs()}. */
        public Builder trailingLogs(long n) {
            trailingLogs = n;
            return this;
        }

        /** See {@link RaftConfig#snapshotInterval()}. */
        public Builder snapshotInterval(Duration d) {
            snapshotInterval = Objects.requireNonNull(d, "snapshotInterval");
            return this;
        }

        /** See {@link RaftConfig#snapshotThreshold()}. */
        public Builder snapshotThreshold(long n) {
            snapshotThreshold = n;
            return this;
        }

        /** See {@link RaftConfig#leaderLeaseTimeout()}. */
        public Builder leaderLeaseTimeout(Duration d) {
            leaderLeaseTimeout = Objects.requireNonNull(d, "leaderLeaseTimeout");
            return this;
        }

        /** See {@link RaftConfig#startAsLeader()}. */
        public Builder startAsLeader(boolean b) {
            startAsLeader = b;
            return this;
        }

        /** See {@link RaftConfig#localId()}. */
        public Builder localId(ServerId id) {
            localId = id;
            return this;
        }

        /** Shorthand for {@code localId(ServerId.of(id))}. */
        public Builder localId(String id) {
            return localId(ServerId.of(id));
        }

        /** See {@link RaftConfig#notifyQueue()}; {@code null} for none. */
        public Builder notifyQueue(BlockingQueue<Boolean> queue) {
            notifyQueue = queue;
            return this;
        }

        /** See {@link RaftConfig#logger()}. */
        public Builder logger(Logger l) {
            logger = Objects.requireNonNull(l, "logger");
            return this;
        }

        /** See {@link RaftConfig#noSnapshotRestoreOnStart()}. */
        public Builder noSnapshotRestoreOnStart(boolean b) {
            noSnapshotRestoreOnStart = b;
            return this;
        }

        /** The configuration; not validated until {@link RaftConfig#validate()} (Raft validates on use). */
        public RaftConfig build() {
            return new RaftConfig(this);
        }
    }
}
