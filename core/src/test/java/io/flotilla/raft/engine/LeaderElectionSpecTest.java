package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.LeaderObservation;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.ServerId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.ELECTION;
import static io.flotilla.raft.engine.EngineHarness.HEARTBEAT;
import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.heartbeats;
import static io.flotilla.raft.engine.EngineHarness.id;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.nonvoter;
import static io.flotilla.raft.engine.EngineHarness.peer;
import static io.flotilla.raft.engine.EngineHarness.sends;
import static io.flotilla.raft.engine.EngineHarness.voter;
import static io.flotilla.raft.engine.EngineHarness.voters;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§5.2 Leader election")
class LeaderElectionSpecTest {

    @Nested
    @DisplayName("§5.2 a follower that hears nothing for the election timeout becomes a candidate")
    class FollowerTimeout {

        @Test
        @DisplayName("before its timer fires it stays follower; when it fires with no leader contact it campaigns")
        void campaignsWhenTimerFires() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long deadline = h.engine.nextDeadline();
            h.tickAt(deadline - 1);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.last).isEmpty();
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(h.last).contains(new Output.Observe(RaftState.CANDIDATE));
        }

        @Test
        @DisplayName("leader contact keeps a follower from campaigning")
        void contactKeepsFollowerFollowing() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            for (int i = 0; i < 20; i++) {
                h.advance(HEARTBEAT / 2);
                h.receive(heartbeat(1, "s2"));
                h.runUntil(h.now);
            }
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(all(h.outputs, Output.PersistTerm.class)).isEmpty();
        }

        @Test
        @DisplayName("timing out forgets the known leader")
        void timeoutClearsLeader() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s2"));
            assertThat(h.engine.leaderAddress()).isEqualTo(addr("s2"));
            h.runUntil(h.now + 3 * HEARTBEAT, x -> x.state() == RaftState.CANDIDATE);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(h.engine.leaderAddress().isEmpty()).isTrue();
            assertThat(h.last).contains(new Output.Observe(new LeaderObservation(io.flotilla.raft.ServerAddress.NONE)));
        }
    }

    @Nested
    @DisplayName("§5.2 a candidate increments its term, votes for itself and asks every voter for its vote")
    class Campaign {

        @Test
        @DisplayName("it moves to term+1, votes for itself and sends RequestVote with its last log entry to each other voter")
        void requestsVotes() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            assertThat(h.term()).isEqualTo(2);
            Output.PersistVote vote = h.only(Output.PersistVote.class);
            assertThat(vote.term()).isEqualTo(2);
            assertThat(vote.candidate()).isEqualTo(peer("s1"));
            List<Output.Send> asks = sends(h.last, RequestVoteRequest.class);
            assertThat(asks).extracting(s -> s.peer().id()).containsExactly(id("s2"), id("s3"));
            assertThat(asks).allSatisfy(s -> {
                assertThat(s.request()).isEqualTo(new RequestVoteRequest(EngineHarness.V3, 2, peer("s1"), 1, 1, false));
                assertThat(s.heartbeat()).isFalse();
            });
        }

        @Test
        @DisplayName("the new term and its own vote are persisted before any RequestVote leaves")
        void persistsBeforeAsking() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            int term = indexOf(h.last, o -> o instanceof Output.PersistTerm);
            int vote = indexOf(h.last, o -> o instanceof Output.PersistVote);
            int firstSend = indexOf(h.last, o -> o instanceof Output.Send);
            assertThat(term).isGreaterThanOrEqualTo(0);
            assertThat(vote).isGreaterThan(term);
            assertThat(firstSend).isGreaterThan(vote);
        }

        @Test
        @DisplayName("only voters are asked; non-voters are never asked for a vote")
        void onlyVotersAsked() {
            Configuration c = new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3"), voter("s4")));
            EngineHarness h = node("s1").cluster(c).build();
            h.fireNextTimer();
            assertThat(sends(h.last, RequestVoteRequest.class)).extracting(s -> s.peer().id())
                    .containsExactly(id("s2"), id("s4"));
        }

        @Test
        @DisplayName("RequestVote carries the snapshot's index and term when the log holds nothing newer")
        void lastEntryFromSnapshot() {
            EngineHarness h = node("s1").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 3).build();
            h.fireNextTimer();
            RequestVoteRequest req = (RequestVoteRequest) sends(h.last, RequestVoteRequest.class).get(0).request();
            assertThat(req.lastLogIndex()).isEqualTo(10);
            assertThat(req.lastLogTerm()).isEqualTo(3);
            assertThat(req.term()).isEqualTo(4);
        }
    }

    @Nested
    @DisplayName("§5.2 a candidate that receives votes from a majority becomes leader")
    class Winning {

        @Test
        @DisplayName("in a five-voter cluster it needs two votes besides its own")
        void needsMajority() {
            EngineHarness h = member("s1", "s1", "s2", "s3", "s4", "s5").build();
            h.fireNextTimer();
            List<Output.Send> asks = sends(h.last, RequestVoteRequest.class);
            h.grantVote(asks.get(0));
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            h.grantVote(asks.get(1));
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(h.last).contains(new Output.Observe(RaftState.LEADER), new Output.LeadershipChanged(true),
                    new Output.LeaderChanged(addr("s1"), id("s1")));
        }

        @Test
        @DisplayName("refused votes and failed RequestVote RPCs do not count")
        void refusalsDoNotCount() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            List<Output.Send> asks = sends(h.last, RequestVoteRequest.class);
            h.denyVote(asks.get(0), 2);
            h.failRpc(asks.get(1), Input.FailureKind.TRANSPORT);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }

        @Test
        @DisplayName("a single-voter cluster elects itself at its first timeout without asking anyone")
        void singleVoter() {
            EngineHarness h = member("s1", "s1").build();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(sends(h.last, RequestVoteRequest.class)).isEmpty();
            assertThat(h.term()).isEqualTo(2);
        }

        @Test
        @DisplayName("a new leader appends a no-op of its term and sends it to every follower")
        void newLeaderAppendsNoop() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.electLeader();
            Output.AppendLog append = all(h.last, Output.AppendLog.class).get(0);
            assertThat(append.entries()).hasSize(1);
            assertThat(append.entries().get(0).type()).isEqualTo(LogType.NOOP);
            assertThat(append.entries().get(0).index()).isEqualTo(2);
            assertThat(append.entries().get(0).term()).isEqualTo(2);
            for (String f : List.of("s2", "s3")) {
                Output.SendEntries s = entriesTo(h.last, f).get(0);
                assertThat(s.fromIndex()).isEqualTo(2);
                assertThat(s.toIndex()).isEqualTo(2);
                AppendEntriesRequest t = s.template();
                assertThat(t.term()).isEqualTo(2);
                assertThat(t.leader()).isEqualTo(peer("s1"));
                assertThat(t.prevLogEntry()).isEqualTo(1);
                assertThat(t.prevLogTerm()).isEqualTo(1);
                assertThat(t.leaderCommitIndex()).isZero();
            }
        }

        @Test
        @DisplayName("a new leader heartbeats every follower at once")
        void newLeaderHeartbeatsAtOnce() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.electLeader();
            assertThat(h.engine.nextDeadline()).isLessThanOrEqualTo(h.now);
            h.tick();
            assertThat(heartbeats(h.last)).extracting(s -> s.peer().id()).containsExactlyInAnyOrder(id("s2"), id("s3"));
        }
    }

    @Nested
    @DisplayName("§5.2 a candidate that hears from a legitimate leader returns to follower")
    class Losing {

        @Test
        @DisplayName("AppendEntries of its own term from another server makes the candidate follow it")
        void sameTermLeaderWins() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            long reply = h.receive(heartbeat(2, "s2"));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(2);
            assertThat(h.engine.leaderAddress()).isEqualTo(addr("s2"));
            assertThat(h.responseBody(reply, AppendEntriesResponse.class).success()).isTrue();
        }

        @Test
        @DisplayName("AppendEntries of an older term is refused and the candidate keeps campaigning")
        void staleLeaderRefused() {
            EngineHarness h = member("s1", "s1", "s2", "s3").term(3).build();
            h.fireNextTimer();
            long reply = h.receive(heartbeat(3, "s2"));
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(h.responseBody(reply, AppendEntriesResponse.class).success()).isFalse();
        }
    }

    @Nested
    @DisplayName("§5.2 a split vote ends with a new election in a higher term")
    class SplitVote {

        @Test
        @DisplayName("when the election times out the candidate starts over with term+1 and asks again")
        void restartsElection() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(h.term()).isEqualTo(3);
            assertThat(h.last).contains(new Output.PersistTerm(3));
            assertThat(sends(h.last, RequestVoteRequest.class)).hasSize(2)
                    .allSatisfy(s -> assertThat(((RequestVoteRequest) s.request()).term()).isEqualTo(3));
        }

        @Test
        @DisplayName("votes answering an earlier election do not count in the next one")
        void staleVotesIgnored() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            List<Output.Send> firstRound = sends(h.last, RequestVoteRequest.class);
            h.fireNextTimer();
            assertThat(h.term()).isEqualTo(3);
            h.grantVote(firstRound.get(0));
            h.grantVote(firstRound.get(1));
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }

        @Test
        @DisplayName("the same voter's vote is counted once even if its answer is delivered twice")
        void duplicateVoteCountedOnce() {
            EngineHarness h = member("s1", "s1", "s2", "s3", "s4", "s5").build();
            h.fireNextTimer();
            Output.Send ask = sends(h.last, RequestVoteRequest.class).get(0);
            h.grantVote(ask);
            h.grantVote(ask);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }
    }

    @Nested
    @DisplayName("hashicorp: who may campaign")
    class WhoCampaigns {

        @Test
        @DisplayName("a server with no configuration never campaigns (\"no known peers\")")
        void noConfiguration() {
            EngineHarness h = node("s1").build();
            h.runUntil(h.now + 20 * HEARTBEAT);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(all(h.outputs, Output.PersistTerm.class)).isEmpty();
        }

        @Test
        @DisplayName("a non-voter of a stable configuration never campaigns")
        void nonvoterInStableConfiguration() {
            Configuration c = new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3")));
            EngineHarness h = node("s3").cluster(c).build();
            h.runUntil(h.now + 20 * HEARTBEAT);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(all(h.outputs, Output.Send.class)).isEmpty();
        }

        @Test
        @DisplayName("a server without a vote whose latest configuration is uncommitted still campaigns, without "
                + "voting for itself (hashicorp quirk)")
        void nonvoterWithUncommittedConfiguration() {
            Configuration demoted = new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3")));
            EngineHarness h = node("s3").configurations(
                    Configurations.of(voters("s1", "s2", "s3"), 1).appended(demoted, 2)).log(1, 1).build();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(all(h.last, Output.PersistVote.class)).isEmpty();
            assertThat(sends(h.last, RequestVoteRequest.class)).extracting(s -> s.peer().id())
                    .containsExactly(ServerId.of("s1"), ServerId.of("s2"));
        }
    }

    @Test
    @DisplayName("§5.2 a candidate's election timeout is randomized in [ElectionTimeout, 2·ElectionTimeout)")
    void candidateTimeoutRange() {
        for (long seed = 1; seed <= 30; seed++) {
            EngineHarness h = member("s1", "s1", "s2", "s3").seed(seed).build();
            h.fireNextTimer();
            long wait = h.engine.nextDeadline() - h.now;
            assertThat(wait).isBetween(ELECTION, 2 * ELECTION - 1);
        }
    }

    @Test
    @DisplayName("§5.2 a follower recognises the winner by its first AppendEntries and names it from the configuration")
    void followerAcceptsNewLeader() {
        EngineHarness h = member("s2", "s1", "s2", "s3").build();
        long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, EngineHarness.entries(2, 2)));
        h.persist();
        assertThat(h.responseBody(reply, AppendEntriesResponse.class).success()).isTrue();
        assertThat(h.engine.leaderAddress()).isEqualTo(addr("s1"));
        assertThat(h.engine.status().leaderId()).isEqualTo(id("s1"));
    }
}
