package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.LeadershipTransferInProgressException;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.flotilla.raft.engine.EngineHarness.ELECTION;
import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.completedRequests;
import static io.flotilla.raft.engine.EngineHarness.failedRequests;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.heartbeats;
import static io.flotilla.raft.engine.EngineHarness.id;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.nonvoter;
import static io.flotilla.raft.engine.EngineHarness.sends;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.timeoutNow;
import static io.flotilla.raft.engine.EngineHarness.voter;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("hashicorp §3.16: leadership transfer")
class LeadershipTransferSpecTest {

    private static Input.TransferLeadership transferTo(long requestId, String target) {
        return new Input.TransferLeadership(requestId, Optional.of(id(target)), Optional.empty());
    }

    private static Input.TransferLeadership transferToAnyone(long requestId) {
        return new Input.TransferLeadership(requestId, Optional.empty(), Optional.empty());
    }

    private static Output.Send timeoutNowSent(List<Output> outs) {
        List<Output.Send> sent = sends(outs, TimeoutNowRequest.class);
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    private static List<Output.Send> timeoutNows(List<Output> outs) {
        return sends(outs, TimeoutNowRequest.class);
    }

    /** A stable leader with one more entry (index 3) that no follower has yet. */
    private static EngineHarness leaderWithLaggingFollowers(long lease) {
        EngineHarness h = member("s1", "s1", "s2", "s3").lease(lease).build();
        h.electLeader();
        h.ackAllEntries();
        h.propose(1);
        h.persist();
        return h;
    }

    private static String rpcFailure(EngineHarness h, long requestId) {
        return all(h.outputs, Output.Fail.class).stream().filter(f -> f.requestId() == requestId)
                .map(f -> f.error().getMessage()).findFirst().orElse(null);
    }

    @Nested
    @DisplayName("on the leader")
    class Leader {

        @Test
        @DisplayName("transfer to an up-to-date voter sends it TimeoutNow at once, and succeeds when it answers")
        void upToDateTarget() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(transferTo(5, "s2"));
            Output.Send tn = timeoutNowSent(h.last);
            assertThat(tn.peer().id()).isEqualTo(id("s2"));
            assertThat(tn.peer().address()).isEqualTo(addr("s2"));
            assertThat(tn.heartbeat()).isFalse();
            assertThat(completedRequests(h.last)).isEmpty();
            h.step(new Input.ResponseReceived(id("s2"), tn.correlation(), new TimeoutNowResponse(RpcHeader.ZERO)));
            assertThat(h.last).containsExactly(new Output.Complete(5, null));
            assertThat(h.engine.status().transferring()).isFalse();
        }

        @Test
        @DisplayName("a lagging target is first brought up to date, then sent TimeoutNow")
        void laggingTarget() {
            EngineHarness h = leaderWithLaggingFollowers(EngineHarness.LEASE);
            h.step(transferTo(5, "s3"));
            assertThat(timeoutNows(h.last)).isEmpty();
            h.ackAllEntries("s3");
            assertThat(timeoutNowSent(h.last).peer().id()).isEqualTo(id("s3"));
        }

        @Test
        @DisplayName("without a target the most up-to-date voter is chosen")
        void picksMostUpToDate() {
            EngineHarness h = leaderWithLaggingFollowers(EngineHarness.LEASE);
            h.ackAllEntries("s3");
            h.step(transferToAnyone(5));
            assertThat(timeoutNowSent(h.last).peer().id()).isEqualTo(id("s3"));
        }

        @Test
        @DisplayName("non-voters are never chosen, however up to date (deviation: hashicorp may pick a non-voter)")
        void neverPicksNonvoter() {
            EngineHarness h = node("s1").cluster(new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3"))))
                    .build();
            h.electLeader();
            h.ackAllEntries();
            h.propose(1);
            h.persist();
            h.ackAllEntries("s3");
            h.step(transferToAnyone(5));
            assertThat(timeoutNows(h.last)).isEmpty();
            h.ackAllEntries("s2");
            assertThat(timeoutNowSent(h.last).peer().id()).isEqualTo(id("s2"));
        }

        @Test
        @DisplayName("transfer to a non-voter is refused (deviation: hashicorp would let it campaign)")
        void refusesNonvoterTarget() {
            EngineHarness h = node("s1").cluster(new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3"))))
                    .build();
            h.electLeader();
            h.ackAllEntries();
            h.step(transferTo(5, "s3"));
            assertThat(rpcFailure(h, 5)).isEqualTo("cannot transfer leadership to non-voter s3");
            assertThat(h.engine.status().transferring()).isFalse();
        }

        @Test
        @DisplayName("transfer to an unknown server fails (\"cannot find replication state\")")
        void unknownTarget() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(transferTo(5, "s9"));
            assertThat(rpcFailure(h, 5)).isEqualTo("cannot find replication state for s9");
        }

        @Test
        @DisplayName("among equally up-to-date voters the first in configuration order is chosen")
        void tiesGoToFirst() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(transferToAnyone(5));
            assertThat(timeoutNowSent(h.last).peer().id()).isEqualTo(id("s2"));
        }

        @Test
        @DisplayName("an explicit address is where TimeoutNow goes")
        void explicitAddress() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.TransferLeadership(5, Optional.of(id("s2")), Optional.of(ServerAddress.of("elsewhere"))));
            assertThat(timeoutNowSent(h.last).peer().address()).isEqualTo(ServerAddress.of("elsewhere"));
        }

        @Test
        @DisplayName("while it runs, proposals, membership changes, configuration queries and other transfers fail "
                + "with LeadershipTransferInProgress; VerifyLeader still works")
        void refusesOtherRequestsMeanwhile() {
            EngineHarness h = leaderWithLaggingFollowers(EngineHarness.LEASE);
            h.step(transferTo(5, "s3"));
            assertThat(h.engine.status().transferring()).isTrue();
            h.propose(6);
            h.step(MembershipSpecTest.addVoter(7, "s4"));
            h.step(new Input.QueryConfiguration(8));
            h.step(transferTo(9, "s2"));
            assertThat(failedRequests(h.outputs, LeadershipTransferInProgressException.class))
                    .containsExactly(6L, 7L, 8L, 9L);
            h.step(new Input.VerifyLeader(10));
            h.ackHeartbeat(heartbeats(h.last).get(0));
            assertThat(completedRequests(h.last)).containsExactly(10L);
        }

        @Test
        @DisplayName("a transfer that has not sent TimeoutNow within ElectionTimeout fails (\"leadership transfer timeout\")")
        void timesOut() {
            EngineHarness h = leaderWithLaggingFollowers(Long.MAX_VALUE / 4);
            long start = h.now;
            h.step(transferTo(5, "s3"));
            h.runUntil(start + 2 * ELECTION, x -> rpcFailure(x, 5) != null);
            assertThat(rpcFailure(h, 5)).isEqualTo("leadership transfer timeout");
            assertThat(h.now - start).isEqualTo(ELECTION);
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            h.propose(6);
            assertThat(all(h.last, Output.AppendLog.class)).isNotEmpty();
        }

        @Test
        @DisplayName("a failed TimeoutNow RPC fails the transfer")
        void timeoutNowFails() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(transferTo(5, "s2"));
            h.failRpc(timeoutNowSent(h.last), Input.FailureKind.TRANSPORT);
            assertThat(rpcFailure(h, 5)).isEqualTo("failed to make TimeoutNow RPC to s2: injected");
        }

        @Test
        @DisplayName("losing leadership while it runs completes the transfer successfully (the expected outcome)")
        void lostLeadershipCompletes() {
            EngineHarness h = leaderWithLaggingFollowers(EngineHarness.LEASE);
            h.step(transferTo(5, "s3"));
            h.receive(heartbeat(3, "s3"));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.last).contains(new Output.Complete(5, null));
        }

        @Test
        @DisplayName("a follower refuses with NotLeader")
        void followerRefuses() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.step(transferTo(5, "s2"));
            assertThat(failedRequests(h.last, NotLeaderException.class)).containsExactly(5L);
        }
    }

    @Nested
    @DisplayName("on the target")
    class Target {

        @Test
        @DisplayName("TimeoutNow is answered at once, then the voter campaigns immediately with a RequestVote flagged "
                + "as a leadership transfer, forgetting the leader it knew")
        void campaignsAtOnce() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s1"));
            long reply = h.receive(timeoutNow());
            assertThat(h.response(reply).orElseThrow().response()).isEqualTo(new TimeoutNowResponse(RpcHeader.ZERO));
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            assertThat(h.term()).isEqualTo(2);
            assertThat(h.engine.leaderAddress().isEmpty()).isTrue();
            assertThat(sends(h.last, RequestVoteRequest.class)).hasSize(2)
                    .allSatisfy(s -> assertThat(((RequestVoteRequest) s.request()).leadershipTransfer()).isTrue());
        }

        @Test
        @DisplayName("the transfer flag holds for that election only")
        void flagForOneElection() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(timeoutNow());
            h.fireNextTimer();
            assertThat(h.term()).isEqualTo(3);
            assertThat(sends(h.last, RequestVoteRequest.class))
                    .allSatisfy(s -> assertThat(((RequestVoteRequest) s.request()).leadershipTransfer()).isFalse());
        }

        @Test
        @DisplayName("a non-voter refuses TimeoutNow and stays follower (deviation: hashicorp would campaign)")
        void nonvoterRefuses() {
            EngineHarness h = node("s3").cluster(new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3"))))
                    .build();
            long reply = h.receive(timeoutNow());
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).isEqualTo("cannot start an election: not a voter");
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(1);
        }

        @Test
        @DisplayName("the old leader steps down when the new candidate's flagged RequestVote arrives, and the target "
                + "wins with its vote")
        void endToEnd() {
            EngineHarness leader = stableLeader("s1", "s2", "s3");
            EngineHarness target = member("s2", "s1", "s2", "s3").log(1, 2).term(2).build();
            target.receive(heartbeat(2, "s1"));
            leader.step(transferTo(5, "s2"));
            Output.Send tn = timeoutNowSent(leader.last);
            long reply = target.receive(timeoutNow());
            leader.step(new Input.ResponseReceived(id("s2"), tn.correlation(),
                    target.response(reply).orElseThrow().response()));
            assertThat(completedRequests(leader.last)).containsExactly(5L);
            Output.Send ask = sends(target.last, RequestVoteRequest.class).stream()
                    .filter(s -> s.peer().id().equals(ServerId.of("s1"))).findFirst().orElseThrow();
            long vote = leader.receive(ask.request());
            assertThat(leader.state()).isEqualTo(RaftState.FOLLOWER);
            target.step(new Input.ResponseReceived(id("s1"), ask.correlation(),
                    leader.response(vote).orElseThrow().response()));
            assertThat(target.state()).isEqualTo(RaftState.LEADER);
            assertThat(target.term()).isEqualTo(3);
        }
    }
}
