package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (c) Every node bootstrapped with the same mixed configuration; the leader dies and a node of the other
 * implementation takes over; no committed write is lost and writes go on.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FailoverInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @Test
    void a_killed_go_leader_is_replaced_by_a_flotilla_node() {
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1"), List.of("j1", "j2"));
        KvNode g1 = n.get("g1");
        List<KvNode> all = List.copyOf(n.values());
        cluster.makeLeader(g1, all);

        Model model = new Model();
        long last = model.putMany(g1, "before", 20);
        cluster.awaitConverged(all, last);

        g1.kill();
        List<KvNode> survivors = List.of(n.get("j1"), n.get("j2"));
        KvNode leader = cluster.awaitLeader(survivors);
        assertThat(leader.kind()).isEqualTo("java");

        last = model.putMany(leader, "after", 20);
        KvFsm.Digest d = cluster.awaitConverged(survivors, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(40);
    }

    @Test
    void a_killed_flotilla_leader_is_replaced_by_a_go_node() {
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1", "g2"), List.of("j1"));
        KvNode j1 = n.get("j1");
        List<KvNode> all = List.copyOf(n.values());
        cluster.makeLeader(j1, all);

        Model model = new Model();
        long last = model.putMany(j1, "before", 20);
        cluster.awaitConverged(all, last);

        j1.kill();
        List<KvNode> survivors = List.of(n.get("g1"), n.get("g2"));
        KvNode leader = cluster.awaitLeader(survivors);
        assertThat(leader.kind()).isEqualTo("go");

        last = model.putMany(leader, "after", 20);
        KvFsm.Digest d = cluster.awaitConverged(survivors, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(40);
    }
}
