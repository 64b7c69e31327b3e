package io.flotilla.kv.interop;

import io.flotilla.kv.KvCommand;
import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader of one kind appends entries that never reach anyone, dies, and a leader of the other kind commits
 * different entries at the same indexes. When the old leader comes back, the new leader's AppendEntries must find
 * where the logs diverge (the follower's rejection and its {@code LastLog} hint, the leader's back-off) and
 * overwrite the stale suffix. The followers' processes are killed (not paused) while the stale entries are
 * appended, so none of them can arrive late from a socket buffer.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LogConflictInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @Test
    void a_go_leader_overwrites_the_uncommitted_suffix_of_a_restarted_flotilla_node() throws Exception {
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1", "g2"), List.of("j1"), true, null);
        JavaNode j1 = (JavaNode) n.get("j1");
        GoNode g1 = (GoNode) n.get("g1");
        GoNode g2 = (GoNode) n.get("g2");
        List<KvNode> all = List.of(j1, g1, g2);
        cluster.makeLeader(j1, all);
        Model model = new Model();
        long last = model.putMany(j1, "committed", 5);
        cluster.awaitConverged(all, last);

        g1.kill();
        g2.kill();
        long base = j1.raft().lastIndex();
        for (int i = 0; i < 3; i++) {
            j1.raft().apply(KvCommand.set("stale-" + i, "never committed").encode(), Duration.ofSeconds(1));
        }
        Poll.until(MixedCluster.WAIT, "j1 to append its stale entries", cluster::diagnostics,
                () -> j1.raft().lastIndex() >= base + 3);
        long staleTerm = j1.raft().currentTerm();
        j1.kill();

        g1.restart();
        g2.restart();
        KvNode leader = cluster.awaitLeader(List.of(g1, g2));
        last = model.putMany(leader, "new", 5);
        assertThat(last).as("the new entries take the stale entries' indexes").isGreaterThanOrEqualTo(base + 3);

        j1.restart();
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(j1.fsm().get("stale-0").value()).isEmpty();
        assertThat(j1.raft().currentTerm()).isGreaterThan(staleTerm);
        cluster.awaitLeader(leader, all);
    }

    @Test
    void a_flotilla_leader_overwrites_the_uncommitted_suffix_of_a_restarted_go_node() throws Exception {
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1"), List.of("j1", "j2"), true, null);
        GoNode g1 = (GoNode) n.get("g1");
        JavaNode j1 = (JavaNode) n.get("j1");
        JavaNode j2 = (JavaNode) n.get("j2");
        List<KvNode> all = List.of(g1, j1, j2);
        cluster.makeLeader(g1, all);
        Model model = new Model();
        long last = model.putMany(g1, "committed", 5);
        cluster.awaitConverged(all, last);

        long base = (Long) g1.status().get("last_log_index");
        CompletableFuture.allOf(j1.raft().shutdown(), j2.raft().shutdown()).get(10, TimeUnit.SECONDS);
        j1.kill();
        j2.kill();
        // At once: the Go leader steps down once its lease (500 ms) runs out without a quorum.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] entry = KvCommand.set("stale-" + i, "never committed").encode();
                calls.add(pool.submit(() -> {
                    try {
                        g1.apply(entry);
                    } catch (KvNode.CallFailed expected) {
                        // 504 or 503: outcome unknown, and here never committed
                    }
                }));
            }
            for (Future<?> f : calls) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long appended = (Long) g1.status().get("last_log_index") - base;
        assertThat(appended).as("stale entries in g1's log").isBetween(1L, 3L);
        g1.kill();

        j1.restart();
        j2.restart();
        KvNode leader = cluster.awaitLeader(List.of(j1, j2));
        last = model.putMany(leader, "new", 5);

        g1.restart();
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(g1.staleGet("stale-0")).isNull();
        cluster.awaitLeader(leader, all);
    }
}
