package io.flotilla.kv.interop;

import io.flotilla.raft.RaftConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The raft settings every node of a mixed cluster runs with, rendered both as gopeer flags and as a Flotilla
 * {@link RaftConfig}, so Go and Java nodes time out, snapshot and compact alike.
 */
record Settings(Duration heartbeatTimeout, Duration electionTimeout, Duration leaderLeaseTimeout,
                Duration commitTimeout, long snapshotThreshold, Duration snapshotInterval, long trailingLogs,
                int protocolVersion) {

    /**
     * Short but safe on a busy 2-core machine running a JVM and several Go processes: a leader heartbeats every
     * 50-100 ms, a follower waits 500-1000 ms before campaigning, a leader steps down after 500 ms without hearing
     * from a quorum. The lease is as long as allowed (at most the heartbeat timeout) because all Flotilla nodes
     * share the test JVM: a GC pause (over 200 ms seen on a loaded machine) silences them all at once, and a
     * 250 ms lease made a Go leader with two Flotilla followers step down. Snapshots effectively off.
     */
    static Settings defaults() {
        return new Settings(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500),
                Duration.ofMillis(20), 8192, Duration.ofSeconds(120), 10240, 3);
    }

    /** Automatic snapshots every few entries, keeping only a short log behind them. */
    Settings withSnapshots(long threshold, Duration interval, long trailing) {
        return new Settings(heartbeatTimeout, electionTimeout, leaderLeaseTimeout, commitTimeout, threshold, interval,
                trailing, protocolVersion);
    }

    Settings withLeaderLease(Duration lease) {
        return new Settings(heartbeatTimeout, electionTimeout, lease, commitTimeout, snapshotThreshold,
                snapshotInterval, trailingLogs, protocolVersion);
    }

    /** Below 3, hashicorp requires every server's id to be its address (and so does the harness then). */
    Settings withProtocolVersion(int version) {
        return new Settings(heartbeatTimeout, electionTimeout, leaderLeaseTimeout, commitTimeout, snapshotThreshold,
                snapshotInterval, trailingLogs, version);
    }

    boolean idsAreAddresses() {
        return protocolVersion < 3;
    }

    List<String> goFlags() {
        List<String> f = new ArrayList<>();
        f.add("--heartbeat-timeout");
        f.add(go(heartbeatTimeout));
        f.add("--election-timeout");
        f.add(go(electionTimeout));
        f.add("--leader-lease-timeout");
        f.add(go(leaderLeaseTimeout));
        f.add("--commit-timeout");
        f.add(go(commitTimeout));
        f.add("--snapshot-threshold");
        f.add(Long.toString(snapshotThreshold));
        f.add("--snapshot-interval");
        f.add(go(snapshotInterval));
        f.add("--trailing-logs");
        f.add(Long.toString(trailingLogs));
        f.add("--protocol-version");
        f.add(Integer.toString(protocolVersion));
        return f;
    }

    RaftConfig raftConfig(String id) {
        return RaftConfig.builder()
                .localId(id)
                .heartbeatTimeout(heartbeatTimeout)
                .electionTimeout(electionTimeout)
                .leaderLeaseTimeout(leaderLeaseTimeout)
                .commitTimeout(commitTimeout)
                .snapshotThreshold(snapshotThreshold)
                .snapshotInterval(snapshotInterval)
                .trailingLogs(trailingLogs)
                .protocolVersion(protocolVersion)
                .build()
                .validate();
    }

    private static String go(Duration d) {
        return d.toMillis() + "ms";
    }
}
