package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.CantBootstrapException;
import io.flotilla.raft.LeaderObservation;
import io.flotilla.raft.LeadershipLostException;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.PeerObservation;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.UnsupportedProtocolException;
import io.flotilla.raft.codec.ConfigurationCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.flotilla.raft.engine.EngineHarness.HEARTBEAT;
import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.entries;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.failedRequests;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.id;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.installSnapshot;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.peer;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.voteRequest;
import static io.flotilla.raft.engine.EngineHarness.voter;
import static io.flotilla.raft.engine.EngineHarness.voters;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("hashicorp: node lifecycle (protocol check, bootstrap, startup, shutdown, fate of requests, observers)")
class NodeLifecycleSpecTest {

    @Nested
    @DisplayName("§3.20 the protocol-version header check")
    class ProtocolVersion {

        private void assertRefused(EngineHarness h, long reply) {
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).isEqualTo(UnsupportedProtocolException.MESSAGE);
        }

        @Test
        @DisplayName("a request claiming a version above 3 is refused with ErrUnsupportedProtocol and no response body")
        void aboveMax() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long reply = h.receive(new AppendEntriesRequest(new RpcHeader(4), 5, peer("s2"), 0, 0, null, 0));
            assertRefused(h, reply);
            assertThat(h.term()).isEqualTo(1);
            assertThat(h.last).hasSize(1);
        }

        @Test
        @DisplayName("a request more than one version below the node's own is refused")
        void tooOld() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long reply = h.receive(new RequestVoteRequest(new RpcHeader(1), 2, peer("s2"), 1, 1, false));
            assertRefused(h, reply);
            assertThat(all(h.last, Output.PersistVote.class)).isEmpty();
        }

        @Test
        @DisplayName("a request one version below the node's own is accepted")
        void oneBelowAccepted() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long reply = h.receive(new AppendEntriesRequest(new RpcHeader(2), 1, peer("s2"), 0, 0, null, 0));
            assertThat(h.responseBody(reply, AppendEntriesResponse.class).success()).isTrue();
        }

        @Test
        @DisplayName("InstallSnapshot is checked too")
        void installSnapshotChecked() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            io.flotilla.raft.InstallSnapshotRequest ok = installSnapshot(2, "s2", 5, 2, voters("s1", "s2", "s3"), 1);
            long reply = h.receive(new io.flotilla.raft.InstallSnapshotRequest(new RpcHeader(7), ok.snapshotVersion(),
                    ok.term(), ok.leader(), ok.lastLogIndex(), ok.lastLogTerm(), null, ok.configuration(),
                    ok.configurationIndex(), 0));
            assertRefused(h, reply);
            assertThat(all(h.last, Output.AcceptSnapshot.class)).isEmpty();
        }

        @Test
        @DisplayName("anything that is not a request is refused as an unexpected command")
        void unexpectedCommand() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.step(new Input.RequestReceived(77, new AppendEntriesResponse(EngineHarness.V3, 9, 0, true, false)));
            Output.Respond r = h.response(77).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).isEqualTo("unexpected command");
            assertThat(h.term()).isEqualTo(1);
        }

        @Test
        @DisplayName("AppendEntries and RequestVote responses carry the node's protocol version")
        void responseHeaders() {
            EngineHarness h = member("s1", "s1", "s2", "s3").protocolVersion(2).build();
            long ae = h.receive(new AppendEntriesRequest(new RpcHeader(2), 1, peer("s2"), 0, 0, null, 0));
            long rv = h.receive(new RequestVoteRequest(new RpcHeader(2), 2, peer("s2"), 1, 1, false));
            assertThat(h.responseBody(ae, AppendEntriesResponse.class).header()).isEqualTo(new RpcHeader(2));
            assertThat(h.responseBody(rv, RequestVoteResponse.class).header()).isEqualTo(new RpcHeader(2));
        }

        @Test
        @DisplayName("below protocol version 2, vote responses carry the encoded peers of the latest configuration")
        void legacyPeersInVoteResponse() {
            EngineHarness h = member("s1", "s1", "s2", "s3").protocolVersion(1).build();
            long reply = h.receive(new RequestVoteRequest(new RpcHeader(1), 2, peer("s2"), 1, 1, false));
            assertThat(h.responseBody(reply, RequestVoteResponse.class).peers())
                    .isEqualTo(ConfigurationCodec.encodePeers(voters("s1", "s2", "s3"), PeerCodec.ADDRESS));
            EngineHarness v3 = member("s1", "s1", "s2", "s3").build();
            long r3 = v3.receive(voteRequest(2, "s2", 1, 1));
            assertThat(v3.responseBody(r3, RequestVoteResponse.class).peers()).isNull();
        }
    }

    @Nested
    @DisplayName("bootstrap")
    class Bootstrap {

        @Test
        @DisplayName("a fresh node writes the configuration as entry 1 of term 1 (term persisted first), uses it at "
                + "once, and completes once the entry is durable")
        void fresh() {
            EngineHarness h = node("s1").build();
            h.step(new Input.Bootstrap(1, voters("s1", "s2", "s3")));
            int term = indexOf(h.last, o -> o.equals(new Output.PersistTerm(1)));
            int append = indexOf(h.last, o -> o instanceof Output.AppendLog);
            assertThat(term).isGreaterThanOrEqualTo(0).isLessThan(append);
            assertThat(h.only(Output.AppendLog.class).entries()).containsExactly(new LogEntry(1, 1,
                    LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(voters("s1", "s2", "s3"))));
            assertThat(h.engine.configurations().latest()).isEqualTo(voters("s1", "s2", "s3"));
            assertThat(all(h.last, Output.Complete.class)).isEmpty();
            h.persist();
            assertThat(h.last).containsExactly(new Output.Complete(1, null));
        }

        @Test
        @DisplayName("a node with any state (term, log or snapshot) refuses with CantBootstrap, as does a second attempt")
        void existingState() {
            EngineHarness withLog = member("s1", "s1", "s2", "s3").build();
            withLog.step(new Input.Bootstrap(1, voters("s1")));
            assertThat(failedRequests(withLog.last, CantBootstrapException.class)).containsExactly(1L);

            EngineHarness withSnapshot = node("s1").snapshot(5, 1).term(0).build();
            withSnapshot.step(new Input.Bootstrap(1, voters("s1")));
            assertThat(failedRequests(withSnapshot.last, CantBootstrapException.class)).containsExactly(1L);

            EngineHarness twice = node("s1").build();
            twice.step(new Input.Bootstrap(1, voters("s1")));
            twice.step(new Input.Bootstrap(2, voters("s1")));
            assertThat(failedRequests(twice.last, CantBootstrapException.class)).containsExactly(2L);
        }

        @Test
        @DisplayName("a bootstrapped single voter elects itself at its first timeout")
        void singleVoterElectsItself() {
            EngineHarness h = node("s1").build();
            h.step(new Input.Bootstrap(1, voters("s1")));
            h.persist();
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(h.term()).isEqualTo(2);
        }

        @Test
        @DisplayName("below protocol version 3 the entry is a legacy RemovePeer entry")
        void legacyEntry() {
            EngineHarness h = node("s1").protocolVersion(2).build();
            h.step(new Input.Bootstrap(1, voters("s1", "s2")));
            LogEntry e = h.only(Output.AppendLog.class).entries().get(0);
            assertThat(e.type()).isEqualTo(LogType.REMOVE_PEER_DEPRECATED);
            assertThat(e.data()).isEqualTo(ConfigurationCodec.encodePeers(voters("s1", "s2"), PeerCodec.ADDRESS));
        }

        @Test
        @DisplayName("a leader refuses with CantBootstrap")
        void leaderRefuses() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.Bootstrap(1, voters("s1")));
            assertThat(failedRequests(h.last, CantBootstrapException.class)).containsExactly(1L);
        }
    }

    @Nested
    @DisplayName("startup")
    class Startup {

        @Test
        @DisplayName("a restored node starts as follower with its persisted term, its log, and its commit index at the "
                + "snapshot (hashicorp: the commit index is not persisted)")
        void restored() {
            EngineHarness h = node("s1").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 2).logFrom(11, 2, 3).term(4).build();
            EngineStatus s = h.engine.status();
            assertThat(s.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(s.term()).isEqualTo(4);
            assertThat(s.commitIndex()).isEqualTo(10);
            assertThat(s.lastIndex()).isEqualTo(12);
            assertThat(s.lastTerm()).isEqualTo(3);
            assertThat(s.firstIndex()).isEqualTo(11);
            assertThat(s.snapshotIndex()).isEqualTo(10);
            assertThat(s.leaderAddress().isEmpty()).isTrue();
            assertThat(s.lastContactNanos()).isEmpty();
        }

        @Test
        @DisplayName("StartAsLeader takes office at the first step, without an election or a new term")
        void startAsLeader() {
            EngineHarness h = member("s1", "s1", "s2", "s3").startAsLeader().build();
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(h.engine.nextDeadline()).isEqualTo(Long.MIN_VALUE);
            h.tick();
            assertThat(h.last).contains(new Output.LeadershipChanged(true));
            assertThat(all(h.last, Output.PersistTerm.class)).isEmpty();
            assertThat(h.only(Output.AppendLog.class).entries().get(0).type()).isEqualTo(LogType.NOOP);
            assertThat(entriesTo(h.last, "s2")).isNotEmpty();
            assertThat(h.term()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("§3.22 shutdown fails every pending request")
    class Shutdown {

        @Test
        @DisplayName("a leader's entries in flight and verifications fail with LeadershipLost, a running transfer "
                + "completes, and membership changes not yet started fail with RaftShutdown")
        void leaderPending() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            h.step(new Input.VerifyLeader(8));
            h.step(MembershipSpecTest.addVoter(10, "s4"));
            h.step(MembershipSpecTest.addVoter(9, "s5"));
            h.step(new Input.TransferLeadership(11, Optional.of(id("s3")), Optional.empty()));
            assertThat(h.engine.status().transferring()).isTrue();
            h.step(Input.Shutdown.INSTANCE);
            assertThat(failedRequests(h.last, LeadershipLostException.class)).containsExactlyInAnyOrder(7L, 8L, 10L);
            assertThat(failedRequests(h.last, RaftShutdownException.class)).containsExactly(9L);
            assertThat(h.last).contains(new Output.Complete(11, null), new Output.LeadershipChanged(false),
                    new Output.Observe(RaftState.SHUTDOWN));
            assertThat(h.state()).isEqualTo(RaftState.SHUTDOWN);
        }

        @Test
        @DisplayName("a bootstrap waiting for its write fails with RaftShutdown")
        void pendingBootstrap() {
            EngineHarness h = node("s1").build();
            h.step(new Input.Bootstrap(1, voters("s1")));
            h.step(Input.Shutdown.INSTANCE);
            assertThat(failedRequests(h.last, RaftShutdownException.class)).containsExactly(1L);
        }

        @Test
        @DisplayName("an AppendEntries answer waiting for its write is answered with the shutdown error")
        void pendingAppendEntries() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2)));
            h.step(Input.Shutdown.INSTANCE);
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).isEqualTo(RaftShutdownException.MESSAGE);
        }

        @Test
        @DisplayName("afterwards every client request fails with RaftShutdown, RPCs go unanswered and no timer runs")
        void afterShutdown() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(Input.Shutdown.INSTANCE);
            assertThat(h.engine.nextDeadline()).isEqualTo(Long.MAX_VALUE);
            int afterShutdown = h.outputs.size();
            h.propose(1);
            h.step(new Input.VerifyLeader(2));
            h.step(MembershipSpecTest.addVoter(3, "s4"));
            h.step(new Input.TransferLeadership(4, Optional.empty(), Optional.empty()));
            h.step(new Input.Bootstrap(5, voters("s1")));
            h.step(new Input.QueryConfiguration(6));
            List<Output> since = h.outputs.subList(afterShutdown, h.outputs.size());
            assertThat(failedRequests(since, RaftShutdownException.class)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(since).hasSize(6);
            int mark = h.outputs.size();
            h.receive(heartbeat(5, "s2"));
            h.receive(voteRequest(5, "s2", 9, 5));
            h.receive(installSnapshot(5, "s2", 9, 5, voters("s1", "s2", "s3"), 1));
            h.tickAt(h.now + 10 * HEARTBEAT);
            h.step(new Input.LogPersisted(h.highestSeq()));
            assertThat(h.outputs.subList(mark, h.outputs.size())).isEmpty();
            assertThat(h.term()).isEqualTo(2);
        }

        @Test
        @DisplayName("the node is observed in the Shutdown state, with no known leader")
        void observed() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s1"));
            h.step(Input.Shutdown.INSTANCE);
            assertThat(h.last).contains(new Output.Observe(new LeaderObservation(ServerAddress.NONE)),
                    new Output.Observe(RaftState.SHUTDOWN));
            assertThat(h.engine.leaderAddress().isEmpty()).isTrue();
        }
    }

    @Nested
    @DisplayName("a failed log write")
    class LogWriteFailure {

        @Test
        @DisplayName("on a leader fails the entries waiting to commit with the write error and asks to shut down "
                + "(deviation: hashicorp steps down and keeps running)")
        void leader() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.propose(7);
            h.step(new Input.LogPersistFailed(h.highestSeq(), "disk full"));
            Output.Fail f = h.only(Output.Fail.class);
            assertThat(f.requestId()).isEqualTo(7);
            assertThat(f.error()).isExactlyInstanceOf(RaftException.class).hasMessage("failed to commit logs: disk full");
            assertThat(h.last).contains(new Output.ShutdownRequested());
        }
    }

    @Nested
    @DisplayName("§3.22 requests that reach a server that is not the leader")
    class NotLeader {

        @Test
        @DisplayName("a follower and a candidate refuse proposals, VerifyLeader, membership changes and transfers "
                + "with NotLeader (hashicorp leaves a transfer queued while a candidate campaigns)")
        void refused() {
            for (boolean candidate : new boolean[] {false, true}) {
                EngineHarness h = member("s1", "s1", "s2", "s3").build();
                if (candidate) {
                    h.fireNextTimer();
                    assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
                }
                h.propose(1);
                h.step(new Input.VerifyLeader(2));
                h.step(MembershipSpecTest.addVoter(3, "s4"));
                h.step(new Input.TransferLeadership(4, Optional.empty(), Optional.empty()));
                assertThat(failedRequests(h.outputs, NotLeaderException.class)).containsExactly(1L, 2L, 3L, 4L);
            }
        }

        @Test
        @DisplayName("a candidate refuses bootstrap with CantBootstrap")
        void candidateBootstrap() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            h.step(new Input.Bootstrap(1, voters("s1")));
            assertThat(failedRequests(h.last, CantBootstrapException.class)).containsExactly(1L);
        }

        @Test
        @DisplayName("a leader that steps down fails queued membership changes with NotLeader")
        void queuedChangesOnStepDown() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(MembershipSpecTest.addVoter(10, "s4"));
            h.step(MembershipSpecTest.addVoter(11, "s5"));
            h.receive(heartbeat(3, "s2"));
            assertThat(failedRequests(h.last, LeadershipLostException.class)).containsExactly(10L);
            assertThat(failedRequests(h.last, NotLeaderException.class)).containsExactly(11L);
        }
    }

    @Nested
    @DisplayName("§3.19 observations")
    class Observations {

        @Test
        @DisplayName("the known leader is cleared before every state change and set only after it")
        void leaderClearedOnStateChange() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s2"));
            h.runUntil(h.now + 3 * HEARTBEAT, x -> x.state() == RaftState.CANDIDATE);
            int cleared = indexOf(h.last, o -> o.equals(new Output.Observe(new LeaderObservation(ServerAddress.NONE))));
            int candidate = indexOf(h.last, o -> o.equals(new Output.Observe(RaftState.CANDIDATE)));
            assertThat(cleared).isGreaterThanOrEqualTo(0).isLessThan(candidate);
            h.grantVote(EngineHarness.sends(h.last, RequestVoteRequest.class).get(0));
            int leader = indexOf(h.last, o -> o.equals(new Output.Observe(RaftState.LEADER)));
            int self = indexOf(h.last, o -> o.equals(new Output.Observe(new LeaderObservation(addr("s1")))));
            assertThat(leader).isGreaterThanOrEqualTo(0).isLessThan(self);
        }

        @Test
        @DisplayName("each state change is observed exactly once")
        void stateObservedOnce() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.electLeader();
            h.receive(heartbeat(5, "s2"));
            assertThat(all(h.outputs, Output.Observe.class).stream().map(Output.Observe::observation)
                    .filter(o -> o instanceof RaftState)).containsExactly(RaftState.CANDIDATE, RaftState.LEADER,
                    RaftState.FOLLOWER);
        }

        @Test
        @DisplayName("a new leader observes every peer it starts replicating to, and nothing when it steps down")
        void peerObservations() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            List<Output> elected = h.electLeader();
            assertThat(all(elected, Output.Observe.class).stream().map(Output.Observe::observation)
                    .filter(o -> o instanceof PeerObservation)).containsExactly(
                    new PeerObservation(false, voter("s2")), new PeerObservation(false, voter("s3")));
            h.receive(heartbeat(5, "s2"));
            assertThat(all(h.last, Output.Observe.class).stream().map(Output.Observe::observation)
                    .filter(o -> o instanceof PeerObservation)).isEmpty();
        }
    }
}
