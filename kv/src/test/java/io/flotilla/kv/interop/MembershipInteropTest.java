package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (e) AddVoter, AddNonvoter and RemoveServer across implementations: a leader of one kind adds voters and a
 * non-voter of the other kind, removes one, then removes itself, and a node of the other kind leads on.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MembershipInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @Test
    void a_go_leader_adds_and_removes_flotilla_servers_then_removes_itself() {
        GoNode g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        JavaNode j1 = cluster.java("j1");
        JavaNode j2 = cluster.java("j2");
        JavaNode j3 = cluster.java("j3");
        long joined = g1.addVoter(j1);
        assertThat(g1.addVoter(j2)).isGreaterThan(joined);
        g1.addNonvoter(j3);
        List<KvNode> all = List.of(g1, j1, j2, j3);
        cluster.awaitLeader(g1, all);
        // The suffrage codes in the configuration entry mean the same on both sides.
        for (KvNode n : List.of(j1, j3)) {
            cluster.awaitConfiguration(n, List.of("g1", "j1", "j2", "j3"));
            assertThat(n.configuration()).containsExactlyInAnyOrderElementsOf(g1.configuration())
                    .contains("j3=" + j3.raftAddress() + "/Nonvoter", "j2=" + j2.raftAddress() + "/Voter");
        }
        Model model = new Model();
        long last = model.putMany(g1, "three", 10);
        cluster.awaitConverged(all, last);

        g1.removeServer("j2");
        cluster.awaitConfiguration(g1, List.of("g1", "j1", "j3"));
        cluster.awaitConfiguration(j1, List.of("g1", "j1", "j3"));
        last = model.putMany(g1, "two", 10);
        KvFsm.Digest d = cluster.awaitConverged(List.of(g1, j1, j3), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(j2.digest().appliedIndex()).as("the removed node gets no more entries").isLessThan(last);
        assertThat(g1.isLeader()).as("the removed node did not disturb the leader").isTrue();

        // The Go leader removes itself: it steps down (and, ShutdownOnRemove, shuts raft down); j1 is the only
        // voter left and leads the non-voter j3.
        g1.removeServer("g1");
        cluster.awaitLeader(j1, List.of(j1, j3));
        assertThat(j1.configuration()).containsExactlyInAnyOrder("j1=" + j1.raftAddress() + "/Voter",
                "j3=" + j3.raftAddress() + "/Nonvoter");
        Poll.until(MixedCluster.WAIT, "g1 to shut raft down", cluster::diagnostics,
                () -> g1.state().equals("Shutdown"));
        last = model.putMany(j1, "one", 10);
        d = cluster.awaitConverged(List.of(j1, j3), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }

    @Test
    void a_flotilla_leader_adds_and_removes_go_servers_then_removes_itself() {
        JavaNode j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        GoNode g1 = cluster.go("g1");
        GoNode g2 = cluster.go("g2");
        GoNode g3 = cluster.go("g3");
        long joined = j1.addVoter(g1);
        assertThat(j1.addVoter(g2)).isGreaterThan(joined);
        j1.addNonvoter(g3);
        List<KvNode> all = List.of(j1, g1, g2, g3);
        cluster.awaitLeader(j1, all);
        for (KvNode n : List.of(g1, g3)) {
            cluster.awaitConfiguration(n, List.of("j1", "g1", "g2", "g3"));
            assertThat(n.configuration()).containsExactlyInAnyOrderElementsOf(j1.configuration())
                    .contains("g3=" + g3.raftAddress() + "/Nonvoter", "g2=" + g2.raftAddress() + "/Voter");
        }
        Model model = new Model();
        long last = model.putMany(j1, "three", 10);
        cluster.awaitConverged(all, last);

        j1.removeServer("g2");
        cluster.awaitConfiguration(j1, List.of("j1", "g1", "g3"));
        cluster.awaitConfiguration(g1, List.of("j1", "g1", "g3"));
        last = model.putMany(j1, "two", 10);
        KvFsm.Digest d = cluster.awaitConverged(List.of(j1, g1, g3), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(g2.digest().appliedIndex()).as("the removed node gets no more entries").isLessThan(last);
        assertThat(j1.isLeader()).as("the removed node did not disturb the leader").isTrue();

        // The Flotilla leader removes itself: it steps down and shuts down; g1 is the only voter left and leads
        // the non-voter g3.
        j1.removeServer("j1");
        cluster.awaitLeader(g1, List.of(g1, g3));
        assertThat(g1.configuration()).containsExactlyInAnyOrder("g1=" + g1.raftAddress() + "/Voter",
                "g3=" + g3.raftAddress() + "/Nonvoter");
        Poll.until(MixedCluster.WAIT, "j1 to shut down", cluster::diagnostics, () -> j1.state().equals("Shutdown"));
        last = model.putMany(g1, "one", 10);
        d = cluster.awaitConverged(List.of(g1, g3), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }
}
