package io.flotilla.kv.e2e;

import io.flotilla.kv.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three durable Java nodes as real processes: writes go to the leader and followers answer 503 with hints;
 * a follower and then the leader are killed with SIGKILL and restarted; the nodes converge to one digest and no
 * acknowledged write is lost; SIGTERM stops every node with exit code 0.
 */
class ClusterE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void survivesKillingAFollowerAndTheLeader() throws Exception {
        List<TestCluster.Node> nodes = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.add(cluster.node(id, false, true, new ArrayList<>(TestCluster.FAST)));
        }
        String peers = TestCluster.peers(nodes.toArray(TestCluster.Node[]::new));
        for (TestCluster.Node n : nodes) {
            n.flags.addAll(List.of("--bootstrap", "--peers", peers));
        }
        startAll(nodes);

        TestCluster.Node leader = cluster.awaitLeader();
        Map<String, String> acked = new LinkedHashMap<>();
        long last = writeSome(acked, "a", 20);

        // Followers refuse writes and linearizable reads, naming the leader; stale reads answer locally.
        for (TestCluster.Node f : nodes) {
            if (f == leader) {
                continue;
            }
            for (KvClient.Answer a : List.of(cluster.client.put(f.http(), "k", "v"), f.get("/kv/a0"))) {
                assertThat(a.status()).isEqualTo(503);
                assertThat(a.body()).isEqualTo("{\"error\":\"node is not the leader\",\"leader_addr\":\""
                        + leader.raftAddr() + "\",\"leader_id\":\"" + leader.id + "\"}\n");
            }
            TestCluster.await("a stale read on " + f, () -> f.get("/kv/a0?consistency=stale").status() == 200);
            assertThat(f.get("/kv/a0?consistency=stale").text("value")).isEqualTo(acked.get("a0"));
        }

        // kill -9 a follower: the other two still form a quorum.
        TestCluster.Node follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        follower.kill();
        last = writeSome(acked, "b", 20);
        follower.start(); // same flags: --bootstrap is skipped, the data directory holds state
        cluster.awaitConverged(last);

        // kill -9 the leader (the restarted follower may have forced an election: ask again who leads): a new
        // one is elected and takes the writes; the old one rejoins.
        TestCluster.Node first = cluster.awaitLeader();
        first.kill();
        TestCluster.Node second = cluster.awaitLeader();
        assertThat(second).isNotSameAs(first);
        last = writeSome(acked, "c", 20);
        first.start();
        String digest = cluster.awaitConverged(last);
        assertThat(digest).hasSize(64);

        // Every acknowledged write is there, read linearizably from whoever leads now.
        verifyAll(acked);

        // With both followers gone the leader cannot commit: the answer says the outcome is unknown (or that it
        // no longer leads), and the call returns within its ?timeout=.
        TestCluster.Node current = cluster.awaitLeader();
        for (TestCluster.Node n : nodes) {
            if (n != current) {
                n.kill();
            }
        }
        long started = System.nanoTime();
        KvClient.Answer stuck = cluster.client.send("PUT", current.http(), "/kv/stuck?timeout=500ms", "x".getBytes());
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5_000);
        assertThat(stuck.status()).isIn(503, 504);
        String error = stuck.text("error");
        assertThat(error.startsWith("outcome unknown: ") || error.equals("node is not the leader"))
                .as(stuck.body()).isTrue();
        assertThat(stuck.json()).containsKeys("leader_id", "leader_addr");

        assertThat(current.terminate()).as("exit code after SIGTERM").isZero();
    }

    private void startAll(List<TestCluster.Node> nodes) {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (TestCluster.Node n : nodes) {
            starting.add(CompletableFuture.runAsync(() -> {
                try {
                    n.start();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
    }

    private long writeSome(Map<String, String> acked, String prefix, int count) throws Exception {
        long last = 0;
        for (int i = 0; i < count; i++) {
            String key = prefix + i;
            String value = prefix + "-value-" + i;
            last = cluster.write(key, value);
            acked.put(key, value);
        }
        return last;
    }

    private void verifyAll(Map<String, String> acked) throws Exception {
        TestCluster.Node leader = cluster.awaitLeader();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            KvClient.Answer a = cluster.client.read(leader.http(), e.getKey());
            assertThat(a.status()).as(e.getKey() + ": " + a.body()).isEqualTo(200);
            assertThat(a.text("value")).isEqualTo(e.getValue());
        }
    }
}
