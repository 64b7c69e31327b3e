package io.flotilla.kv.e2e;

import io.flotilla.kv.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Growing and shrinking a cluster through the HTTP API: a node bootstrapped alone takes a snapshot, two empty
 * nodes join (one as a non-voter) and catch up through InstallSnapshot, leadership moves by {@code /transfer}
 * (never to the non-voter), and a server is removed. Non-leaders answer {@code /cluster/*} with 503 and hints.
 */
class MembershipE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void joinTransferRemoveAndSnapshot() throws Exception {
        // Small snapshots and a short log tail, so a joining node cannot be caught up from the log.
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        flags.addAll(List.of("--snapshot-threshold", "32", "--trailing-logs", "8", "--snapshot-interval", "200ms"));
        List<String> first = new ArrayList<>(flags);
        first.add("--bootstrap");
        TestCluster.Node n1 = cluster.node("n1", false, true, first).start();
        TestCluster.Node n2 = cluster.node("n2", false, true, flags);
        TestCluster.Node n3 = cluster.node("n3", false, false, flags);
        cluster.awaitLeader();

        long last = 0;
        for (int i = 0; i < 50; i++) {
            last = cluster.write("k" + i, "v" + i);
        }
        KvClient.Answer snap = n1.post("/snapshot");
        if (snap.status() == 200) {
            assertThat(snap.json()).containsOnlyKeys("id", "index", "term", "size");
            assertThat(snap.number("index")).isEqualTo(last);
        } else {
            // An automatic snapshot got there first.
            assertThat(snap.body()).isEqualTo("{\"error\":\"nothing new to snapshot\"}\n");
        }
        KvClient.Answer again = n1.post("/snapshot");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).isEqualTo("{\"error\":\"nothing new to snapshot\"}\n");

        n2.start();
        n3.start();
        KvClient.Answer join2 = n1.post("/cluster/join?id=n2&addr=" + n2.raftAddr());
        assertThat(join2.status()).as(join2.body()).isEqualTo(200);
        assertThat(join2.json()).containsOnlyKeys("index");
        KvClient.Answer join3 = n1.post("/cluster/join?id=n3&addr=" + n3.raftAddr() + "&voter=false");
        assertThat(join3.status()).as(join3.body()).isEqualTo(200);
        last = cluster.write("after-join", "x");
        cluster.awaitConverged(last);
        for (TestCluster.Node n : List.of(n2, n3)) {
            assertThat((Long) n.get("/fsm?dump=1").json().get("restores")).as(n + " restored a snapshot")
                    .isGreaterThanOrEqualTo(1L);
        }
        assertThat(configuration(n1)).containsExactly("n1 Voter", "n2 Voter", "n3 Nonvoter");

        // Non-leaders answer membership calls with 503 and the leader's hints.
        KvClient.Answer notLeader = n2.post("/cluster/join?id=x&addr=127.0.0.1:1");
        assertThat(notLeader.status()).isEqualTo(503);
        assertThat(notLeader.body()).isEqualTo("{\"error\":\"node is not the leader\",\"leader_addr\":\""
                + n1.raftAddr() + "\",\"leader_id\":\"n1\"}\n");
        assertThat(n3.post("/cluster/remove?id=n2").status()).isEqualTo(503);

        // Leadership never goes to a non-voter; without a target it goes to the other voter.
        KvClient.Answer toNonvoter = n1.post("/cluster/transfer?id=n3");
        assertThat(toNonvoter.status()).isEqualTo(400);
        assertThat(toNonvoter.text("error")).startsWith("transfer target n3 is a Nonvoter, not a voter");
        assertThat(n1.post("/cluster/transfer?addr=127.0.0.1:1").status()).isEqualTo(400);
        KvClient.Answer transfer = n1.post("/cluster/transfer");
        assertThat(transfer.status()).as(transfer.body()).isEqualTo(200);
        assertThat(transfer.body()).isEqualTo("{\"ok\":true}\n");
        TestCluster.await("n2 to lead", () -> "Leader".equals(n2.status().get("state")));
        // ... and back, by address only.
        KvClient.Answer back = n2.post("/cluster/transfer?addr=" + n1.raftAddr());
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        TestCluster.await("n1 to lead again", () -> "Leader".equals(n1.status().get("state")));

        // Remove the non-voter; the others carry on.
        KvClient.Answer remove = n1.post("/cluster/remove?id=n3");
        assertThat(remove.status()).as(remove.body()).isEqualTo(200);
        TestCluster.await("n3 out of the configuration",
                () -> configuration(n2).equals(List.of("n1 Voter", "n2 Voter")));
        n3.kill();
        last = cluster.write("after-remove", "y");
        cluster.awaitConverged(last);

        // Any node may snapshot itself.
        cluster.write("one-more", "z");
        TestCluster.await("n2 to apply the last write",
                () -> n2.get("/kv/one-more?consistency=stale").status() == 200);
        KvClient.Answer followerSnap = n2.post("/snapshot");
        assertThat(followerSnap.status()).as(followerSnap.body()).isIn(200, 409);
    }

    @SuppressWarnings("unchecked")
    private static List<String> configuration(TestCluster.Node n) throws Exception {
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) n.status().get("configuration")) {
            Map<String, Object> s = (Map<String, Object>) o;
            out.add(s.get("id") + " " + s.get("suffrage"));
        }
        return out;
    }
}
