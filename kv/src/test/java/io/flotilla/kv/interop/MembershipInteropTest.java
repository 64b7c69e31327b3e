package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (e) AddVoter and RemoveServer across implementations: a leader of one kind adds and removes servers of the
 * other kind, then removes itself, and a node of the other kind leads on alone.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MembershipInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @Test
    void a_go_leader_adds_and_removes_flotilla_voters_then_removes_itself() {
        GoNode g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        JavaNode j1 = cluster.java("j1");
        JavaNode j2 = cluster.java("j2");
        long joined = g1.addVoter(j1);
        assertThat(g1.addVoter(j2)).isGreaterThan(joined);
        cluster.awaitLeader(g1, List.of(g1, j1, j2));
        cluster.awaitConfiguration(j2, List.of("g1", "j1", "j2"));
        Model model = new Model();
        long last = model.putMany(g1, "three", 10);
        cluster.awaitConverged(List.of(g1, j1, j2), last);

        g1.removeServer("j2");
        cluster.awaitConfiguration(g1, List.of("g1", "j1"));
        cluster.awaitConfiguration(j1, List.of("g1", "j1"));
        last = model.putMany(g1, "two", 10);
        KvFsm.Digest d = cluster.awaitConverged(List.of(g1, j1), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(j2.digest().appliedIndex()).as("the removed node gets no more entries").isLessThan(last);
        assertThat(g1.isLeader()).as("the removed node did not disturb the leader").isTrue();

        // The Go leader removes itself: it steps down (and, ShutdownOnRemove, shuts raft down); j1 is alone.
        g1.removeServer("g1");
        cluster.awaitLeader(j1, List.of(j1));
        assertThat(j1.configuration()).containsExactly("j1=" + j1.raftAddress() + "/Voter");
        Poll.until(MixedCluster.WAIT, "g1 to shut raft down", cluster::diagnostics,
                () -> g1.state().equals("Shutdown"));
        last = model.putMany(j1, "one", 10);
        d = cluster.awaitConverged(List.of(j1), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }

    @Test
    void a_flotilla_leader_adds_and_removes_go_voters_then_removes_itself() {
        JavaNode j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        GoNode g1 = cluster.go("g1");
        GoNode g2 = cluster.go("g2");
        long joined = j1.addVoter(g1);
        assertThat(j1.addVoter(g2)).isGreaterThan(joined);
        cluster.awaitLeader(j1, List.of(j1, g1, g2));
        cluster.awaitConfiguration(g2, List.of("j1", "g1", "g2"));
        Model model = new Model();
        long last = model.putMany(j1, "three", 10);
        cluster.awaitConverged(List.of(j1, g1, g2), last);

        j1.removeServer("g2");
        cluster.awaitConfiguration(j1, List.of("j1", "g1"));
        cluster.awaitConfiguration(g1, List.of("j1", "g1"));
        last = model.putMany(j1, "two", 10);
        KvFsm.Digest d = cluster.awaitConverged(List.of(j1, g1), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(g2.digest().appliedIndex()).as("the removed node gets no more entries").isLessThan(last);
        assertThat(j1.isLeader()).as("the removed node did not disturb the leader").isTrue();

        // The Flotilla leader removes itself: it steps down and shuts down; g1 is alone and elects itself.
        j1.removeServer("j1");
        cluster.awaitLeader(g1, List.of(g1));
        assertThat(g1.configuration()).containsExactly("g1=" + g1.raftAddress() + "/Voter");
        Poll.until(MixedCluster.WAIT, "j1 to shut down", cluster::diagnostics, () -> j1.state().equals("Shutdown"));
        last = model.putMany(g1, "one", 10);
        d = cluster.awaitConverged(List.of(g1), last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
    }
}
