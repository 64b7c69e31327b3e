package io.flotilla.raft.testkit.suites;

import io.flotilla.raft.ApplyResult;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.NothingNewToSnapshotException;
import io.flotilla.raft.PeersJson;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.SnapshotHandle;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.testkit.cluster.Cluster;
import io.flotilla.raft.testkit.cluster.MockFsm;
import io.flotilla.raft.snapshot.SnapshotStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Ports of hashicorp's raft_test.go snapshot, restore and recovery tests. */
@Timeout(120)
public abstract class SnapshotClusterSuite {

    /**
     * The cluster options every test starts from; override to run the suite over other stores (the RocksDB module
     * does) or with other settings.
     */
    protected Cluster.Options options() {
        return Cluster.options();
    }


    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("expected the future to fail");
    }

    private static CompletableFuture<ApplyResult> applyMany(Raft leader, int from, int to, String prefix) {
        CompletableFuture<ApplyResult> last = null;
        for (int i = from; i < to; i++) {
            last = leader.apply(bytes(prefix + i), Duration.ZERO);
        }
        return last;
    }

    @Test
    @DisplayName("TestRaft_SnapshotRestore")
    void snapshotRestore() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().trailingLogs(10);
        try (Cluster c = Cluster.make(options().peers(1).config(conf))) {
            Raft leader = c.leader();
            await(applyMany(leader, 0, 100, "test"));
            await(leader.snapshot());
            Cluster.Node n = c.node(0);
            List<SnapshotMeta> snaps = n.snapshots().list();
            assertThat(snaps).hasSize(1);
            SnapshotMeta snap = snaps.get(0);
            c.waitFor("logs trimmed to TrailingLogs", () -> firstIndex(n) == snap.index() - 10 + 1);
            await(leader.shutdown());
            c.restart(0, conf, n.fsm());
            assertThat(c.raft(0).appliedIndex()).as("restored from the snapshot").isEqualTo(snap.index());
        }
    }

    private static long firstIndex(Cluster.Node n) {
        try {
            return n.logStore().firstIndex();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("TestRaft_NoRestoreOnStart")
    void noRestoreOnStart() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().trailingLogs(10).noSnapshotRestoreOnStart(true);
        try (Cluster c = Cluster.make(options().peers(1).config(conf))) {
            Raft leader = c.leader();
            await(applyMany(leader, 0, 100, "test"));
            await(leader.snapshot());
            await(leader.shutdown());
            MockFsm fresh = new MockFsm();
            c.restart(0, conf, fresh);
            assertThat(fresh.size()).as("FSM not restored").isZero();
            assertThat(c.raft(0).appliedIndex()).as("but the snapshot's index is taken").isPositive();
        }
    }

    @Test
    @DisplayName("TestRaft_SnapshotRestore_PeerChange (upstream disabled as unreliable; reliable here)")
    void snapshotRestorePeerChange(@TempDir Path base) throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().protocolVersion(1).trailingLogs(10);
        try (Cluster c = Cluster.make(options().peers(3).config(conf))) {
            Raft leader = c.leader();
            await(applyMany(leader, 0, 100, "test"));
            await(leader.snapshot());
            int li = c.indexOf(leader);
            Cluster.Node old = c.node(li);
            for (Raft r : c.rafts()) {
                await(r.shutdown());
            }
            try (Cluster c2 = Cluster.make(options().peers(2).bootstrap(false).config(conf))) {
                List<String> peers = new ArrayList<>();
                peers.add("\"" + old.address().value() + "\"");
                for (Cluster.Node n : c2.nodes()) {
                    peers.add("\"" + n.address().value() + "\"");
                }
                Path peersFile = base.resolve("peers.json");
                Files.writeString(peersFile, "[" + String.join(",", peers) + "]");
                Configuration configuration = PeersJson.readPeersJson(peersFile);
                RaftConfig oldConfig = conf.localId(old.id()).build();
                Raft.recoverCluster(oldConfig, new MockFsm(), old.logStore(), old.stableStore(), old.snapshots(),
                        old.transport(), configuration);
                c.restart(li, conf, new MockFsm());
                // Move the recovered node into the new cluster.
                Cluster moved = c;
                c2.mergeNode(moved, li);
                c2.fullyConnect();
                c2.ensureSame();
                Raft recovered = c2.raft(2);
                // 100 applies + bootstrap entry + no-op = 102 recovered, +1 for the new leader's no-op.
                c2.waitFor("recovered node applied the new no-op", () -> recovered.appliedIndex() == 103);
                c2.ensureSamePeers();
            }
        }
    }

    @Test
    @DisplayName("TestRaft_AutoSnapshot (upstream disabled as unreliable; reliable here)")
    void autoSnapshot() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().snapshotInterval(Duration.ofMillis(10)).snapshotThreshold(50)
                .trailingLogs(10);
        try (Cluster c = Cluster.make(options().peers(1).config(conf))) {
            Raft leader = c.leader();
            await(applyMany(leader, 0, 100, "test"));
            c.waitFor("a snapshot", () -> !list(c.node(0)).isEmpty());
        }
    }

    private static List<SnapshotMeta> list(Cluster.Node n) {
        try {
            return n.snapshots().list();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("TestRaft_UserSnapshot")
    void userSnapshot() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().snapshotThreshold(50).trailingLogs(10);
        try (Cluster c = Cluster.make(options().peers(1).config(conf))) {
            Raft leader = c.leader();
            assertThat(failure(leader.snapshot())).isInstanceOf(NothingNewToSnapshotException.class);
            await(applyMany(leader, 0, 10, "test "));
            SnapshotHandle handle = await(leader.snapshot());
            assertThat(list(c.node(0))).isNotEmpty();
            try (SnapshotStream s = handle.open()) {
                assertThat(s.meta().id()).isEqualTo(handle.id());
            }
        }
    }

    @ParameterizedTest(name = "TestRaft_UserRestore offset {0}")
    @ValueSource(longs = {0, 1, 2, 100, 1000, 10000})
    void userRestore(long offset) throws Exception {
        try (Cluster c = Cluster.make(options().peers(3))) {
            Raft leader = c.leader();
            await(applyMany(leader, 0, 10, "test "));
            SnapshotHandle snap = await(leader.snapshot());
            await(applyMany(leader, 10, 20, "test "));
            long preIndex = leader.lastIndex();
            try (SnapshotStream s = snap.open()) {
                SnapshotMeta m = s.meta();
                SnapshotMeta meta = new SnapshotMeta(m.version(), m.id(), m.index() + offset, m.term(), m.peers(),
                        m.configuration(), m.configurationIndex(), m.size());
                await(leader.restore(meta, s.data(), Duration.ofSeconds(5)));
                long expected = Math.max(meta.index(), preIndex) + 2;
                assertThat(leader.lastIndex()).as("a burnt index and a no-op").isEqualTo(expected);
            }
            c.ensureSame();
            List<String> logs = c.fsm(0).logs().stream().map(b -> new String(b, StandardCharsets.UTF_8))
                    .collect(Collectors.toList());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add("test " + i);
            }
            assertThat(logs).isEqualTo(expected);
            await(applyMany(leader, 20, 30, "test "));
            c.ensureSame();
        }
    }

    @Test
    @DisplayName("TestRaft_SendSnapshotFollower")
    void sendSnapshotFollower() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().trailingLogs(10);
        try (Cluster c = Cluster.make(options().config(conf))) {
            List<Raft> followers = c.followers();
            Raft leader = c.leader();
            Raft behind = followers.get(0);
            c.disconnect(behind.localAddress());
            await(applyMany(leader, 0, 100, "test"));
            snapshotAll(c);
            c.fullyConnect();
            c.ensureSame();
        }
    }

    @Test
    @DisplayName("TestRaft_SendSnapshotAndLogsFollower")
    void sendSnapshotAndLogsFollower() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().trailingLogs(10);
        try (Cluster c = Cluster.make(options().config(conf))) {
            List<Raft> followers = c.followers();
            Raft leader = c.leader();
            Raft behind = followers.get(0);
            c.disconnect(behind.localAddress());
            await(applyMany(leader, 0, 100, "test"));
            snapshotAll(c);
            await(applyMany(leader, 100, 200, "test"));
            c.fullyConnect();
            c.ensureSame();
        }
    }

    private static void snapshotAll(Cluster c) throws Exception {
        for (Raft r : c.rafts()) {
            try {
                await(r.snapshot());
            } catch (ExecutionException e) {
                // The disconnected node has applied nothing: that is expected.
                assertThat(e.getCause()).isInstanceOf(NothingNewToSnapshotException.class);
            }
        }
    }

    @Test
    @DisplayName("TestRaft_RecoverCluster_NoState")
    void recoverClusterNoState() throws Exception {
        try (Cluster c = Cluster.make(options().peers(1).bootstrap(false))) {
            Cluster.Node n = c.node(0);
            Configuration configuration = Configuration.of(
                    new io.flotilla.raft.Server(io.flotilla.raft.Suffrage.VOTER, n.id(), n.address()));
            RaftConfig config = c.configTemplate().localId(n.id()).build();
            assertThatThrownBy(() -> Raft.recoverCluster(config, new MockFsm(), n.logStore(), n.stableStore(), n.snapshots(),
                    n.transport(), configuration)).hasMessageContaining("no initial state");
        }
    }

    @ParameterizedTest(name = "TestRaft_RecoverCluster with {0} applies (upstream disabled as unreliable)")
    @ValueSource(ints = {0, 1, 10, 19})
    void recoverCluster(int applies) throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig().trailingLogs(10);
        try (Cluster c = Cluster.make(options().config(conf))) {
            Raft leader = c.leader();
            for (int i = 0; i < applies; i++) {
                await(leader.apply(bytes("test" + i), Duration.ZERO));
            }
            Configuration configuration = await(leader.getConfiguration()).configuration();
            for (Raft r : c.rafts()) {
                await(r.shutdown());
            }
            for (int i = 0; i < 3; i++) {
                Cluster.Node n = c.node(i);
                int before = n.snapshots().list().size();
                RaftConfig config = conf.localId(n.id()).build();
                Raft.recoverCluster(config, new MockFsm(), n.logStore(), n.stableStore(), n.snapshots(), n.transport(),
                        configuration);
                assertThat(n.snapshots().list()).as("a new snapshot").hasSize(before + 1);
                assertThat(n.logStore().firstIndex()).isZero();
                assertThat(n.logStore().lastIndex()).isZero();
                c.restart(i, conf, new MockFsm());
            }
            c.fullyConnect();
            c.ensureLeader(c.leader().localAddress());
            c.ensureSame();
            c.ensureSamePeers();
            assertThat(c.fsm(0).size()).isEqualTo(applies);
        }
    }
}
