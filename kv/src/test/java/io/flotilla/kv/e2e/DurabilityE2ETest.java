package io.flotilla.kv.e2e;

import io.flotilla.kv.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A durable single node: killed with SIGKILL while clients write, it comes back with every acknowledged write
 * (the RocksDB store syncs each batch before the write is acknowledged), from its snapshot and its log; SIGTERM
 * stops it cleanly with exit code 0 and a restart resumes the same state.
 */
class DurabilityE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aRestartNeverLosesAnAcknowledgedWrite() throws Exception {
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        // Small snapshots, so the restart restores a snapshot and replays the log after it.
        flags.addAll(List.of("--bootstrap", "--snapshot-threshold", "64", "--trailing-logs", "16",
                "--snapshot-interval", "200ms"));
        TestCluster.Node n1 = cluster.node("n1", false, true, flags).start();
        cluster.awaitLeader();

        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        String http = n1.http();
        for (int t = 0; t < 8; t++) {
            Thread w = new Thread(() -> {
                while (!stop.get()) {
                    int i = next.incrementAndGet();
                    try {
                        KvClient.Answer a = cluster.client.put(http, "key" + i, "value" + i);
                        if (a.status() == 200) {
                            acked.put("key" + i, "value" + i);
                        }
                    } catch (Exception e) {
                        return; // the node was killed
                    }
                }
            });
            w.start();
            writers.add(w);
        }
        TestCluster.await("300 acknowledged writes", () -> acked.size() >= 300);
        TestCluster.await("a snapshot", () -> (Long) n1.status().get("last_snapshot_index") > 0);
        n1.kill(); // while writes are in flight
        stop.set(true);
        for (Thread w : writers) {
            w.join();
        }

        n1.start(); // same flags; --bootstrap is skipped
        cluster.awaitLeader();
        assertThat(n1.get("/status").json().get("last_snapshot_index")).isNotEqualTo(0L);
        verify(n1, acked);

        String digest = n1.get("/fsm").text("sha256");
        assertThat(n1.terminate()).as("exit code after SIGTERM").isZero();
        n1.start();
        cluster.awaitLeader();
        TestCluster.await("the state after a clean restart", () -> digest.equals(n1.get("/fsm").text("sha256")));
        verify(n1, acked);
    }

    private void verify(TestCluster.Node n, Map<String, String> acked) throws Exception {
        for (Map.Entry<String, String> e : acked.entrySet()) {
            KvClient.Answer a = cluster.client.read(n.http(), e.getKey());
            assertThat(a.status()).as(e.getKey() + ": " + a.body()).isEqualTo(200);
            assertThat(a.text("value")).isEqualTo(e.getValue());
        }
    }
}
