package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** (a) A Go leader (hashicorp/raft 1.1.2) replicating to Flotilla followers over TCP. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GoLeaderInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    private GoNode g1;
    private JavaNode j1;
    private JavaNode j2;

    /** The Go node bootstraps alone, so it leads; then it adds the Flotilla nodes as voters. */
    private List<KvNode> goLedCluster() {
        g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        j1 = cluster.java("j1");
        j2 = cluster.java("j2");
        g1.addVoter(j1);
        g1.addVoter(j2);
        List<KvNode> all = List.of(g1, j1, j2);
        cluster.awaitLeader(g1, all);
        return all;
    }

    @Test
    void flotilla_followers_apply_what_the_go_leader_commits() {
        List<KvNode> all = goLedCluster();
        cluster.awaitConfiguration(j1, List.of("g1", "j1", "j2"));
        assertThat(j1.configuration()).containsExactlyInAnyOrderElementsOf(g1.configuration());

        Model model = new Model();
        long last = model.putMany(g1, "k", 30);
        // Keys and values the HTTP path and the entry encoding must carry unchanged.
        last = Math.max(last, model.put(g1, "a/b c?d%e", "slash, space, query, percent"));
        last = Math.max(last, model.put(g1, "ünïcødé-κλειδί-键", "välue-😀-\u2028"));
        last = Math.max(last, model.put(g1, "empty", ""));
        last = Math.max(last, model.put(g1, "quote\"back\\slash", "<html> & 'json' \"escapes\"\t\n"));

        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(model.keys());
        assertThat(j1.fsm().get("a/b c?d%e").value()).contains("slash, space, query, percent");
        for (JavaNode j : List.of(j1, j2)) {
            assertThat(j.state()).isEqualTo("Follower");
            assertThat(j.leaderAddress()).isEqualTo(g1.raftAddress());
            assertThat(j.raft().leaderId()).hasValueSatisfying(id -> assertThat(id.value()).isEqualTo("g1"));
        }
    }

    @Test
    void concurrent_writers_through_the_go_leader_and_a_linearizable_read() throws Exception {
        List<KvNode> all = goLedCluster();
        int writers = 16;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long last = 0;
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    long max = 0;
                    for (int i = 0; i < each; i++) {
                        max = Math.max(max, g1.put("w" + writer + "-" + i, "value " + i).index());
                    }
                    return max;
                }));
            }
            for (Future<Long> f : done) {
                last = Math.max(last, f.get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        Model model = new Model();
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < each; i++) {
                model.set("w" + w + "-" + i, "value " + i);
            }
        }
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(writers * each);
        // gopeer's linearizable read commits a barrier, which needs a Flotilla follower's acknowledgement.
        assertThat(g1.get("w7-24")).isEqualTo("value 24");
        assertThat(g1.get("absent")).isNull();
    }

    @Test
    void odd_entries_committed_by_the_go_leader_are_applied_identically_by_flotilla_followers() {
        List<KvNode> all = goLedCluster();
        OddEntries.Outcome outcome = OddEntries.applyAll(g1);
        KvFsm.Digest d = cluster.awaitConverged(all, outcome.lastIndex());
        assertThat(d.sha256()).isEqualTo(outcome.expected().sha256());
        assertThat(d.keys()).isEqualTo(outcome.expected().keys());
        assertThat(outcome.resultMismatches()).as("Go's FSM results vs Flotilla's KvFsm on the same entries")
                .isEmpty();
    }
}
