package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.sends;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.voteRequest;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§5.1 Terms")
class TermsSpecTest {

    @Nested
    @DisplayName("§5.1 a server that sees a higher term adopts it")
    class HigherTerm {

        @Test
        @DisplayName("a follower receiving AppendEntries of a higher term adopts it, persisting it before it answers")
        void followerAdoptsHigherTermFromAppendEntries() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long reply = h.receive(heartbeat(5, "s2"));
            List<Output> out = h.last;
            int persisted = indexOf(out, o -> o instanceof Output.PersistTerm t && t.term() == 5);
            int answered = indexOf(out, o -> o instanceof Output.Respond r && r.replyTo() == reply);
            assertThat(persisted).isGreaterThanOrEqualTo(0);
            assertThat(answered).isGreaterThan(persisted);
            assertThat(h.term()).isEqualTo(5);
            AppendEntriesResponse resp = h.responseBody(reply, AppendEntriesResponse.class);
            assertThat(resp.term()).isEqualTo(5);
            assertThat(resp.success()).isTrue();
        }

        @Test
        @DisplayName("a follower receiving RequestVote of a higher term adopts it, persisting it before it answers")
        void followerAdoptsHigherTermFromRequestVote() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long reply = h.receive(voteRequest(4, "s2", 1, 1));
            int persisted = indexOf(h.last, o -> o instanceof Output.PersistTerm t && t.term() == 4);
            int answered = indexOf(h.last, o -> o instanceof Output.Respond r && r.replyTo() == reply);
            assertThat(persisted).isGreaterThanOrEqualTo(0).isLessThan(answered);
            assertThat(h.responseBody(reply, RequestVoteResponse.class).term()).isEqualTo(4);
        }

        @Test
        @DisplayName("a candidate that learns of a higher term from a vote response returns to follower in that term")
        void candidateStepsDownOnHigherTermVoteResponse() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            Output.Send ask = sends(h.last, RequestVoteRequest.class).get(0);
            h.denyVote(ask, 9);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(9);
            assertThat(h.last).contains(new Output.PersistTerm(9));
        }

        @Test
        @DisplayName("a leader that learns of a higher term from an AppendEntries response steps down and adopts it "
                + "(deviation: hashicorp steps down and learns the term only from a later RPC)")
        void leaderStepsDownOnHigherTermAppendResponse() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(1);
            Output.SendEntries toS2 = EngineHarness.entriesTo(h.last, "s2").get(0);
            h.rejectEntries(toS2, 7, 3, false);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(7);
            assertThat(h.last).contains(new Output.PersistTerm(7), new Output.LeadershipChanged(false));
        }

        @Test
        @DisplayName("a leader that learns of a higher term from a heartbeat response steps down "
                + "(deviation: hashicorp's heartbeat ignores the response term)")
        void leaderStepsDownOnHigherTermHeartbeatResponse() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.tick();
            Output.Send hb = EngineHarness.heartbeats(h.last).get(0);
            h.ackHeartbeat(hb, 6);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(6);
        }

        @Test
        @DisplayName("a leader receiving AppendEntries of a higher term steps down and follows the sender")
        void leaderFollowsHigherTermAppendEntries() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            long reply = h.receive(appendEntries(3, "s2", 2, 2, 2, List.of()));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(3);
            assertThat(h.engine.leaderAddress()).isEqualTo(addr("s2"));
            assertThat(h.responseBody(reply, AppendEntriesResponse.class).success()).isTrue();
        }
    }

    @Nested
    @DisplayName("§5.1 a request with a stale term is rejected")
    class StaleTerm {

        @Test
        @DisplayName("AppendEntries of an older term is refused with the receiver's term, changing nothing")
        void staleAppendEntriesRefused() {
            EngineHarness h = member("s1", "s1", "s2", "s3").term(5).build();
            long reply = h.receive(appendEntries(3, "s2", 1, 1, 1, EngineHarness.entries(2, 3)));
            AppendEntriesResponse resp = h.responseBody(reply, AppendEntriesResponse.class);
            assertThat(resp.success()).isFalse();
            assertThat(resp.term()).isEqualTo(5);
            assertThat(resp.lastLog()).isEqualTo(1);
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
            assertThat(all(h.last, Output.PersistTerm.class)).isEmpty();
            assertThat(all(h.last, Output.LeaderChanged.class)).isEmpty();
            assertThat(h.engine.leaderAddress().isEmpty()).isTrue();
        }

        @Test
        @DisplayName("RequestVote of an older term is refused with the receiver's term")
        void staleRequestVoteRefused() {
            EngineHarness h = member("s1", "s1", "s2", "s3").term(5).build();
            long reply = h.receive(voteRequest(4, "s2", 9, 4));
            RequestVoteResponse resp = h.responseBody(reply, RequestVoteResponse.class);
            assertThat(resp.granted()).isFalse();
            assertThat(resp.term()).isEqualTo(5);
            assertThat(all(h.last, Output.PersistVote.class)).isEmpty();
        }

        @Test
        @DisplayName("a leader stays leader when it refuses AppendEntries of an older term")
        void leaderIgnoresStaleAppendEntries() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            long reply = h.receive(heartbeat(1, "s2"));
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(h.responseBody(reply, AppendEntriesResponse.class).term()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("hashicorp §3.11: other requests that end a leadership")
    class LeaderStepDown {

        @Test
        @DisplayName("AppendEntries of the leader's own term from another server makes it step down and follow")
        void sameTermAppendEntries() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.receive(heartbeat(2, "s2"));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(2);
            assertThat(h.engine.leaderAddress()).isEqualTo(addr("s2"));
        }

        @Test
        @DisplayName("InstallSnapshot of a higher term makes it step down")
        void higherTermInstallSnapshot() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.receive(EngineHarness.installSnapshot(4, "s2", 9, 4, EngineHarness.voters("s1", "s2", "s3"), 1));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(4);
        }

        @Test
        @DisplayName("TimeoutNow makes it campaign in the next term")
        void timeoutNow() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.receive(EngineHarness.timeoutNow());
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(h.term()).isEqualTo(3);
            assertThat(h.last).contains(new Output.LeadershipChanged(false));
        }
    }

    @Nested
    @DisplayName("§5.1 terms never go backwards")
    class Monotonic {

        @Test
        @DisplayName("a restarted node resumes from its persisted term and campaigns in the next one")
        void restoredTermIsTheStartingPoint() {
            EngineHarness h = member("s1", "s1", "s2", "s3").term(7).build();
            assertThat(h.term()).isEqualTo(7);
            h.fireNextTimer();
            assertThat(h.term()).isEqualTo(8);
            assertThat(sends(h.last, RequestVoteRequest.class))
                    .allSatisfy(s -> assertThat(((RequestVoteRequest) s.request()).term()).isEqualTo(8));
        }

        @Test
        @DisplayName("a lower term in a later request never lowers the current term")
        void lowerTermNeverLowers() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(heartbeat(6, "s2"));
            h.receive(heartbeat(4, "s3"));
            h.receive(voteRequest(5, "s3", 100, 5));
            assertThat(h.term()).isEqualTo(6);
            assertThat(all(h.outputs, Output.PersistTerm.class)).containsExactly(new Output.PersistTerm(6));
        }
    }
}
