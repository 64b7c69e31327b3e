package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.codec.ConfigurationCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.MS;
import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.entries;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.installSnapshot;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.peer;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.voters;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§7 Log compaction and InstallSnapshot")
class LogCompactionSpecTest {

    private static long[] ones(int n) {
        long[] t = new long[n];
        Arrays.fill(t, 1);
        return t;
    }

    @Nested
    @DisplayName("§7 a snapshot lets the node discard the log it covers, keeping TrailingLogs entries")
    class Compaction {

        @Test
        @DisplayName("the log is compacted up to the snapshot but keeps the last TrailingLogs entries")
        void keepsTrailingLogs() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(ones(20)).trailingLogs(5).build();
            h.step(new Input.SnapshotTaken(18, 1));
            Output.CompactLog c = h.only(Output.CompactLog.class);
            assertThat(c.from()).isEqualTo(1);
            assertThat(c.to()).isEqualTo(15);
            assertThat(h.engine.status().firstIndex()).isEqualTo(16);
            assertThat(h.engine.status().snapshotIndex()).isEqualTo(18);
            assertThat(h.engine.lastIndex()).isEqualTo(20);
        }

        @Test
        @DisplayName("when more than TrailingLogs entries follow the snapshot, compaction stops at the snapshot")
        void stopsAtSnapshot() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(ones(20)).trailingLogs(5).build();
            h.step(new Input.SnapshotTaken(10, 1));
            assertThat(h.only(Output.CompactLog.class).to()).isEqualTo(10);
        }

        @Test
        @DisplayName("a log no longer than TrailingLogs is not compacted at all")
        void shortLogKept() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(ones(5)).trailingLogs(10).build();
            h.step(new Input.SnapshotTaken(5, 1));
            assertThat(all(h.last, Output.CompactLog.class)).isEmpty();
            assertThat(h.engine.status().snapshotIndex()).isEqualTo(5);
        }

        @Test
        @DisplayName("a snapshot no newer than the last one, or beyond the log, is ignored")
        void staleSnapshotIgnored() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(ones(20)).trailingLogs(0).build();
            h.step(new Input.SnapshotTaken(10, 1));
            h.step(new Input.SnapshotTaken(10, 1));
            assertThat(h.last).isEmpty();
            h.step(new Input.SnapshotTaken(8, 1));
            assertThat(h.last).isEmpty();
            h.step(new Input.SnapshotTaken(21, 1));
            assertThat(h.last).isEmpty();
            assertThat(h.engine.status().snapshotIndex()).isEqualTo(10);
        }

        @Test
        @DisplayName("with the whole log compacted, the snapshot's last index and term still match the leader's "
                + "previous entry")
        void snapshotBoundaryMatches() {
            EngineHarness h = member("s2", "s1", "s2", "s3").log(ones(20)).trailingLogs(0).build();
            h.step(new Input.SnapshotTaken(20, 1));
            assertThat(h.only(Output.CompactLog.class).to()).isEqualTo(20);
            long reply = h.receive(appendEntries(2, "s1", 20, 1, 0, entries(21, 2)));
            h.persist();
            assertThat(h.responseBody(reply, AppendEntriesResponse.class).success()).isTrue();
        }
    }

    @Nested
    @DisplayName("§7 the leader sends its snapshot to a follower that needs entries it has discarded")
    class LeaderSendsSnapshot {

        /** Leader s1 of term 2 whose snapshot covers 1..10 (term 1), log 11..12 of term 1, no-op at 13. */
        private EngineHarness compactedLeader() {
            EngineHarness h = node("s1").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 1).logFrom(11, 1, 1).build();
            h.electLeader();
            h.persist();
            return h;
        }

        private Output.SendSnapshot snapshotForS2(EngineHarness h) {
            Output.SendEntries first = entriesTo(h.outputs, "s2").get(0);
            h.rejectEntries(first, 2, 5, true);
            return h.only(Output.SendSnapshot.class);
        }

        @Test
        @DisplayName("a follower whose next entry was compacted gets SendSnapshot with the leader's term and address")
        void sendsSnapshot() {
            EngineHarness h = compactedLeader();
            Output.SendSnapshot s = snapshotForS2(h);
            assertThat(s.peer().id()).isEqualTo(EngineHarness.id("s2"));
            assertThat(s.term()).isEqualTo(2);
            assertThat(s.leader()).isEqualTo(peer("s1"));
            assertThat(entriesTo(h.last, "s2")).isEmpty();
        }

        @Test
        @DisplayName("when the runtime finds the entries gone (compacted meanwhile), the follower gets the snapshot")
        void entriesUnavailable() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            List<Output> proposed = h.propose(1);
            h.failRpc(entriesTo(proposed, "s2").get(0), Input.FailureKind.ENTRIES_UNAVAILABLE);
            assertThat(h.only(Output.SendSnapshot.class).peer().id()).isEqualTo(EngineHarness.id("s2"));
        }

        @Test
        @DisplayName("after the follower installs it, replication resumes right after the snapshot and the follower "
                + "counts toward commitment")
        void resumesAfterInstall() {
            EngineHarness h = compactedLeader();
            Output.SendSnapshot s = snapshotForS2(h);
            h.snapshotSent(s, 10, 2, true);
            Output.SendEntries next = entriesTo(h.last, "s2").get(0);
            assertThat(next.fromIndex()).isEqualTo(11);
            assertThat(next.toIndex()).isEqualTo(13);
            assertThat(next.template().prevLogEntry()).isEqualTo(10);
            assertThat(next.template().prevLogTerm()).isEqualTo(1);
            h.ackEntries(next);
            assertThat(h.engine.commitIndex()).isEqualTo(13);
        }

        @Test
        @DisplayName("a refused or failed snapshot is retried after the failure backoff")
        void retriedAfterBackoff() {
            EngineHarness h = compactedLeader();
            Output.SendSnapshot s = snapshotForS2(h);
            h.snapshotSent(s, 10, 2, false);
            assertThat(all(h.last, Output.SendSnapshot.class)).isEmpty();
            long failedAt = h.now;
            h.tickAt(failedAt + 10 * MS - 1);
            assertThat(all(h.last, Output.SendSnapshot.class)).isEmpty();
            h.tickAt(failedAt + 10 * MS);
            Output.SendSnapshot again = h.only(Output.SendSnapshot.class);
            h.failRpc(again, Input.FailureKind.TRANSPORT);
            h.tickAt(h.now + 10 * MS);
            assertThat(all(h.last, Output.SendSnapshot.class)).hasSize(1);
        }

        @Test
        @DisplayName("a snapshot answer carrying a higher term makes the leader step down")
        void higherTermStepsDown() {
            EngineHarness h = compactedLeader();
            Output.SendSnapshot s = snapshotForS2(h);
            h.snapshotSent(s, 10, 5, false);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(5);
        }
    }

    @Nested
    @DisplayName("§7 InstallSnapshot on the follower")
    class FollowerInstalls {

        private EngineHarness follower() {
            return member("s2", "s1", "s2", "s3").log(1, 1, 1).build();
        }

        private InstallSnapshotResponse answer(EngineHarness h, long reply) {
            return h.responseBody(reply, InstallSnapshotResponse.class);
        }

        @Test
        @DisplayName("a request of an older term is refused without reading the snapshot")
        void staleTermRefused() {
            EngineHarness h = member("s2", "s1", "s2", "s3").term(5).build();
            long reply = h.receive(installSnapshot(3, "s1", 10, 3, voters("s1", "s2", "s3"), 1));
            assertThat(all(h.last, Output.AcceptSnapshot.class)).isEmpty();
            assertThat(answer(h, reply)).isEqualTo(new InstallSnapshotResponse(RpcHeader.ZERO, 5, false));
        }

        @Test
        @DisplayName("a request of a higher term is adopted (persisted first) and the snapshot is accepted for streaming")
        void higherTermAccepted() {
            EngineHarness h = follower();
            InstallSnapshotRequest req = installSnapshot(4, "s1", 10, 4, voters("s1", "s2", "s3"), 1);
            long reply = h.receive(req);
            int persisted = indexOf(h.last, o -> o.equals(new Output.PersistTerm(4)));
            int accepted = indexOf(h.last, o -> o instanceof Output.AcceptSnapshot);
            assertThat(persisted).isGreaterThanOrEqualTo(0).isLessThan(accepted);
            assertThat(h.only(Output.AcceptSnapshot.class)).isEqualTo(new Output.AcceptSnapshot(reply, req));
            assertThat(h.engine.leaderAddress()).isEqualTo(addr("s1"));
            assertThat(h.response(reply)).isEmpty();
        }

        @Test
        @DisplayName("once installed, the snapshot replaces a log that disagrees with it, its configuration becomes "
                + "latest and committed, and the commit index moves to it")
        void installedReplacesLog() {
            EngineHarness h = follower();
            long reply = h.receive(installSnapshot(2, "s1", 10, 2, voters("s1", "s2", "s3", "s4"), 8));
            h.step(new Input.SnapshotInstalled(reply, 10, 2, voters("s1", "s2", "s3", "s4"), 8));
            Output.ResetLog reset = h.only(Output.ResetLog.class);
            assertThat(reset.from()).isEqualTo(1);
            assertThat(reset.to()).isEqualTo(3);
            assertThat(answer(h, reply)).isEqualTo(new InstallSnapshotResponse(RpcHeader.ZERO, 2, true));
            assertThat(h.engine.configurations()).isEqualTo(Configurations.of(voters("s1", "s2", "s3", "s4"), 8));
            assertThat(h.engine.commitIndex()).isEqualTo(10);
            assertThat(h.engine.lastIndex()).isEqualTo(10);
            long next = h.receive(appendEntries(2, "s1", 10, 2, 10, entries(11, 2)));
            h.persist();
            assertThat(h.responseBody(next, AppendEntriesResponse.class).success()).isTrue();
        }

        @Test
        @DisplayName("an install that fails is answered with a refusal carrying the error, changing nothing")
        void installFailed() {
            EngineHarness h = follower();
            long reply = h.receive(installSnapshot(2, "s1", 10, 2, voters("s1", "s2", "s3"), 1));
            h.step(new Input.SnapshotInstallFailed(reply, "short read"));
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isEqualTo(new InstallSnapshotResponse(RpcHeader.ZERO, 2, false));
            assertThat(r.error()).isEqualTo("short read");
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
            assertThat(h.engine.lastIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("a snapshot the commit index already covers is acknowledged without installing it "
                + "(deviation: hashicorp installs it, rolling the state machine back)")
        void coveredByCommitIndex() {
            EngineHarness h = follower();
            h.receive(appendEntries(1, "s1", 3, 1, 3, List.of()));
            long reply = h.receive(installSnapshot(1, "s1", 2, 1, voters("s1", "s2", "s3"), 1));
            assertThat(all(h.last, Output.AcceptSnapshot.class)).isEmpty();
            assertThat(answer(h, reply).success()).isTrue();
        }

        @Test
        @DisplayName("only one snapshot is installed at a time")
        void oneAtATime() {
            EngineHarness h = follower();
            h.receive(installSnapshot(2, "s1", 10, 2, voters("s1", "s2", "s3"), 1));
            long second = h.receive(installSnapshot(2, "s1", 12, 2, voters("s1", "s2", "s3"), 1));
            Output.Respond r = h.response(second).orElseThrow();
            assertThat(((InstallSnapshotResponse) r.response()).success()).isFalse();
            assertThat(r.error()).isEqualTo("snapshot install already in progress");
            assertThat(all(h.last, Output.AcceptSnapshot.class)).isEmpty();
        }

        @Test
        @DisplayName("an unsupported snapshot version is refused")
        void unsupportedVersion() {
            EngineHarness h = follower();
            InstallSnapshotRequest req = new InstallSnapshotRequest(EngineHarness.V3, 2, 2, peer("s1"), 10, 2, null,
                    ConfigurationCodec.encodeConfiguration(voters("s1", "s2", "s3")), 1, 0);
            long reply = h.receive(req);
            assertThat(h.response(reply).orElseThrow().error()).isEqualTo("unsupported snapshot version 2");
            assertThat(all(h.last, Output.AcceptSnapshot.class)).isEmpty();
        }

        @Test
        @DisplayName("a snapshot covering no entry at all is refused as malformed")
        void emptySnapshotRefused() {
            EngineHarness h = follower();
            long reply = h.receive(installSnapshot(2, "s1", 0, 0, voters("s1", "s2", "s3"), 0));
            assertThat(h.response(reply).orElseThrow().error()).contains("malformed");
        }

        @Test
        @DisplayName("a candidate receiving InstallSnapshot of its own term returns to follower "
                + "(Flotilla: hashicorp changes state only for a higher term)")
        void candidateReturnsToFollower() {
            EngineHarness h = follower();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            h.receive(installSnapshot(2, "s1", 10, 2, voters("s1", "s2", "s3"), 1));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
        }

        @Test
        @DisplayName("an install that completes after a newer leader had this follower store (and acknowledge) "
                + "entries beyond the snapshot keeps them (Raft §7: keep the entries following a matching prefix)")
        void installKeepsAcknowledgedSuffix() {
            EngineHarness h = member("s2", "s1", "s2", "s3").log(1, 2, 2).term(2).build();
            long install = h.receive(installSnapshot(2, "s1", 10, 2, voters("s1", "s2", "s3"), 1));
            assertThat(h.only(Output.AcceptSnapshot.class).replyTo()).isEqualTo(install);
            // Meanwhile s3 wins term 3 and replicates entries 4..12 (10 is the same term-2 entry the snapshot ends at).
            long ae = h.receive(appendEntries(3, "s3", 3, 2, 3, entries(4, 2, 2, 2, 2, 2, 2, 2, 3, 3)));
            h.persist();
            assertThat(h.responseBody(ae, AppendEntriesResponse.class).success()).isTrue();
            // s3 now counts entries up to 12 as stored here: they may be committed. The old install completes.
            h.step(new Input.SnapshotInstalled(install, 10, 2, voters("s1", "s2", "s3"), 1));
            assertThat(all(h.last, Output.ResetLog.class)).isEmpty();
            assertThat(h.engine.lastIndex()).isEqualTo(12);
            assertThat(h.logTerms()).containsKeys(11L, 12L);
        }

        @Test
        @DisplayName("a completed install is leader contact: it postpones the follower's election")
        void installIsContact() {
            EngineHarness h = follower();
            long deadline = h.engine.nextDeadline();
            long reply = h.receive(installSnapshot(2, "s1", 10, 2, voters("s1", "s2", "s3"), 1));
            h.now = deadline - MS;
            h.step(new Input.SnapshotInstalled(reply, 10, 2, voters("s1", "s2", "s3"), 1));
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
        }
    }
}
