package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.codec.ConfigurationCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raft §7 on the follower: a snapshot that describes a prefix of the follower's log must not discard the entries
 * that follow it — they may be committed, counted by the leader from this follower's own acknowledgement. Found by
 * the deterministic simulator (chaos seed 10: a lost AppendEntries response made the leader fall back to a snapshot
 * at 132 while the follower durably held 128..133, and the install dropped committed entry 133).
 */
class EngineInstallSnapshotTest {
    private static final Configuration CONFIG = Configuration.of(Server.voter("a", "a"), Server.voter("b", "b"),
            Server.voter("c", "c"));

    private final List<Output> out = new ArrayList<>();

    /** Follower "a" with entries 1..10 of term 2 and nothing committed. */
    private Engine follower(long[][] runs) {
        RestoredState restored = new RestoredState(2, 0, null, 0, 0, 1, 10, List.of(runs),
                Configurations.of(CONFIG, 1));
        EngineConfig cfg = new EngineConfig(ServerId.of("a"), ServerAddress.of("a"), PeerCodec.ADDRESS, 3,
                100_000_000L, 100_000_000L, 10_000_000L, 50_000_000L, 64, 0, false, false, 8);
        return new Engine(cfg, restored, () -> 0L, new SplittableRandom(1), EngineMetrics.NOOP);
    }

    private void install(Engine e, long index, long term) {
        InstallSnapshotRequest req = new InstallSnapshotRequest(RpcHeader.V3, 1, 2, "b".getBytes(), index, term, null,
                ConfigurationCodec.encodeConfiguration(CONFIG), 1, 10);
        e.step(new Input.InstallSnapshotReceived(7, req), out::add);
        assertThat(out).anyMatch(o -> o instanceof Output.AcceptSnapshot);
        out.clear();
        e.step(new Input.SnapshotInstalled(7, index, term, CONFIG, 1), out::add);
    }

    @Test
    void snapshotOfAPrefixKeepsTheEntriesAfterIt() {
        Engine e = follower(new long[][] {{1, 2}});
        install(e, 8, 2);
        assertThat(out).noneMatch(o -> o instanceof Output.ResetLog);
        assertThat(out).anyMatch(o -> o instanceof Output.CompactLog c && c.from() == 1 && c.to() == 8);
        assertThat(out).anyMatch(o -> o instanceof Output.Respond r
                && r.response() instanceof InstallSnapshotResponse resp && resp.success());
        EngineStatus st = e.status();
        assertThat(st.lastIndex()).isEqualTo(10);
        assertThat(st.lastLogIndex()).isEqualTo(10);
        assertThat(st.snapshotIndex()).isEqualTo(8);
        assertThat(st.commitIndex()).isEqualTo(8);
        assertThat(st.firstIndex()).isEqualTo(9);
    }

    @Test
    void snapshotThatConflictsWithTheLogReplacesIt() {
        // Our entry at 8 has term 1; the snapshot's has term 2: everything we hold after it is stale.
        Engine e = follower(new long[][] {{1, 1}});
        install(e, 8, 2);
        assertThat(out).anyMatch(o -> o instanceof Output.ResetLog);
        EngineStatus st = e.status();
        assertThat(st.lastIndex()).isEqualTo(8);
        assertThat(st.snapshotIndex()).isEqualTo(8);
        assertThat(st.commitIndex()).isEqualTo(8);
    }

    @Test
    void snapshotBeyondTheLogReplacesIt() {
        Engine e = follower(new long[][] {{1, 2}});
        install(e, 12, 2);
        assertThat(out).anyMatch(o -> o instanceof Output.ResetLog);
        assertThat(e.status().lastIndex()).isEqualTo(12);
    }
}
