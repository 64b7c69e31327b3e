package io.flotilla.kv.e2e;

import io.flotilla.kv.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One cluster of Go reference nodes (real hashicorp/raft 1.1.2) and Java nodes: leadership moves both ways, a
 * Java node catches up from a Go leader's snapshot and a Go node from a Java leader's, a bad entry committed
 * through the Go leader stops no state machine, nodes of both kinds are killed with SIGKILL and restarted, and
 * everything converges to one digest with no acknowledged write lost.
 */
class MixedClusterE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private final Map<String, String> acked = new LinkedHashMap<>();

    @Test
    void goAndJavaNodesServeOneCluster() throws Exception {
        assumeTrue(GoPeer.binary().isPresent(), GoPeer::whyNot);
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        flags.addAll(List.of("--snapshot-threshold", "32", "--trailing-logs", "8", "--snapshot-interval", "200ms"));
        TestCluster.Node g1 = cluster.node("g1", true, true, new ArrayList<>(flags));
        TestCluster.Node j2 = cluster.node("j2", false, true, new ArrayList<>(flags));
        TestCluster.Node j3 = cluster.node("j3", false, true, new ArrayList<>(flags));
        String peers = TestCluster.peers(g1, j2, j3);
        for (TestCluster.Node n : List.of(g1, j2, j3)) {
            n.flags.addAll(List.of("--bootstrap", "--peers", peers));
            n.start();
        }
        cluster.awaitLeader();
        write("a", 10);

        // Leadership moves Java -> Go -> Java -> Go through /cluster/transfer.
        transferTo(g1);
        transferTo(j2);
        transferTo(g1);
        KvClient.Answer follower = cluster.client.put(j2.http(), "k", "v");
        assertThat(follower.status()).isEqualTo(503);
        assertThat(follower.body()).isEqualTo("{\"error\":\"node is not the leader\",\"leader_addr\":\""
                + g1.raftAddr() + "\",\"leader_id\":\"g1\"}\n");

        // A Java node that missed what the Go leader has compacted away catches up from the Go snapshot.
        j3.kill();
        long last = write("b", 60);
        assertThat(g1.post("/snapshot").status()).isEqualTo(200);
        j3.start();
        cluster.awaitConverged(last);
        assertThat((Long) j3.get("/fsm?dump=1").json().get("restores")).as("j3 restored the Go snapshot")
                .isGreaterThanOrEqualTo(1);

        // A bad entry through the Go leader: committed everywhere, applied as a no-op, nothing stops. (The
        // restarted node may have called an election before the leader's backoff let it hear from it.)
        transferTo(g1);
        KvClient.Answer bad = cluster.client.send("POST", g1.http(), "/apply", "{\"op\":\"set\"".getBytes());
        assertThat(bad.status()).isEqualTo(200);
        assertThat(bad.body()).matches("\\{\"index\":\\d+,\"result\":\\{\"ok\":false,\"error\":\"bad entry: not a JSON "
                + "object: unexpected end of JSON input\"}}\n");
        last = write("c", 5);
        cluster.awaitConverged(last);

        // The Go leader dies; a Java node leads; a new Go node catches up from the Java leader's snapshot.
        g1.kill();
        TestCluster.Node javaLeader = cluster.awaitLeader();
        last = write("d", 60);
        KvClient.Answer snap = javaLeader.post("/snapshot");
        assertThat(snap.status()).as(snap.body()).isIn(200, 409);
        List<String> g4flags = new ArrayList<>(flags);
        TestCluster.Node g4 = cluster.node("g4", true, false, g4flags).start();
        KvClient.Answer join = onLeader("/cluster/join?id=g4&addr=" + g4.raftAddr() + "&voter=false");
        assertThat(join.status()).as(join.body()).isEqualTo(200);
        cluster.awaitConverged(last);
        assertThat((Long) g4.get("/fsm?dump=1").json().get("restores")).as("g4 restored a Java snapshot")
                .isGreaterThanOrEqualTo(1);

        // The Go node comes back from its bolt store and rejoins.
        g1.start();
        last = write("e", 5);
        cluster.awaitConverged(last);
        assertThat(cluster.alive()).hasSize(4);

        TestCluster.Node leader = cluster.awaitLeader();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            KvClient.Answer a = cluster.client.read(leader.http(), e.getKey());
            assertThat(a.status()).as(e.getKey() + " on " + leader + ": " + a.body()).isEqualTo(200);
            assertThat(a.text("value")).isEqualTo(e.getValue());
        }
        for (TestCluster.Node n : cluster.alive()) {
            assertThat(n.terminate()).as(n + " exit code after SIGTERM").isZero();
        }
    }

    @Test
    void javaNodesJoinAGoClusterAndTakeOver() throws Exception {
        assumeTrue(GoPeer.binary().isPresent(), GoPeer::whyNot);
        List<String> boot = new ArrayList<>(TestCluster.FAST);
        boot.add("--bootstrap");
        TestCluster.Node g1 = cluster.node("g1", true, false, boot).start();
        TestCluster.Node j2 = cluster.node("j2", false, true, new ArrayList<>(TestCluster.FAST)).start();
        TestCluster.Node j3 = cluster.node("j3", false, false, new ArrayList<>(TestCluster.FAST)).start();
        cluster.awaitLeader();
        write("a", 10);
        for (TestCluster.Node j : List.of(j2, j3)) {
            KvClient.Answer join = g1.post("/cluster/join?id=" + j.id + "&addr=" + j.raftAddr());
            assertThat(join.status()).as(join.body()).isEqualTo(200);
        }
        long last = write("b", 10);
        cluster.awaitConverged(last);
        assertThat(j2.status().get("configuration")).isEqualTo(g1.status().get("configuration"));

        // A Java node takes over; the Go node follows and points clients at it.
        transferTo(j2);
        KvClient.Answer onGo = cluster.client.put(g1.http(), "k", "v");
        assertThat(onGo.status()).isEqualTo(503);
        assertThat(onGo.body()).isEqualTo("{\"error\":\"node is not the leader\",\"leader_addr\":\""
                + j2.raftAddr() + "\",\"leader_id\":\"j2\"}\n");
        // The Java leader removes the Go node; the two Java nodes carry on alone.
        KvClient.Answer remove = j2.post("/cluster/remove?id=g1");
        assertThat(remove.status()).as(remove.body()).isEqualTo(200);
        g1.kill();
        last = write("c", 10);
        cluster.awaitConverged(last);
        TestCluster.Node leader = cluster.awaitLeader();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            assertThat(cluster.client.read(leader.http(), e.getKey()).text("value")).isEqualTo(e.getValue());
        }
    }

    private long write(String prefix, int count) throws Exception {
        long last = 0;
        for (int i = 0; i < count; i++) {
            String key = prefix + i;
            String value = prefix + "-" + i;
            last = cluster.write(key, value);
            acked.put(key, value);
        }
        return last;
    }

    /** POSTs to whoever leads, again if leadership moved in between. */
    private KvClient.Answer onLeader(String target) throws Exception {
        KvClient.Answer a = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            a = cluster.awaitLeader().post(target);
            if (a.status() != 503 || !"node is not the leader".equals(a.text("error"))) {
                return a;
            }
        }
        return a;
    }

    /** Moves leadership to {@code target} with /cluster/transfer, again if an election got in the way. */
    private void transferTo(TestCluster.Node target) throws Exception {
        String[] last = {""};
        TestCluster.await(target + " to lead", () -> {
            if ("Leader".equals(target.status().get("state"))) {
                return true;
            }
            TestCluster.Node leader = cluster.awaitLeader();
            if (leader != target) {
                KvClient.Answer a = leader.post("/cluster/transfer?id=" + target.id);
                last[0] = leader + " -> " + target + ": " + a.status() + " " + a.body();
                if (a.status() == 200) {
                    assertThat(a.body()).isEqualTo("{\"ok\":true}\n");
                }
            }
            return false;
        }, () -> last[0]);
    }
}
