package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.LeadershipLostException;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.HEARTBEAT;
import static io.flotilla.raft.engine.EngineHarness.LEASE;
import static io.flotilla.raft.engine.EngineHarness.MS;
import static io.flotilla.raft.engine.EngineHarness.completedRequests;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.failedRequests;
import static io.flotilla.raft.engine.EngineHarness.heartbeats;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.nonvoter;
import static io.flotilla.raft.engine.EngineHarness.peer;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.voter;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("hashicorp: heartbeats, leader lease and VerifyLeader")
class LeaseAndVerifySpecTest {

    private static Output.Send heartbeatTo(List<Output> outs, String peer) {
        return heartbeats(outs).stream().filter(s -> s.peer().id().value().equals(peer)).findFirst().orElseThrow();
    }

    /** A stable leader s1 of voters s1, s2 and non-voter s3. */
    private static EngineHarness leaderWithNonvoter() {
        EngineHarness h = node("s1").cluster(new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3"))))
                .build();
        h.electLeader();
        h.ackAllEntries();
        return h;
    }

    /** Plays the runtime until {@code until}, with {@code peer} answering every heartbeat and AppendEntries at once. */
    private static void runWithResponsivePeer(EngineHarness h, String peer, long until) {
        while (h.state() == RaftState.LEADER && h.engine.nextDeadline() <= until) {
            h.fireNextTimer();
            for (Output.Send hb : h.unansweredHeartbeats(peer)) {
                h.ackHeartbeat(hb);
            }
            h.ackAllEntries(peer);
        }
    }

    @Nested
    @DisplayName("heartbeats")
    class Heartbeats {

        @Test
        @DisplayName("carry only the term and the leader: no previous entry, no entries and no commit index, ever")
        void content() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.tick();
            assertThat(heartbeats(h.last)).hasSize(2).allSatisfy(s -> {
                AppendEntriesRequest r = (AppendEntriesRequest) s.request();
                assertThat(r.isHeartbeat()).isTrue();
                assertThat(r.term()).isEqualTo(2);
                assertThat(r.leader()).isEqualTo(peer("s1"));
                assertThat(r.entries()).isNull();
                assertThat(r.leaderCommitIndex()).isZero();
            });
        }

        @Test
        @DisplayName("are sent to non-voters too")
        void toNonvoters() {
            EngineHarness h = leaderWithNonvoter();
            h.tick();
            assertThat(heartbeats(h.last)).extracting(s -> s.peer().id().value()).containsExactlyInAnyOrder("s2", "s3");
        }
    }

    @Nested
    @DisplayName("the leader lease")
    class Lease {

        @Test
        @DisplayName("a leader that hears from a quorum keeps leading")
        void keepsLeadingWithQuorum() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            runWithResponsivePeer(h, "s2", h.now + 10 * HEARTBEAT);
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
        }

        @Test
        @DisplayName("a leader that loses contact with a quorum steps down, failing what it had in flight")
        void stepsDownWithoutQuorum() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            h.runUntil(h.now + 2 * LEASE, x -> x.state() != RaftState.LEADER);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.last).contains(new Output.LeadershipChanged(false), new Output.Observe(RaftState.FOLLOWER));
            assertThat(failedRequests(h.last, LeadershipLostException.class)).containsExactly(7L);
        }

        @Test
        @DisplayName("non-voters do not count toward the lease")
        void nonvotersDoNotCount() {
            EngineHarness h = leaderWithNonvoter();
            long start = h.now;
            runWithResponsivePeer(h, "s3", start + 2 * LEASE);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
        }

        @Test
        @DisplayName("any AppendEntries answer is contact, even a refusal")
        void refusalIsContact() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            long start = h.now;
            h.now = start + 400 * MS;
            List<Output> proposed = h.propose(1);
            h.rejectEntries(entriesTo(proposed, "s2").get(0), 2, 2, false);
            h.runUntil(start + 3 * LEASE, x -> x.state() != RaftState.LEADER);
            assertThat(h.now - start).isEqualTo(400 * MS + LEASE + 10 * MS);
        }

        @Test
        @DisplayName("a heartbeat that fails in the transport is not contact")
        void failedHeartbeatIsNotContact() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            long start = h.now;
            h.tickAt(start + 100 * MS);
            h.failRpc(heartbeatTo(h.last, "s2"), Input.FailureKind.TRANSPORT);
            h.runUntil(start + 2 * LEASE, x -> x.state() != RaftState.LEADER);
            assertThat(h.now - start).isEqualTo(LEASE + 10 * MS);
        }
    }

    @Nested
    @DisplayName("VerifyLeader")
    class Verify {

        @Test
        @DisplayName("a single-voter leader confirms at once")
        void singleVoter() {
            EngineHarness h = member("s1", "s1").build();
            h.fireNextTimer();
            h.step(new Input.VerifyLeader(3));
            assertThat(h.last).containsExactly(new Output.Complete(3, null));
        }

        @Test
        @DisplayName("the leader heartbeats every follower at once and confirms when a quorum has answered")
        void confirmsOnQuorum() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.tick();
            h.step(new Input.VerifyLeader(3));
            assertThat(heartbeats(h.last)).hasSize(2);
            assertThat(completedRequests(h.last)).isEmpty();
            h.ackHeartbeat(heartbeatTo(h.last, "s2"));
            assertThat(h.last).contains(new Output.Complete(3, null));
        }

        @Test
        @DisplayName("answers to heartbeats sent before the request do not count")
        void earlierHeartbeatsDoNotCount() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.tick();
            List<Output> before = h.last;
            h.step(new Input.VerifyLeader(3));
            List<Output> round = h.last;
            h.ackHeartbeat(heartbeatTo(before, "s2"));
            h.ackHeartbeat(heartbeatTo(before, "s3"));
            assertThat(completedRequests(h.outputs)).isEmpty();
            h.ackHeartbeat(heartbeatTo(round, "s3"));
            assertThat(completedRequests(h.last)).containsExactly(3L);
        }

        @Test
        @DisplayName("each request waits for answers to its own round")
        void rounds() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.VerifyLeader(3));
            List<Output> first = h.last;
            h.step(new Input.VerifyLeader(4));
            List<Output> second = h.last;
            h.ackHeartbeat(heartbeatTo(first, "s2"));
            assertThat(completedRequests(h.last)).containsExactly(3L);
            h.ackHeartbeat(heartbeatTo(second, "s2"));
            assertThat(completedRequests(h.last)).containsExactly(4L);
        }

        @Test
        @DisplayName("an AppendEntries answer counts like a heartbeat answer")
        void appendEntriesCount() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.VerifyLeader(3));
            List<Output> proposed = h.propose(9);
            h.ackEntries(entriesTo(proposed, "s2").get(0));
            assertThat(completedRequests(h.last)).containsExactly(3L);
        }

        @Test
        @DisplayName("only voters' answers count (deviation: hashicorp also counts non-voters)")
        void onlyVotersCount() {
            EngineHarness h = leaderWithNonvoter();
            h.step(new Input.VerifyLeader(3));
            List<Output> round = h.last;
            h.ackHeartbeat(heartbeatTo(round, "s3"));
            assertThat(completedRequests(h.outputs)).isEmpty();
            h.ackHeartbeat(heartbeatTo(round, "s2"));
            assertThat(completedRequests(h.last)).containsExactly(3L);
        }

        @Test
        @DisplayName("heartbeats that fail in the transport give no answer: the request stays pending, with no timeout")
        void transportFailuresGiveNoVote() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.VerifyLeader(3));
            List<Output> round = h.last;
            h.failRpc(heartbeatTo(round, "s2"), Input.FailureKind.TRANSPORT);
            h.failRpc(heartbeatTo(round, "s3"), Input.FailureKind.TRANSPORT);
            h.runUntil(h.now + LEASE / 2);
            assertThat(completedRequests(h.outputs)).isEmpty();
            assertThat(EngineHarness.all(h.outputs, Output.Fail.class)).isEmpty();
        }

        @Test
        @DisplayName("a pending request fails with LeadershipLost when the leader steps down")
        void failsOnStepDown() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.VerifyLeader(3));
            h.ackHeartbeat(heartbeatTo(h.last, "s2"), 5);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(failedRequests(h.last, LeadershipLostException.class)).containsExactly(3L);
        }

        @Test
        @DisplayName("a follower refuses with NotLeader")
        void followerRefuses() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.step(new Input.VerifyLeader(3));
            assertThat(failedRequests(h.last, NotLeaderException.class)).containsExactly(3L);
        }
    }
}
