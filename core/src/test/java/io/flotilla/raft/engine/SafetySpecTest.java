package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.entries;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.voteRequest;
import static io.flotilla.raft.engine.EngineHarness.voters;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§5.4 Safety")
class SafetySpecTest {

    private static boolean granted(EngineHarness h, long reply) {
        return h.responseBody(reply, RequestVoteResponse.class).granted();
    }

    @Nested
    @DisplayName("§5.4.1 election restriction: a vote goes only to a candidate whose log is at least as up to date")
    class ElectionRestriction {

        @Test
        @DisplayName("a voter whose last entry has a higher term refuses, however long the candidate's log")
        void refusesOlderLastTerm() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 2).build();
            long reply = h.receive(voteRequest(3, "s2", 50, 1));
            assertThat(granted(h, reply)).isFalse();
        }

        @Test
        @DisplayName("with equal last terms, a voter with the longer log refuses")
        void refusesShorterLogSameTerm() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 2, 2).build();
            long reply = h.receive(voteRequest(3, "s2", 3, 2));
            assertThat(granted(h, reply)).isFalse();
        }

        @Test
        @DisplayName("a candidate whose last term is higher wins the vote even with a shorter log")
        void grantsHigherLastTermShorterLog() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1, 1, 1).build();
            long reply = h.receive(voteRequest(3, "s2", 2, 2));
            assertThat(granted(h, reply)).isTrue();
        }

        @Test
        @DisplayName("equal logs win the vote")
        void grantsEqualLog() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 2).build();
            long reply = h.receive(voteRequest(3, "s2", 2, 2));
            assertThat(granted(h, reply)).isTrue();
        }

        @Test
        @DisplayName("a compacted voter compares against its snapshot's last index and term")
        void comparesAgainstSnapshot() {
            EngineHarness h = node("s1").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 3).build();
            long behind = h.receive(voteRequest(4, "s2", 9, 3));
            long even = h.receive(voteRequest(5, "s3", 10, 3));
            assertThat(granted(h, behind)).isFalse();
            assertThat(granted(h, even)).isTrue();
        }

        @Test
        @DisplayName("(sanity) the check catches InjectedFaults SKIP_VOTE_UP_TO_DATE_CHECK")
        void sanityInjectedFault() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 2)
                    .faults(InjectedFaults.Bug.SKIP_VOTE_UP_TO_DATE_CHECK).build();
            long reply = h.receive(voteRequest(3, "s2", 50, 1));
            assertThat(granted(h, reply)).isTrue();
        }
    }

    @Nested
    @DisplayName("§5.4.2 a leader never commits an entry of an earlier term by counting replicas")
    class EarlierTerms {

        /** Leader s1 of term 2 whose log holds entries 2 and 3 of term 1, uncommitted; its no-op is entry 4. */
        private EngineHarness leaderWithOldEntries(InjectedFaults.Bug... bugs) {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1).maxAppendEntries(1).faults(bugs).build();
            h.electLeader();
            h.persist();
            Output.SendEntries noop = entriesTo(h.outputs, "s2").get(0);
            assertThat(noop.fromIndex()).isEqualTo(4);
            // s2 holds only entry 1: the leader walks back and sends entry 2 first.
            h.rejectEntries(noop, 2, 1, true);
            Output.SendEntries second = entriesTo(h.last, "s2").get(0);
            assertThat(second.fromIndex()).isEqualTo(2);
            assertThat(second.toIndex()).isEqualTo(2);
            return h;
        }

        @Test
        @DisplayName("entries of term 1 stored on a majority stay uncommitted until the term-2 no-op is, then commit with it")
        void commitsOnlyThroughOwnEntry() {
            EngineHarness h = leaderWithOldEntries();
            Output.SendEntries second = entriesTo(h.last, "s2").get(0);
            h.ackEntries(second);
            assertThat(all(h.outputs, Output.Commit.class)).isEmpty();
            for (int i = 0; i < 5 && h.engine.commitIndex() == 0; i++) {
                List<Output.SendEntries> pending = h.unansweredEntries("s2");
                assertThat(pending).isNotEmpty();
                Output.SendEntries next = pending.get(0);
                h.ackEntries(next);
                if (next.toIndex() < 4) {
                    assertThat(all(h.outputs, Output.Commit.class)).as("after acking %d", next.toIndex()).isEmpty();
                }
            }
            assertThat(all(h.outputs, Output.Commit.class)).extracting(Output.Commit::commitIndex).containsExactly(4L);
        }

        @Test
        @DisplayName("(sanity) the check catches InjectedFaults COMMIT_EARLIER_TERM_BY_COUNT")
        void sanityInjectedFault() {
            EngineHarness h = leaderWithOldEntries(InjectedFaults.Bug.COMMIT_EARLIER_TERM_BY_COUNT);
            h.ackEntries(entriesTo(h.last, "s2").get(0));
            assertThat(all(h.last, Output.Commit.class)).extracting(Output.Commit::commitIndex).containsExactly(2L);
        }
    }

    @Nested
    @DisplayName("durability: nothing is promised before it is on disk")
    class Durability {

        @Test
        @DisplayName("the leader counts itself only for entries its own log has made durable")
        void leaderCountsOnlyDurable() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            h.ackEntries(entriesTo(h.last, "s2").get(0));
            assertThat(all(h.last, Output.Commit.class)).isEmpty();
            h.persist();
            assertThat(h.only(Output.Commit.class)).isEqualTo(
                    new Output.Commit(3, List.of(new Output.CommittedRequest(3, 7))));
        }

        @Test
        @DisplayName("followers alone may form the majority before the leader's own write is durable")
        void followersAloneFormMajority() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            List<Output> proposed = h.propose(7);
            h.ackEntries(entriesTo(proposed, "s2").get(0));
            h.ackEntries(entriesTo(proposed, "s3").get(0));
            assertThat(h.only(Output.Commit.class).commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("a single-voter leader commits only once its write is durable")
        void singleVoterWaitsForDisk() {
            EngineHarness h = member("s1", "s1").build();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            h.propose(9);
            assertThat(all(h.outputs, Output.Commit.class)).isEmpty();
            h.persist();
            assertThat(h.only(Output.Commit.class)).isEqualTo(
                    new Output.Commit(3, List.of(new Output.CommittedRequest(3, 9))));
        }

        @Test
        @DisplayName("a follower acknowledges entries only once they are durable")
        void followerAcksOnlyDurable() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2)));
            assertThat(h.response(reply)).isEmpty();
            h.persist();
            AppendEntriesResponse resp = h.responseBody(reply, AppendEntriesResponse.class);
            assertThat(resp.success()).isTrue();
        }

        @Test
        @DisplayName("(sanity) the vote-order check catches InjectedFaults ANSWER_VOTE_BEFORE_PERSISTING")
        void sanityVoteOrder() {
            EngineHarness h = member("s1", "s1", "s2", "s3").faults(InjectedFaults.Bug.ANSWER_VOTE_BEFORE_PERSISTING)
                    .build();
            long reply = h.receive(voteRequest(2, "s2", 1, 1));
            int vote = indexOf(h.last, o -> o instanceof Output.PersistVote);
            int respond = indexOf(h.last, o -> o instanceof Output.Respond r && r.replyTo() == reply);
            assertThat(respond).isLessThan(vote);
        }
    }

    @Nested
    @DisplayName("state machine safety on followers")
    class FollowerSafety {

        @Test
        @DisplayName("a follower never truncates a committed entry: a conflicting request is refused with an error "
                + "(deviation: hashicorp would truncate)")
        void neverTruncatesCommitted() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1).build();
            h.receive(appendEntries(1, "s2", 3, 1, 3, List.of()));
            assertThat(h.engine.commitIndex()).isEqualTo(3);
            long reply = h.receive(appendEntries(3, "s3", 1, 1, 3, entries(2, 3)));
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).contains("committed");
            assertThat(all(h.last, Output.TruncateLog.class)).isEmpty();
            assertThat(h.logTerms()).containsValues(1L, 1L, 1L).hasSize(3);
        }

        @Test
        @DisplayName("a follower commits only entries this request vouched for, never a stale suffix beyond them "
                + "(deviation: hashicorp commits up to its own last index)")
        void commitsOnlyVouchedEntries() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 1, 1, 1).build();
            h.receive(appendEntries(2, "s2", 2, 1, 5, List.of()));
            assertThat(h.only(Output.Commit.class).commitIndex()).isEqualTo(2);
            assertThat(h.engine.commitIndex()).isEqualTo(2);
        }


        @Test
        @DisplayName("a leader never rewrites its own log: it only appends, whatever its followers answer")
        void leaderAppendOnly() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            List<Output> proposed = h.propose(1);
            h.rejectEntries(entriesTo(proposed, "s2").get(0), 2, 1, true);
            h.rejectEntries(entriesTo(proposed, "s3").get(0), 2, 2, false);
            h.ackAllEntries();
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(all(h.outputs, Output.LogOperation.class)).isNotEmpty().allSatisfy(
                    op -> assertThat(op).isInstanceOf(Output.AppendLog.class));
        }
    }
}
