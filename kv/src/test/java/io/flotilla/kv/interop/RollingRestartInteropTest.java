package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A five-node mixed cluster whose leader is killed over and over while clients keep writing: each round the
 * current leader (Go or Java, whoever won) dies, a new one is elected among the rest, and the dead node comes back
 * with its log. Writes that fail are retried on the new leader (they are idempotent sets), so whatever answered
 * "outcome unknown" cannot change the final state.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RollingRestartInteropTest {
    private static final int ROUNDS = 6;

    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    @Test
    void leaders_of_either_kind_die_in_turn_and_no_acknowledged_write_is_lost() throws IOException {
        Map<String, KvNode> n = cluster.bootstrapped(List.of("g1", "g2"), List.of("j1", "j2", "j3"), true, null);
        List<KvNode> all = List.copyOf(n.values());
        Model model = new Model();
        long last = 0;
        StringBuilder leaders = new StringBuilder();
        for (int round = 0; round < ROUNDS; round++) {
            KvNode leader = cluster.awaitLeader(all);
            leaders.append(leader.id()).append(' ');
            for (int i = 0; i < 10; i++) {
                last = Math.max(last, writeRetrying(all, model, "r" + round + "-" + i, leader.id() + "/" + i));
            }
            leader.kill();
            List<KvNode> rest = all.stream().filter(x -> x != leader).toList();
            KvNode next = cluster.awaitLeader(rest);
            last = Math.max(last, writeRetrying(rest, model, "r" + round + "-after", next.id()));
            if (leader instanceof GoNode g) {
                g.restart();
            } else {
                ((JavaNode) leader).restart();
            }
        }
        System.err.println("leaders in turn: " + leaders);
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).as("leaders in turn: %s", leaders).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(ROUNDS * 11);
    }

    /** Sets a key through whichever node leads, retrying while leadership moves; returns the entry's index. */
    private long writeRetrying(List<KvNode> nodes, Model model, String key, String value) {
        long[] index = new long[1];
        Poll.until(MixedCluster.WAIT, "a leader to accept " + key, cluster::diagnostics, () -> {
            for (KvNode node : nodes) {
                if (node.alive() && node.isLeader()) {
                    index[0] = node.put(key, value).index();
                    return true;
                }
            }
            return false;
        });
        model.set(key, value);
        return index[0];
    }
}
