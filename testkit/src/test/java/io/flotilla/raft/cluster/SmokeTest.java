package io.flotilla.raft.cluster;

import io.flotilla.raft.ApplyResult;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.testkit.cluster.Cluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void singleNode() throws Exception {
        try (Cluster c = Cluster.make(1)) {
            Raft leader = c.awaitLeader();
            ApplyResult r = leader.apply("test".getBytes(), Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS);
            assertThat(r.response()).isEqualTo(1);
            assertThat(r.index()).isPositive();
            c.waitForReplication(1);
        }
    }

    @Test
    void tripleNode() throws Exception {
        try (Cluster c = Cluster.make(3)) {
            Raft leader = c.leader();
            c.ensureLeader(leader.localAddress());
            leader.apply("test".getBytes(), Duration.ZERO).get(5, TimeUnit.SECONDS);
            c.waitForReplication(1);
            assertThat(leader.state()).isEqualTo(RaftState.LEADER);
        }
    }
}
