package io.flotilla.raft.cluster;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.Raft;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.SnapshotHandle;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.snapshot.FileSnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStream;
import io.flotilla.raft.testkit.cluster.Cluster;
import io.flotilla.raft.testkit.cluster.MockFsm;
import io.flotilla.raft.transport.InmemTransport;
import io.flotilla.raft.transport.RemoteRpcException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A corrupt snapshot is never restored: at startup the node falls back, during an install nothing changes. */
@Timeout(60)
class SnapshotBadInputTest {

    /** A MockFsm that records which snapshots it was restored from. */
    static final class RecordingFsm extends MockFsm {
        final List<Long> restoredIndexes = new CopyOnWriteArrayList<>();

        @Override
        public void restore(SnapshotMeta meta, InputStream snapshot) throws java.io.IOException {
            restore(snapshot);
            restoredIndexes.add(meta.index());
        }
    }

    private static void applyAndWait(Raft leader, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            leader.apply(("x" + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO).get(10, TimeUnit.SECONDS);
        }
    }

    private static Path stateFile(Cluster.Node n, String id) {
        return ((FileSnapshotStore) n.snapshots()).directory().resolve(id).resolve("state.bin");
    }

    @Test
    @DisplayName("at startup a snapshot whose data fails its CRC is skipped for an older one")
    void startupFallsBackPastACorruptSnapshot() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig();
        try (Cluster c = Cluster.make(Cluster.options().peers(1).config(conf))) {
            Raft leader = c.leader();
            applyAndWait(leader, 10);
            SnapshotHandle older = leader.snapshot().get(10, TimeUnit.SECONDS);
            applyAndWait(leader, 10);
            SnapshotHandle newer = leader.snapshot().get(10, TimeUnit.SECONDS);
            long olderIndex;
            try (SnapshotStream s = older.open()) {
                olderIndex = s.meta().index();
            }
            leader.shutdown().get(10, TimeUnit.SECONDS);

            Path state = stateFile(c.node(0), newer.id());
            byte[] bytes = Files.readAllBytes(state);
            bytes[bytes.length / 2] ^= 0x40;
            Files.write(state, bytes);

            RecordingFsm fsm = new RecordingFsm();
            c.restart(0, conf, fsm);
            assertThat(fsm.restoredIndexes).as("restored from the older snapshot only").containsExactly(olderIndex);
            // The log after the older snapshot brings it back to where it was.
            c.waitFor("all 20 commands applied", () -> fsm.size() == 20);
        }
    }

    @Test
    @DisplayName("at startup a truncated snapshot is skipped for an older one")
    void startupFallsBackPastATruncatedSnapshot() throws Exception {
        RaftConfig.Builder conf = Cluster.inmemConfig();
        try (Cluster c = Cluster.make(Cluster.options().peers(1).config(conf))) {
            Raft leader = c.leader();
            applyAndWait(leader, 5);
            SnapshotHandle older = leader.snapshot().get(10, TimeUnit.SECONDS);
            applyAndWait(leader, 5);
            SnapshotHandle newer = leader.snapshot().get(10, TimeUnit.SECONDS);
            leader.shutdown().get(10, TimeUnit.SECONDS);
            try (FileChannel ch = FileChannel.open(stateFile(c.node(0), newer.id()), StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 3);
            }
            RecordingFsm fsm = new RecordingFsm();
            c.restart(0, conf, fsm);
            try (SnapshotStream s = older.open()) {
                assertThat(fsm.restoredIndexes).containsExactly(s.meta().index());
            }
        }
    }

    private static InstallSnapshotRequest install(InmemTransport from, Cluster.Node to, long index, long size) {
        Configuration cfg = Configuration.of(new Server(io.flotilla.raft.Suffrage.VOTER, to.id(), to.address()));
        return new InstallSnapshotRequest(RpcHeader.V3, 1, 5, from.encodePeer(ServerId.of("outsider"),
                from.localAddress()), index, 4, ConfigurationCodec.encodePeers(cfg, from),
                ConfigurationCodec.encodeConfiguration(cfg), 1, size);
    }

    @Test
    @DisplayName("an InstallSnapshot whose stream ends early fails, the leader is told, and nothing changes")
    void installWithAShortStreamChangesNothing() throws Exception {
        try (Cluster c = Cluster.make(Cluster.options().peers(1).bootstrap(false));
             InmemTransport leader = new InmemTransport(InmemTransport.newInmemAddress(), Duration.ofSeconds(2))) {
            Cluster.Node n = c.node(0);
            leader.connect(n.address(), n.transport());
            assertThatThrownBy(() -> leader.installSnapshot(n.id(), n.address(), install(leader, n, 10, 100),
                    new ByteArrayInputStream(new byte[10]))).isInstanceOf(RemoteRpcException.class)
                    .hasMessageContaining("short read");
            assertThat(n.snapshots().list()).isEmpty();
            assertThat(n.raft().lastIndex()).isZero();
            assertThat(((MockFsm) n.fsm()).size()).isZero();
        }
    }

    @Test
    @DisplayName("an InstallSnapshot the FSM cannot restore fails, is removed from the store, and nothing changes; a good "
            + "one then installs")
    void installThatTheFsmRejectsChangesNothing() throws Exception {
        try (Cluster c = Cluster.make(Cluster.options().peers(1).bootstrap(false));
             InmemTransport leader = new InmemTransport(InmemTransport.newInmemAddress(), Duration.ofSeconds(2))) {
            Cluster.Node n = c.node(0);
            leader.connect(n.address(), n.transport());
            byte[] garbage = "this is not a msgpack array of commands".getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> leader.installSnapshot(n.id(), n.address(),
                    install(leader, n, 10, garbage.length), new ByteArrayInputStream(garbage)))
                    .isInstanceOf(RemoteRpcException.class).hasMessageContaining("failed to restore snapshot");
            assertThat(n.snapshots().list()).as("the refused snapshot is gone").isEmpty();
            assertThat(n.raft().lastIndex()).isZero();

            // A well-formed snapshot of two commands: msgpack [ "a", "b" ].
            byte[] good = {(byte) 0x92, (byte) 0xa1, 'a', (byte) 0xa1, 'b'};
            InstallSnapshotResponse ok = leader.installSnapshot(n.id(), n.address(), install(leader, n, 10, good.length),
                    new ByteArrayInputStream(good));
            assertThat(ok.success()).isTrue();
            assertThat(n.raft().lastIndex()).isEqualTo(10);
            assertThat(((MockFsm) n.fsm()).size()).isEqualTo(2);
        }
    }
}
