package io.flotilla.raft.engine;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.MS;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§5.3 Log replication (leader side)")
class LogReplicationSpecTest {

    private static Input.Proposal command(long requestId) {
        return new Input.Proposal(requestId, LogType.COMMAND, ("req" + requestId).getBytes(), null);
    }

    @Nested
    @DisplayName("§5.3 the leader appends client commands to its log and replicates them")
    class Appending {

        @Test
        @DisplayName("a command becomes an entry of the leader's term at the next index")
        void appendsWithTermAndIndex() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            Output.AppendLog a = h.only(Output.AppendLog.class);
            assertThat(a.entries()).containsExactly(new LogEntry(3, 2, LogType.COMMAND, "req7".getBytes()));
        }

        @Test
        @DisplayName("new entries go to every follower with the previous entry and the leader's commit index")
        void sendsToEveryFollower() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            for (String f : List.of("s2", "s3")) {
                Output.SendEntries s = entriesTo(h.last, f).get(0);
                assertThat(s.fromIndex()).isEqualTo(3);
                assertThat(s.toIndex()).isEqualTo(3);
                assertThat(s.template().prevLogEntry()).isEqualTo(2);
                assertThat(s.template().prevLogTerm()).isEqualTo(2);
                assertThat(s.template().leaderCommitIndex()).isEqualTo(2);
                assertThat(s.template().entries()).isEmpty();
            }
        }

        @Test
        @DisplayName("proposals that arrive together share one log write and one AppendEntries per follower")
        void groupCommit() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.Propose(List.of(command(1), command(2), command(3))));
            Output.AppendLog a = h.only(Output.AppendLog.class);
            assertThat(a.entries()).extracting(LogEntry::index).containsExactly(3L, 4L, 5L);
            assertThat(entriesTo(h.last, "s2")).singleElement().satisfies(s -> {
                assertThat(s.fromIndex()).isEqualTo(3);
                assertThat(s.toIndex()).isEqualTo(5);
            });
        }

        @Test
        @DisplayName("a barrier is appended as a barrier entry and completes when it commits")
        void barrier() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.Propose(List.of(new Input.Proposal(5, LogType.BARRIER, null, null))));
            assertThat(h.only(Output.AppendLog.class).entries().get(0).type()).isEqualTo(LogType.BARRIER);
            h.ackAllEntries();
            assertThat(EngineHarness.committedRequests(h.outputs)).containsExactly(5L);
        }

        @Test
        @DisplayName("AppendEntries carry at most MaxAppendEntries entries each")
        void batchesBounded() {
            EngineHarness h = member("s1", "s1", "s2", "s3").maxAppendEntries(2).build();
            h.electLeader();
            h.ackAllEntries();
            h.step(new Input.Propose(List.of(command(1), command(2), command(3), command(4), command(5))));
            assertThat(entriesTo(h.last, "s2")).extracting(s -> s.toIndex() - s.fromIndex() + 1)
                    .containsExactly(2L, 2L, 1L);
        }
    }

    @Nested
    @DisplayName("§5.3 an entry is committed once the leader has stored it on a majority")
    class Committing {

        @Test
        @DisplayName("one follower's acknowledgement plus the leader's durable write commit it in a three-voter "
                + "cluster, and the client's request completes with the commit")
        void commitsOnMajority() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            List<Output> proposed = h.propose(7);
            h.persist();
            assertThat(all(h.last, Output.Commit.class)).isEmpty();
            h.ackEntries(entriesTo(proposed, "s2").get(0));
            assertThat(h.only(Output.Commit.class)).isEqualTo(
                    new Output.Commit(3, List.of(new Output.CommittedRequest(3, 7))));
            assertThat(h.engine.commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("the new commit index reaches the followers in the next AppendEntries")
        void commitIndexPropagates() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            h.ackAllEntries();
            h.propose(8);
            assertThat(entriesTo(h.last, "s3").get(0).template().leaderCommitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("entries nobody waits for (the no-op) commit without completing any request")
        void noopCommitsSilently() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.electLeader();
            h.ackAllEntries();
            assertThat(all(h.outputs, Output.Commit.class)).containsExactly(new Output.Commit(2, List.of()));
        }
    }

    @Nested
    @DisplayName("§5.3 a follower whose log does not match is probed backwards")
    class Probing {

        @Test
        @DisplayName("after a refusal the leader resends from just after the follower's reported last index")
        void jumpsToFollowersLastIndex() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1).build();
            h.electLeader();
            Output.SendEntries first = entriesTo(h.last, "s2").get(0);
            assertThat(first.template().prevLogEntry()).isEqualTo(3);
            h.rejectEntries(first, 2, 1, true);
            Output.SendEntries retry = entriesTo(h.last, "s2").get(0);
            assertThat(retry.fromIndex()).isEqualTo(2);
            assertThat(retry.toIndex()).isEqualTo(4);
            assertThat(retry.template().prevLogEntry()).isEqualTo(1);
            assertThat(retry.template().prevLogTerm()).isEqualTo(1);
            assertThat(retry.pipelined()).isFalse();
        }

        @Test
        @DisplayName("a mismatch on the previous entry steps back one entry at a time")
        void stepsBackOnMismatch() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1).build();
            h.electLeader();
            Output.SendEntries first = entriesTo(h.last, "s2").get(0);
            h.rejectEntries(first, 2, 3, true);
            assertThat(entriesTo(h.last, "s2").get(0).template().prevLogEntry()).isEqualTo(2);
        }

        @Test
        @DisplayName("a follower with an empty log gets the log from index 1, with previous entry (0, 0)")
        void emptyFollowerFromStart() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1).build();
            h.electLeader();
            h.rejectEntries(entriesTo(h.last, "s2").get(0), 2, 0, true);
            Output.SendEntries retry = entriesTo(h.last, "s2").get(0);
            assertThat(retry.fromIndex()).isEqualTo(1);
            assertThat(retry.toIndex()).isEqualTo(4);
            assertThat(retry.template().prevLogEntry()).isZero();
            assertThat(retry.template().prevLogTerm()).isZero();
        }

        @Test
        @DisplayName("the leader never probes below what the follower already matched (Flotilla refinement)")
        void neverBelowMatch() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            List<Output> proposed = h.propose(1);
            h.rejectEntries(entriesTo(proposed, "s2").get(0), 2, 0, true);
            assertThat(entriesTo(h.last, "s2").get(0).fromIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("a refusal without NoRetryBackoff waits for the failure backoff before resending")
        void refusalBacksOff() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            List<Output> proposed = h.propose(1);
            h.rejectEntries(entriesTo(proposed, "s2").get(0), 2, 2, false);
            assertThat(entriesTo(h.last, "s2")).isEmpty();
            long failedAt = h.now;
            h.tickAt(failedAt + 10 * MS - 1);
            assertThat(entriesTo(h.last, "s2")).isEmpty();
            h.tickAt(failedAt + 10 * MS);
            assertThat(entriesTo(h.last, "s2")).singleElement()
                    .satisfies(s -> assertThat(s.fromIndex()).isEqualTo(3));
        }
    }

    @Nested
    @DisplayName("hashicorp: probe and pipeline modes")
    class Pipelining {

        @Test
        @DisplayName("until a follower first accepts, only one AppendEntries is in flight to it")
        void probeOneAtATime() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.electLeader();
            h.propose(1);
            h.propose(2);
            assertThat(entriesTo(h.last, "s2")).isEmpty();
            assertThat(h.unansweredEntries("s2")).hasSize(1);
        }

        @Test
        @DisplayName("once it has accepted, new entries are pipelined without waiting for answers")
        void pipelinesAfterMatch() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(1);
            h.propose(2);
            assertThat(h.unansweredEntries("s2")).hasSize(2).allSatisfy(s -> assertThat(s.pipelined()).isTrue());
            assertThat(h.unansweredEntries("s2")).extracting(Output.SendEntries::fromIndex).containsExactly(3L, 4L);
        }

        @Test
        @DisplayName("the pipeline holds at most MaxInflight requests per follower")
        void inflightBounded() {
            EngineHarness h = member("s1", "s1", "s2", "s3").maxInflight(2).build();
            h.electLeader();
            h.ackAllEntries();
            h.propose(1);
            h.propose(2);
            h.propose(3);
            assertThat(h.unansweredEntries("s2")).hasSize(2);
            h.ackEntries(h.unansweredEntries("s2").get(0));
            assertThat(entriesTo(h.last, "s2")).singleElement().satisfies(s -> assertThat(s.fromIndex()).isEqualTo(5));
        }

        @Test
        @DisplayName("a failed pipelined request drops the pipeline: answers to the rest are ignored and "
                + "replication restarts from the follower's next index after the backoff")
        void failureResetsPipeline() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(1);
            h.propose(2);
            List<Output.SendEntries> inflight = h.unansweredEntries("s2");
            h.persist();
            h.failRpc(inflight.get(0), Input.FailureKind.TRANSPORT);
            h.ackEntries(inflight.get(1));
            assertThat(h.engine.commitIndex()).isEqualTo(2);
            h.tickAt(h.now + 10 * MS);
            Output.SendEntries resend = entriesTo(h.last, "s2").get(0);
            assertThat(resend.fromIndex()).isEqualTo(3);
            assertThat(resend.toIndex()).isEqualTo(4);
            assertThat(resend.pipelined()).isFalse();
        }
    }
}
