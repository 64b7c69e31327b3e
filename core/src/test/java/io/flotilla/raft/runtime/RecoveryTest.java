package io.flotilla.raft.runtime;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Fsm;
import io.flotilla.raft.FsmSnapshot;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.snapshot.InmemSnapshotStore;
import io.flotilla.raft.snapshot.SnapshotSink;
import io.flotilla.raft.storage.InmemStore;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Startup recovery (hashicorp's NewRaft scan) and the cases where the snapshot must win over the log. */
class RecoveryTest {
    private static final Configuration ONE = Configuration.of(Server.voter("a", "A"));
    private static final Configuration TWO = Configuration.of(Server.voter("a", "A"), Server.voter("b", "B"));

    /** Records what was restored. */
    static class RecordingFsm implements Fsm {
        final List<String> restored = new ArrayList<>();

        @Override
        public Object apply(LogEntry entry) {
            return null;
        }

        @Override
        public FsmSnapshot snapshot() {
            return sink -> sink.close();
        }

        @Override
        public void restore(InputStream snapshot) throws IOException {
            restored.add(new String(snapshot.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void snapshot(InmemSnapshotStore store, long index, long term, Configuration c, String data)
            throws IOException {
        SnapshotSink sink = store.create(1, index, term, c, 1, PeerCodec.ADDRESS);
        sink.write(data.getBytes(StandardCharsets.UTF_8));
        sink.close();
    }

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(new LogEntry(i, term, LogType.COMMAND, new byte[] {(byte) i}));
        }
        return out;
    }

    @Test
    void scansTermsAndConfigurationsFromSnapshotAndLog() throws Exception {
        InmemStore store = new InmemStore();
        store.storeLog(new LogEntry(1, 1, LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(ONE)));
        store.storeLogs(entries(2, 4, 1));
        store.storeLog(new LogEntry(5, 3, LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(TWO)));
        store.storeLogs(entries(6, 7, 3));
        store.setUint64(StableKeys.CURRENT_TERM, 3);
        RecordingFsm fsm = new RecordingFsm();
        Recovery.Result r = Recovery.recover(fsm, true, true, store, store, new InmemSnapshotStore(), PeerCodec.ADDRESS,
                LoggerFactory.getLogger("test"));
        assertThat(r.snapshot()).isEmpty();
        assertThat(r.state().currentTerm()).isEqualTo(3);
        assertThat(r.state().firstIndex()).isEqualTo(1);
        assertThat(r.state().lastIndex()).isEqualTo(7);
        assertThat(r.state().termRuns()).extracting(run -> run[0] + "@" + run[1]).containsExactly("1@1", "5@3");
        // After a restart the last configuration is latest and the one before it committed (hashicorp §3.7.7).
        assertThat(r.state().configurations().latest()).isEqualTo(TWO);
        assertThat(r.state().configurations().latestIndex()).isEqualTo(5);
        assertThat(r.state().configurations().committed()).isEqualTo(ONE);
    }

    @Test
    void restoresTheNewestUsableSnapshotAndFallsBackFromABadOne() throws Exception {
        InmemSnapshotStore snaps = new InmemSnapshotStore();
        snapshot(snaps, 10, 2, TWO, "good");
        InmemStore store = new InmemStore();
        store.storeLogs(entries(8, 12, 2));
        Fsm failingOnce = new RecordingFsm() {
            @Override
            public void restore(InputStream snapshot) throws IOException {
                throw new IOException("corrupt");
            }
        };
        // The in-memory store keeps only one snapshot: a failing restore leaves nothing usable.
        assertThatThrownBy(() -> Recovery.recover(failingOnce, true, true, store, store, snaps, PeerCodec.ADDRESS,
                LoggerFactory.getLogger("test"))).hasMessageContaining("failed to load any existing snapshots");
        RecordingFsm fsm = new RecordingFsm();
        Recovery.Result r = Recovery.recover(fsm, true, true, store, store, snaps, PeerCodec.ADDRESS,
                LoggerFactory.getLogger("test"));
        assertThat(fsm.restored).containsExactly("good");
        assertThat(r.state().snapshotIndex()).isEqualTo(10);
        assertThat(r.state().configurations().latest()).isEqualTo(TWO);
        assertThat(r.state().lastIndex()).as("the log after the snapshot is kept").isEqualTo(12);
    }

    @Test
    void aLogThatEndsBeforeTheSnapshotIsDiscarded() throws Exception {
        InmemSnapshotStore snaps = new InmemSnapshotStore();
        snapshot(snaps, 20, 4, ONE, "s");
        InmemStore store = new InmemStore();
        store.storeLogs(entries(1, 5, 1));
        Recovery.Result r = Recovery.recover(new RecordingFsm(), true, true, store, store, snaps, PeerCodec.ADDRESS,
                LoggerFactory.getLogger("test"));
        assertThat(r.state().lastIndex()).isZero();
        assertThat(store.lastIndex()).as("repaired on disk").isZero();
    }

    @Test
    void aLogThatDisagreesWithTheSnapshotAtItsIndexIsDiscarded() throws Exception {
        // An installed snapshot's log reset was lost in a crash: the old log has another term at its index.
        InmemSnapshotStore snaps = new InmemSnapshotStore();
        snapshot(snaps, 5, 3, ONE, "s");
        InmemStore store = new InmemStore();
        store.storeLogs(entries(1, 8, 2));
        Recovery.Result r = Recovery.recover(new RecordingFsm(), true, true, store, store, snaps, PeerCodec.ADDRESS,
                LoggerFactory.getLogger("test"));
        assertThat(r.state().lastIndex()).isZero();
        assertThat(r.state().snapshotIndex()).isEqualTo(5);
        assertThat(store.lastIndex()).isZero();
    }

    @Test
    void readingWithoutRepairLeavesTheStoresAlone() throws Exception {
        InmemSnapshotStore snaps = new InmemSnapshotStore();
        snapshot(snaps, 5, 3, ONE, "s");
        InmemStore store = new InmemStore();
        store.storeLogs(entries(1, 8, 2));
        Recovery.recover(null, false, false, store, store, snaps, PeerCodec.ADDRESS, LoggerFactory.getLogger("test"));
        assertThat(store.lastIndex()).isEqualTo(8);
    }

    @Test
    void aHoleInTheLogIsAClearError() throws Exception {
        InmemStore store = new InmemStore();
        store.storeLogs(entries(1, 3, 1));
        store.storeLogs(entries(5, 6, 1));
        assertThatThrownBy(() -> Recovery.recover(new RecordingFsm(), true, true, store, store, new InmemSnapshotStore(),
                PeerCodec.ADDRESS, LoggerFactory.getLogger("test"))).isInstanceOf(IOException.class)
                .hasMessageContaining("failed to get log at index 4");
    }

    @Test
    void termsGoingBackwardsAreReportedAsCorruption() throws Exception {
        InmemStore store = new InmemStore();
        store.storeLogs(entries(1, 3, 5));
        store.storeLogs(entries(4, 5, 2));
        assertThatThrownBy(() -> Recovery.recover(new RecordingFsm(), true, true, store, store, new InmemSnapshotStore(),
                PeerCodec.ADDRESS, LoggerFactory.getLogger("test"))).hasMessageContaining("corrupt log");
    }
}
