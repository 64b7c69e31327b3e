package io.flotilla.kv.interop;

import io.flotilla.kv.KvCommand;
import io.flotilla.kv.KvFsm;
import io.flotilla.raft.ApplyResult;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** (b) A Flotilla leader replicating to Go followers (hashicorp/raft 1.1.2) over TCP. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FlotillaLeaderInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    private JavaNode j1;
    private GoNode g1;
    private GoNode g2;

    /** The Java node bootstraps alone, so it leads; then it adds the Go nodes as voters. */
    private List<KvNode> flotillaLedCluster() {
        j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        g1 = cluster.go("g1");
        g2 = cluster.go("g2");
        j1.addVoter(g1);
        j1.addVoter(g2);
        List<KvNode> all = List.of(j1, g1, g2);
        cluster.awaitLeader(j1, all);
        return all;
    }

    @Test
    void go_followers_apply_what_the_flotilla_leader_commits() throws Exception {
        List<KvNode> all = flotillaLedCluster();
        cluster.awaitConfiguration(g1, List.of("j1", "g1", "g2"));
        assertThat(g1.configuration()).containsExactlyInAnyOrderElementsOf(j1.configuration());

        Model model = new Model();
        long last = model.putMany(j1, "k", 30);
        last = Math.max(last, model.put(j1, "a/b c?d%e", "slash, space, query, percent"));
        last = Math.max(last, model.put(j1, "ünïcødé-κλειδί-键", "välue-😀-\u2028"));
        last = Math.max(last, model.put(j1, "empty", ""));
        last = Math.max(last, model.put(j1, "quote\"back\\slash", "<html> & 'json' \"escapes\"\t\n"));
        // An entry with extensions (Log.Extensions on the wire; the FSM ignores them) and a barrier entry.
        ApplyResult withExtensions = j1.raft().applyLog(KvCommand.set("ext", "x").encode(),
                new byte[] {0, (byte) 0xff, 'e', 'x', 't'}, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
        model.set("ext", "x");
        long barrier = j1.raft().barrier(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
        assertThat(barrier).isGreaterThan(withExtensions.index());
        last = Math.max(last, withExtensions.index());

        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(model.keys());
        for (GoNode g : List.of(g1, g2)) {
            assertThat(g.state()).isEqualTo("Follower");
            assertThat(g.status()).containsEntry("leader_id", "j1").containsEntry("leader_addr", j1.raftAddress());
            assertThat(g.staleGet("ünïcødé-κλειδί-键")).isEqualTo("välue-😀-\u2028");
            assertThat(g.staleGet("empty")).isEmpty();
        }
    }

    @Test
    void a_burst_of_writes_through_the_flotilla_leader_and_linearizable_reads() throws Exception {
        List<KvNode> all = flotillaLedCluster();
        // Proposed all at once, so the leader sends Go followers full batches through its pipeline.
        Model model = new Model();
        List<CompletableFuture<ApplyResult>> pending = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String key = "burst-" + i;
            String value = "value " + i;
            pending.add(j1.raft().apply(KvCommand.set(key, value).encode(), Duration.ofSeconds(10)));
            model.set(key, value);
        }
        long last = 0;
        for (CompletableFuture<ApplyResult> f : pending) {
            last = Math.max(last, f.get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS).index());
        }
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(1000);
        // Both need a quorum of Go followers to answer heartbeats in the leader's current term.
        j1.raft().verifyLeader().get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(j1.raft().linearizableRead().get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS))
                .isGreaterThanOrEqualTo(last);
    }

    @Test
    void odd_entries_committed_by_the_flotilla_leader_are_applied_identically_by_go_followers() {
        List<KvNode> all = flotillaLedCluster();
        OddEntries.Outcome outcome = OddEntries.applyAll(j1);
        KvFsm.Digest d = cluster.awaitConverged(all, outcome.lastIndex());
        assertThat(d.sha256()).isEqualTo(outcome.expected().sha256());
        assertThat(d.keys()).isEqualTo(outcome.expected().keys());
        assertThat(outcome.resultMismatches()).isEmpty();
    }
}
