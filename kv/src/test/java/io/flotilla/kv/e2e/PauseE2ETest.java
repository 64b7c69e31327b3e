package io.flotilla.kv.e2e;

import io.flotilla.kv.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes frozen with SIGSTOP — cut off, yet with every socket open, the way a partition or a long GC pause looks
 * to the others. A frozen leader is replaced; when it wakes up it never answers a linearizable read with what it
 * knew before (ReadIndex must confirm its leadership first); a leader whose followers are frozen answers
 * "outcome unknown" within the call's timeout, and the cluster agrees on the outcome afterwards.
 */
class PauseE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aFrozenLeaderIsReplacedAndNeverServesAStaleLinearizableRead() throws Exception {
        List<TestCluster.Node> nodes = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.add(cluster.node(id, false, true, new ArrayList<>(TestCluster.FAST)));
        }
        String peers = TestCluster.peers(nodes.toArray(TestCluster.Node[]::new));
        for (TestCluster.Node n : nodes) {
            n.flags.addAll(List.of("--bootstrap", "--peers", peers));
            n.start();
        }
        TestCluster.Node old = cluster.awaitLeader();
        cluster.write("x", "1");
        long oldTerm = (Long) old.status().get("term");
        String oldHttp = old.http();

        old.pause();
        TestCluster.Node leader = cluster.awaitLeader();
        assertThat(leader).isNotSameAs(old);
        long index = cluster.write("x", "2");

        old.resume();
        // At once, before it has heard of the new term: a linearizable read must not return the old value.
        KvClient.Answer read = cluster.client.get(oldHttp, "/kv/x");
        assertThat(read.status()).as(read.body()).isIn(200, 503);
        if (read.status() == 200) {
            assertThat(read.text("value")).isEqualTo("2");
        }
        cluster.awaitConverged(index);
        assertThat(old.status().get("state")).isEqualTo("Follower");
        assertThat((Long) old.status().get("term")).isGreaterThan(oldTerm);

        // Freeze both followers: the leader cannot commit, and says so within the call's timeout.
        leader = cluster.awaitLeader();
        List<TestCluster.Node> followers = new ArrayList<>();
        for (TestCluster.Node n : nodes) {
            if (n != leader) {
                n.pause();
                followers.add(n);
            }
        }
        long started = System.nanoTime();
        KvClient.Answer stuck = cluster.client.send("PUT", leader.http(), "/kv/maybe?timeout=700ms", "m".getBytes());
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5_000);
        assertThat(stuck.status()).as(stuck.body()).isIn(503, 504);
        String error = stuck.text("error");
        assertThat(error.startsWith("outcome unknown: ") || error.equals("node is not the leader"))
                .as(stuck.body()).isTrue();
        for (TestCluster.Node f : followers) {
            f.resume();
        }
        // Whatever became of the maybe-applied write, every node agrees.
        index = cluster.write("after", "ok");
        cluster.awaitConverged(index);
        TestCluster.Node now = cluster.awaitLeader();
        int maybe = cluster.client.read(now.http(), "maybe").status();
        assertThat(maybe).isIn(200, 404);
        for (TestCluster.Node n : nodes) {
            assertThat(cluster.client.get(n.http(), "/kv/maybe?consistency=stale").status()).isEqualTo(maybe);
        }
    }
}
