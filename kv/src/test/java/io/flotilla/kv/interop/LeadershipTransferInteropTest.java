package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * (f) Leadership transfer across implementations: TimeoutNow from a Go leader makes a Flotilla node campaign and
 * win, and the reverse; writes go on through each new leader.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LeadershipTransferInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @Test
    void leadership_goes_from_go_to_flotilla_and_back_to_go() {
        GoNode g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        JavaNode j1 = cluster.java("j1");
        GoNode g2 = cluster.go("g2");
        g1.addVoter(j1);
        g1.addVoter(g2);
        List<KvNode> all = List.of(g1, j1, g2);
        cluster.awaitLeader(g1, all);
        Model model = new Model();
        model.putMany(g1, "g1", 10);

        long term = j1.raft().currentTerm();
        g1.transferLeadershipTo(j1); // POST /cluster/transfer?id=j1&addr=...
        cluster.awaitLeader(j1, all);
        assertThat(j1.raft().currentTerm()).isGreaterThan(term);
        model.putMany(j1, "j1", 10);

        j1.transferLeadershipTo(g2); // leadershipTransferToServer
        cluster.awaitLeader(g2, all);
        long last = model.putMany(g2, "g2", 10);

        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(30);
    }

    @Test
    void leadership_goes_from_flotilla_to_go_and_back_to_flotilla() {
        JavaNode j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        GoNode g1 = cluster.go("g1");
        JavaNode j2 = cluster.java("j2");
        j1.addVoter(g1);
        j1.addVoter(j2);
        List<KvNode> all = List.of(j1, g1, j2);
        cluster.awaitLeader(j1, all);
        Model model = new Model();
        model.putMany(j1, "j1", 10);

        j1.transferLeadershipTo(g1);
        cluster.awaitLeader(g1, all);
        model.putMany(g1, "g1", 10);

        g1.transferLeadershipTo(j2);
        cluster.awaitLeader(j2, all);
        long last = model.putMany(j2, "j2", 10);

        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(30);
    }

    @Test
    void a_flotilla_non_voter_refuses_leadership_from_a_go_leader() {
        GoNode g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        JavaNode j1 = cluster.java("j1");
        JavaNode j2 = cluster.java("j2");
        g1.addVoter(j1);
        g1.addNonvoter(j2);
        List<KvNode> all = List.of(g1, j1, j2);
        cluster.awaitLeader(g1, all);
        Model model = new Model();
        model.putMany(g1, "before", 5);

        // hashicorp 1.1.2 would send TimeoutNow to a non-voter and let it campaign (and a Go non-voter can win);
        // Flotilla's non-voter answers TimeoutNow with an error, so the Go leader's transfer fails and it leads on.
        assertThatThrownBy(() -> g1.transferLeadershipTo(j2, true))
                .isInstanceOf(KvNode.CallFailed.class)
                .hasMessageContaining("not a voter");
        cluster.awaitLeader(g1, all);
        assertThat(j2.state()).isEqualTo("Follower");
        long last = model.putMany(g1, "after", 5);
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }
}
