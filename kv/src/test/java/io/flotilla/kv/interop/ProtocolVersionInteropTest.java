package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mixed clusters speaking raft protocol versions 1 and 2 (hashicorp's upgrade path from 0.x): server ids are
 * addresses, the bootstrap entry is a legacy {@code RemovePeerDeprecated} entry with the peers encoded as a
 * msgpack list of addresses, and every RPC carries the older version. Only one node bootstraps, so the other kind
 * must decode its legacy bootstrap entry to learn the configuration, and then take over when it dies.
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
}
