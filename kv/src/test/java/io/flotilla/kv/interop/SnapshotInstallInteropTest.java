package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (d) InstallSnapshot in both directions. Small thresholds make the leader snapshot and compact its log, so a
 * fresh node of the other implementation can only catch up from the leader's snapshot: the snapshot stream (the
 * InstallSnapshot RPC and the KV snapshot format) must be understood on the other side.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SnapshotInstallInteropTest {
    /** A snapshot every 16 entries, checked every 50-100 ms, keeping 4 entries behind it. */
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults().withSnapshots(THRESHOLD, Duration.ofMillis(50), 4));

    private static final long THRESHOLD = 16;

    /** Big values first, so the snapshot (about 1.2 MB) holds them and spans many TCP segments and buffers. */
    private static long writeWorkload(KvNode leader, Model model) {
        for (int i = 0; i < 6; i++) {
            model.put(leader, "big-" + i, ("" + i).repeat(200_000));
        }
        return model.putMany(leader, "small", 50);
    }

    /**
     * Waits for the leader's last automatic snapshot, which must come within {@code THRESHOLD} entries of the last
     * write (else another one is due); with 4 trailing entries the log then no longer starts at index 1.
     */
    private long awaitCompacted(KvNode leader, long last) {
        long atLeast = last - THRESHOLD + 1;
        Poll.until(MixedCluster.WAIT, leader + " to snapshot at index " + atLeast + " or later", cluster::diagnostics,
                () -> leader.lastSnapshotIndex() >= atLeast);
        return atLeast;
    }

    @Test
    void a_fresh_flotilla_node_catches_up_from_a_go_leaders_snapshot() {
        GoNode g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        Model model = new Model();
        long last = writeWorkload(g1, model);
        long snapshotIndex = awaitCompacted(g1, last);

        JavaNode j1 = cluster.java("j1");
        g1.addVoter(j1); // commits only once j1 has installed the snapshot and acknowledged the entry
        List<KvNode> all = List.of(g1, j1);
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(j1.restores()).as("snapshots j1 restored").isGreaterThanOrEqualTo(1);
        // Raft records the installed snapshot just after the FSM restored it (Go and Java alike): poll.
        Poll.until(MixedCluster.WAIT, "j1 to record the installed snapshot", cluster::diagnostics,
                () -> j1.lastSnapshotIndex() >= snapshotIndex);
        assertThat(j1.fsm().get("big-5").value()).hasValueSatisfying(v -> assertThat(v).hasSize(200_000));

        // Replication goes on from the snapshot onwards.
        last = model.putMany(g1, "after", 20);
        d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(model.keys());

        // Relay: j1, whose log starts after Go's snapshot, leads and must bring a fresh Go node up from a
        // snapshot of its own (or the one it installed, configuration blob included).
        g1.transferLeadershipTo(j1);
        cluster.awaitLeader(j1, all);
        GoNode g2 = cluster.go("g2");
        j1.addVoter(g2);
        last = model.putMany(j1, "relay", 5);
        all = List.of(g1, j1, g2);
        d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(g2.restores()).as("snapshots g2 restored").isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_fresh_go_node_catches_up_from_a_flotilla_leaders_snapshot() {
        JavaNode j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        Model model = new Model();
        long last = writeWorkload(j1, model);
        long snapshotIndex = awaitCompacted(j1, last);

        GoNode g1 = cluster.go("g1");
        j1.addVoter(g1);
        List<KvNode> all = List.of(j1, g1);
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(g1.restores()).as("snapshots g1 restored").isGreaterThanOrEqualTo(1);
        // Raft records the installed snapshot just after the FSM restored it (Go and Java alike): poll.
        Poll.until(MixedCluster.WAIT, "g1 to record the installed snapshot", cluster::diagnostics,
                () -> g1.lastSnapshotIndex() >= snapshotIndex);
        assertThat(g1.staleGet("big-5")).hasSize(200_000);

        last = model.putMany(j1, "after", 20);
        d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(model.keys());

        // Relay: g1, whose log starts after Flotilla's snapshot, leads and must bring a fresh Flotilla node up
        // from a snapshot.
        j1.transferLeadershipTo(g1);
        cluster.awaitLeader(g1, all);
        JavaNode j2 = cluster.java("j2");
        g1.addVoter(j2);
        last = model.putMany(g1, "relay", 5);
        all = List.of(j1, g1, j2);
        d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(j2.restores()).as("snapshots j2 restored").isGreaterThanOrEqualTo(1);
    }
}
