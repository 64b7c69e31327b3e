package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flotilla.raft.ServerAddress;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mixed clusters speaking raft protocol versions 1 and 2 (hashicorp's upgrade path from 0.x): server ids are
 * addresses, the bootstrap entry is a legacy {@code RemovePeerDeprecated} entry with the peers encoded as a
 * msgpack list of addresses, and every RPC carries the older version. Only one node bootstraps, so the other kind
 * must decode its legacy bootstrap entry to learn the configuration, and then take over when it dies. Snapshots
 * installed across implementations at these versions carry the legacy peers too.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProtocolVersionInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @ParameterizedTest(name = "protocol version {0}")
    @ValueSource(ints = {1, 2})
    void a_go_leader_then_a_flotilla_leader(int version) {
        cluster.use(Settings.defaults().withProtocolVersion(version));
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1"), List.of("j1", "j2"), false, "g1");
        KvNode g1 = n.get("g1");
        List<KvNode> all = List.copyOf(n.values());
        cluster.awaitLeader(g1, all);
        assertThat(g1.id()).isEqualTo(g1.raftAddress());
        for (KvNode j : List.of(n.get("j1"), n.get("j2"))) {
            cluster.awaitConfiguration(j, all.stream().map(KvNode::id).toList());
            assertThat(j.configuration()).containsExactlyInAnyOrderElementsOf(g1.configuration());
        }
        Model model = new Model();
        long last = model.putMany(g1, "go", 10);
        cluster.awaitConverged(all, last);

        g1.kill();
        List<KvNode> survivors = List.of(n.get("j1"), n.get("j2"));
        KvNode leader = cluster.awaitLeader(survivors);
        last = model.putMany(leader, "java", 10);
        KvFsm.Digest d = cluster.awaitConverged(survivors, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(20);
    }

    @ParameterizedTest(name = "protocol version {0}")
    @ValueSource(ints = {1, 2})
    void a_flotilla_leader_then_a_go_leader(int version) {
        cluster.use(Settings.defaults().withProtocolVersion(version));
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1", "g2"), List.of("j1"), false, "j1");
        KvNode j1 = n.get("j1");
        List<KvNode> all = List.copyOf(n.values());
        cluster.awaitLeader(j1, all);
        assertThat(j1.id()).isEqualTo(j1.raftAddress());
        for (KvNode g : List.of(n.get("g1"), n.get("g2"))) {
            cluster.awaitConfiguration(g, all.stream().map(KvNode::id).toList());
            assertThat(g.configuration()).containsExactlyInAnyOrderElementsOf(j1.configuration());
        }
        Model model = new Model();
        long last = model.putMany(j1, "java", 10);
        cluster.awaitConverged(all, last);

        j1.kill();
        List<KvNode> survivors = List.of(n.get("g1"), n.get("g2"));
        KvNode leader = cluster.awaitLeader(survivors);
        last = model.putMany(leader, "go", 10);
        KvFsm.Digest d = cluster.awaitConverged(survivors, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(20);
    }

    /** Snapshots every 16 entries, keeping 4 behind: a node that joins later needs InstallSnapshot. */
    private static Settings withSnapshots(int version) {
        return Settings.defaults().withProtocolVersion(version).withSnapshots(16, Duration.ofMillis(50), 4);
    }

    private static void awaitCompacted(KvNode leader, long last) {
        Poll.until(MixedCluster.WAIT, leader + " to snapshot near index " + last,
                () -> leader.describe(), () -> leader.lastSnapshotIndex() > last - 16);
    }

    @ParameterizedTest(name = "protocol version {0}")
    @ValueSource(ints = {1, 2})
    @SuppressWarnings("deprecation")
    void a_flotilla_leader_adds_a_go_peer_and_installs_its_snapshot_on_it(int version) throws Exception {
        cluster.use(withSnapshots(version));
        JavaNode j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        Model model = new Model();
        long last = model.putMany(j1, "before", 40);
        awaitCompacted(j1, last);

        GoNode g1 = cluster.go("g1");
        // AddPeer, the pre-ID API: below version 2 the configuration change is itself a legacy peers entry.
        j1.raft().addPeer(ServerAddress.of(g1.raftAddress())).get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS);
        List<KvNode> all = List.of(j1, g1);
        cluster.awaitConverged(all, last);
        assertThat(g1.restores()).as("snapshots g1 restored").isGreaterThanOrEqualTo(1);
        cluster.awaitConfiguration(g1, List.of(j1.id(), g1.id()));
        last = model.putMany(j1, "after", 10);
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }

    @ParameterizedTest(name = "protocol version {0}")
    @ValueSource(ints = {1, 2})
    void a_go_leader_installs_its_snapshot_on_a_restarted_flotilla_node(int version) throws Exception {
        cluster.use(withSnapshots(version));
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1", "g2"), List.of("j1"), false, null);
        JavaNode j1 = (JavaNode) n.get("j1");
        j1.kill(); // down from the start, with only the bootstrap entry in its log
        List<KvNode> goNodes = List.of(n.get("g1"), n.get("g2"));
        KvNode leader = cluster.awaitLeader(goNodes);
        Model model = new Model();
        long last = model.putMany(leader, "before", 40);
        awaitCompacted(leader, last);

        j1.restart();
        List<KvNode> all = List.copyOf(n.values());
        cluster.awaitConverged(all, last);
        assertThat(j1.restores()).as("snapshots j1 restored").isGreaterThanOrEqualTo(1);
        last = model.putMany(leader, "after", 10);
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }
}
