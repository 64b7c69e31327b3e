package io.flotilla.raft.cluster;

import io.flotilla.raft.LeaderObservation;
import io.flotilla.raft.Observation;
import io.flotilla.raft.Observer;
import io.flotilla.raft.PeerObservation;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.snapshot.SnapshotStream;
import io.flotilla.raft.testkit.cluster.Cluster;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The Raft facade's observable surface: observers, stats, metrics, argument checks, shutdown. */
@Timeout(120)
class RaftApiTest {

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("Observers see state, leader, peer and vote-request observations; filters and counters work")
    void observers() throws Exception {
        try (Cluster c = Cluster.makeNoBootstrap(3)) {
            LinkedBlockingQueue<Observation> all = new LinkedBlockingQueue<>();
            Observer everything = new Observer(all, true, null);
            ArrayBlockingQueue<Observation> leadersOnly = new ArrayBlockingQueue<>(1000);
            Observer leaders = new Observer(leadersOnly, false, o -> o.data() instanceof LeaderObservation);
            ArrayBlockingQueue<Observation> tiny = new ArrayBlockingQueue<>(1);
            Observer dropping = new Observer(tiny, false, null);
            Raft r0 = c.raft(0);
            r0.registerObserver(everything);
            r0.registerObserver(leaders);
            r0.registerObserver(dropping);
            assertThat(leaders.id()).isGreaterThan(everything.id());

            List<io.flotilla.raft.Server> servers = new ArrayList<>();
            for (Cluster.Node n : c.nodes()) {
                servers.add(io.flotilla.raft.Server.voter(n.id().value(), n.address().value()));
            }
            await(r0.bootstrapCluster(new io.flotilla.raft.Configuration(servers)));
            Raft leader = c.leader();
            c.waitFor("observations of every kind", () -> {
                Set<Class<?>> kinds = all.stream().map(o -> o.data().getClass()).collect(Collectors.toSet());
                boolean peerSeen = r0 != leader || kinds.contains(PeerObservation.class);
                return kinds.contains(RaftState.class) && kinds.contains(LeaderObservation.class) && peerSeen;
            });
            assertThat(all).allMatch(o -> o.raft() == r0);
            assertThat(leadersOnly).isNotEmpty().allMatch(o -> o.data() instanceof LeaderObservation);
            assertThat(everything.numObserved()).isGreaterThanOrEqualTo(all.size());
            assertThat(everything.numDropped()).isZero();
            assertThat(dropping.numDropped()).as("a full non-blocking observer drops").isPositive();
            assertThat(dropping.numObserved()).isEqualTo(1);

            long before = everything.numObserved();
            r0.deregisterObserver(everything);
            // Cause more observations: a leadership change.
            await(leader.leadershipTransfer());
            c.leader();
            assertThat(everything.numObserved()).isEqualTo(before);
        }
    }

    @Test
    @DisplayName("A follower observes the RequestVote it receives")
    void requestVoteObservations() throws Exception {
        try (Cluster c = Cluster.make(3)) {
            Raft leader = c.leader();
            LinkedBlockingQueue<Observation> votes = new LinkedBlockingQueue<>();
            // The old leader is asked for its vote by the transfer target.
            leader.registerObserver(new Observer(votes, false, o -> o.data() instanceof RequestVoteRequest));
            await(leader.leadershipTransfer());
            c.waitFor("a vote request observed", () -> !votes.isEmpty());
            RequestVoteRequest req = (RequestVoteRequest) votes.peek().data();
            assertThat(req.leadershipTransfer()).isTrue();
            assertThat(req.term()).isGreaterThan(1);
        }
    }

    @Test
    @DisplayName("Stats reports every hashicorp key")
    void stats() throws Exception {
        try (Cluster c = Cluster.make(3)) {
            Raft leader = c.leader();
            await(leader.apply("x".getBytes(StandardCharsets.UTF_8), Duration.ZERO));
            Map<String, String> s = leader.stats();
            assertThat(s.keySet()).containsExactlyInAnyOrder("state", "term", "last_log_index", "last_log_term",
                    "commit_index", "applied_index", "fsm_pending", "last_snapshot_index", "last_snapshot_term",
                    "protocol_version", "protocol_version_min", "protocol_version_max", "snapshot_version_min",
                    "snapshot_version_max", "latest_configuration_index", "latest_configuration", "num_peers",
                    "last_contact");
            assertThat(s.get("state")).isEqualTo("Leader");
            assertThat(s.get("last_contact")).isEqualTo("0");
            assertThat(s.get("num_peers")).isEqualTo("2");
            assertThat(s.get("protocol_version_max")).isEqualTo("3");
            assertThat(s.get("snapshot_version_max")).isEqualTo("1");
            assertThat(s.get("latest_configuration")).startsWith("[{Suffrage:Voter ID:server-");
            Raft follower = c.followers().get(0);
            Map<String, String> fs = follower.stats();
            assertThat(fs.get("state")).isEqualTo("Follower");
            assertThat(fs.get("last_contact")).matches("[0-9.]+(ns|µs|ms|s)");
            assertThat(leader.toString()).isEqualTo("Node at " + leader.localAddress().value() + " [Leader]");
        }
    }

    @Test
    @DisplayName("Every metric of hashicorp's list is emitted")
    void metrics() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RaftConfig.Builder conf = Cluster.inmemConfig().trailingLogs(5).snapshotInterval(Duration.ofMillis(20))
                .snapshotThreshold(20);
        try (Cluster c = Cluster.make(Cluster.options().config(conf).meterRegistry(registry).configStoreFsm())) {
            Raft leader = c.leader();
            Raft lagging = c.followers().get(0);
            c.disconnect(lagging.localAddress());
            for (int i = 0; i < 50; i++) {
                leader.apply(("x" + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO);
            }
            await(leader.barrier(Duration.ZERO));
            await(leader.verifyLeader());
            try {
                await(leader.snapshot());
            } catch (ExecutionException e) {
                // The automatic snapshotter may have got there first.
                assertThat(e.getCause()).isInstanceOf(io.flotilla.raft.NothingNewToSnapshotException.class);
            }
            c.fullyConnect();
            c.ensureSame();
            // The returning follower campaigned while cut off; its higher term unseats the leader (no pre-vote in
            // hashicorp 1.1.2), so look the leader up again.
            leader = c.leader();
            await(leader.removeServer(ServerId.of("nobody"), 0, Duration.ZERO));
            Cluster.Node ln = c.nodeOf(leader);
            String newest = ln.snapshots().list().get(0).id();
            try (SnapshotStream s = ln.snapshots().open(newest)) {
                await(leader.restore(s.meta(), s.data(), Duration.ofSeconds(5)));
            }
            c.ensureSame();
            await(c.leader().leadershipTransfer());
            Raft l2 = c.leader();
            // A lease step-down: cut the new leader off.
            c.disconnect(l2.localAddress());
            c.waitFor("lease step-down", () -> l2.state() != RaftState.LEADER);
            c.fullyConnect();
            c.leader();
        }
        Set<String> names = registry.getMeters().stream().map(m -> m.getId().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> expected = List.of("raft.apply", "raft.barrier", "raft.verify_leader", "raft.restore",
                "raft.state.follower", "raft.state.candidate", "raft.state.leader",
                "raft.transition.heartbeat_timeout", "raft.transition.leader_lease_timeout", "raft.candidate.electSelf",
                "raft.commitTime", "raft.commitNumLogs", "raft.fsm.enqueue", "raft.leader.dispatchLog",
                "raft.leader.dispatchNumLogs", "raft.leader.lastContact", "raft.restoreUserSnapshot",
                "raft.rpc.appendEntries", "raft.rpc.appendEntries.storeLogs", "raft.rpc.appendEntries.processLogs",
                "raft.rpc.requestVote", "raft.rpc.installSnapshot", "raft.rpc.processHeartbeat",
                "raft.replication.appendEntries.rpc", "raft.replication.appendEntries.logs",
                "raft.replication.heartbeat", "raft.replication.installSnapshot", "raft.fsm.apply",
                "raft.fsm.store_config", "raft.fsm.restore", "raft.fsm.snapshot", "raft.snapshot.takeSnapshot",
                "raft.snapshot.create", "raft.snapshot.persist", "raft.compactLogs");
        assertThat(names).containsAll(expected);
        Meter perPeer = registry.getMeters().stream()
                .filter(m -> m.getId().getName().equals("raft.replication.appendEntries.rpc")).findFirst().orElseThrow();
        assertThat(perPeer.getId().getTag("peer")).startsWith("server-");
        assertThat(perPeer.getId().getTag("node")).startsWith("server-");
    }

    @Test
    @DisplayName("Batching FSM metrics: raft.fsm.applyBatch and raft.fsm.applyBatchNum")
    void batchingMetrics() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Cluster c = Cluster.make(Cluster.options().peers(1).meterRegistry(registry)
                .fsm(io.flotilla.raft.testkit.cluster.MockBatchingFsm::new))) {
            Raft leader = c.leader();
            CompletableFuture<?> last = null;
            for (int i = 0; i < 200; i++) {
                last = leader.apply(("x" + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO);
            }
            await(last);
            io.flotilla.raft.testkit.cluster.MockBatchingFsm fsm =
                    (io.flotilla.raft.testkit.cluster.MockBatchingFsm) c.node(0).fsm();
            assertThat(fsm.size()).isEqualTo(200);
            assertThat(fsm.largestBatch()).isGreaterThan(1).isLessThanOrEqualTo(64);
        }
        Set<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
        assertThat(names).contains("raft.fsm.applyBatch", "raft.fsm.applyBatchNum");
    }

    @Test
    @DisplayName("linearizableRead: confirms leadership without a log write and waits for the FSM")
    void linearizableRead() throws Exception {
        try (Cluster c = Cluster.make(3)) {
            Raft leader = c.leader();
            long lastBefore = leader.lastIndex();
            io.flotilla.raft.ApplyResult w = await(leader.apply("x".getBytes(StandardCharsets.UTF_8), Duration.ZERO));
            long readIndex = await(leader.linearizableRead());
            assertThat(readIndex).isGreaterThanOrEqualTo(w.index());
            assertThat(leader.appliedIndex()).isGreaterThanOrEqualTo(readIndex);
            assertThat(leader.lastIndex()).as("no log entry written for the read").isEqualTo(w.index());
            assertThat(lastBefore).isLessThan(w.index());
            Raft follower = c.followers().get(0);
            try {
                follower.linearizableRead().get(10, TimeUnit.SECONDS);
                org.assertj.core.api.Assertions.fail("a follower cannot serve linearizable reads");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(io.flotilla.raft.NotLeaderException.class);
            }
            // A leader cut off from its quorum cannot confirm a read.
            c.disconnect(leader.localAddress());
            try {
                leader.linearizableRead().get(10, TimeUnit.SECONDS);
                org.assertj.core.api.Assertions.fail("an isolated leader must not serve a linearizable read");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOfAny(io.flotilla.raft.LeadershipLostException.class,
                        io.flotilla.raft.NotLeaderException.class);
            }
        }
    }

    @Test
    @DisplayName("Invalid arguments fail fast with a clear exception")
    void invalidArguments() throws Exception {
        try (Cluster c = Cluster.make(1)) {
            Raft r = c.leader();
            assertThatIllegalArgumentException().isThrownBy(() -> r.apply(new byte[0], Duration.ofMillis(-1)))
                    .withMessageContaining("timeout must not be negative");
            assertThatIllegalArgumentException().isThrownBy(
                    () -> r.addVoter(ServerId.of(""), ServerAddress.of("a"), 0, Duration.ZERO))
                    .withMessageContaining("server id must not be empty");
            assertThatIllegalArgumentException().isThrownBy(
                    () -> r.addVoter(ServerId.of("x"), ServerAddress.NONE, 0, Duration.ZERO))
                    .withMessageContaining("server address must not be empty");
            assertThatIllegalArgumentException().isThrownBy(
                    () -> r.removeServer(ServerId.of("x"), -1, Duration.ZERO))
                    .withMessageContaining("prevIndex");
        }
    }

    @Test
    @DisplayName("An invalid configuration is refused at start with hashicorp's text")
    void invalidConfiguration() {
        Cluster.Options o = Cluster.options().peers(1).config(Cluster.inmemConfig()
                .leaderLeaseTimeout(Duration.ofMillis(200)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cluster.make(o))
                .hasMessageContaining("Leader lease timeout cannot be larger than heartbeat timeout");
    }

    @Test
    @DisplayName("Shutdown completes every pending future (hashicorp can hang, §8.1 #8)")
    void shutdownCompletesPendingFutures() throws Exception {
        try (Cluster c = Cluster.make(3)) {
            Raft leader = c.leader();
            // Cut the leader off so nothing can commit, then queue work and shut down.
            c.disconnect(leader.localAddress());
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                pending.add(leader.apply(("x" + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO));
            }
            pending.add(leader.barrier(Duration.ZERO));
            pending.add(leader.verifyLeader());
            pending.add(leader.getConfiguration());
            await(leader.shutdown());
            for (CompletableFuture<?> f : pending) {
                assertThat(f).isDone();
                if (f.isCompletedExceptionally()) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(io.flotilla.raft.RaftException.class);
                    }
                }
            }
            assertThat(leader.state()).isEqualTo(RaftState.SHUTDOWN);
            assertThat(leader.leader()).isEqualTo(ServerAddress.NONE);
            try {
                leader.apply(new byte[1], Duration.ZERO).get();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RaftShutdownException.class);
            }
        }
    }
}
