package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.ConfigurationChangeCommand;
import io.flotilla.raft.ConfigurationChangeRequest;
import io.flotilla.raft.ConfigurationException;
import io.flotilla.raft.EnqueueTimeoutException;
import io.flotilla.raft.LeadershipLostException;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.PeerObservation;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.ConfigurationCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.engine.EngineHarness.HEARTBEAT;
import static io.flotilla.raft.engine.EngineHarness.MS;
import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.failedRequests;
import static io.flotilla.raft.engine.EngineHarness.id;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.nonvoter;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.voter;
import static io.flotilla.raft.engine.EngineHarness.voters;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§6 Cluster membership changes")
class MembershipSpecTest {

    static Input.ChangeConfiguration addVoter(long requestId, String id) {
        return new Input.ChangeConfiguration(requestId, new ConfigurationChangeRequest(
                ConfigurationChangeCommand.ADD_STAGING, id(id), addr(id), 0), Long.MAX_VALUE);
    }

    static Input.ChangeConfiguration remove(long requestId, String id) {
        return new Input.ChangeConfiguration(requestId, new ConfigurationChangeRequest(
                ConfigurationChangeCommand.REMOVE_SERVER, id(id), addr(id), 0), Long.MAX_VALUE);
    }

    private static Configuration decode(LogEntry e) {
        try {
            return ConfigurationCodec.decodeConfiguration(e.data());
        } catch (CodecException ex) {
            throw new AssertionError(ex);
        }
    }

    private static LogEntry appendedEntry(List<Output> outs) {
        return all(outs, Output.AppendLog.class).get(0).entries().get(0);
    }

    @Nested
    @DisplayName("§6 the leader appends a new configuration, which takes effect at once")
    class LeaderSide {

        @Test
        @DisplayName("a change is appended as a configuration entry and is the latest configuration before it commits")
        void appendedAndEffective() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s4"));
            LogEntry e = appendedEntry(h.last);
            assertThat(e.index()).isEqualTo(3);
            assertThat(e.term()).isEqualTo(2);
            assertThat(e.type()).isEqualTo(LogType.CONFIGURATION);
            assertThat(decode(e)).isEqualTo(voters("s1", "s2", "s3", "s4"));
            Configurations c = h.engine.configurations();
            assertThat(c.latest()).isEqualTo(voters("s1", "s2", "s3", "s4"));
            assertThat(c.latestIndex()).isEqualTo(3);
            assertThat(c.committed()).isEqualTo(voters("s1", "s2", "s3"));
            assertThat(c.isStable()).isFalse();
        }

        @Test
        @DisplayName("a new server is observed and replicated to at once")
        void newServerReplicated() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s4"));
            assertThat(h.last).contains(new Output.Observe(new PeerObservation(false, voter("s4"))));
            assertThat(entriesTo(h.last, "s4")).isNotEmpty();
        }

        @Test
        @DisplayName("the new configuration's quorum counts at once: with four voters the entry needs three")
        void newQuorumCounts() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s4"));
            List<Output> added = h.last;
            h.persist();
            h.ackEntries(entriesTo(added, "s2").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(2);
            h.ackEntries(entriesTo(added, "s3").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("a smaller quorum counts at once too: removing a lagging voter commits the entries a majority of "
                + "the remaining voters already hold, in the same step")
        void smallerQuorumCommitsAtOnce() {
            EngineHarness h = stableLeader("s1", "s2", "s3", "s4");
            List<Output> proposed = h.propose(7);
            h.persist();
            h.ackEntries(entriesTo(proposed, "s2").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(2);
            h.step(remove(10, "s4"));
            assertThat(h.last).contains(new Output.Commit(3, List.of(new Output.CommittedRequest(3, 7))));
            assertThat(h.engine.configurations().isStable()).isFalse();
        }

        @Test
        @DisplayName("the change completes when its entry commits, and the configuration becomes committed")
        void completesOnCommit() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s4"));
            h.ackAllEntries();
            assertThat(EngineHarness.committedRequests(h.outputs)).containsExactly(10L);
            assertThat(h.engine.configurations().isStable()).isTrue();
            assertThat(h.engine.configurations().committed()).isEqualTo(voters("s1", "s2", "s3", "s4"));
        }

        @Test
        @DisplayName("a change that changes nothing still appends a configuration entry")
        void noopChangeStillAppends() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s2"));
            LogEntry e = appendedEntry(h.last);
            assertThat(decode(e)).isEqualTo(voters("s1", "s2", "s3"));
            assertThat(h.engine.configurations().latestIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("a removed server is observed as removed and no longer replicated to")
        void removedServerDropped() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(remove(10, "s3"));
            assertThat(h.last).contains(new Output.Observe(new PeerObservation(true, voter("s3"))));
            h.ackAllEntries();
            h.propose(11);
            assertThat(entriesTo(h.last, "s3")).isEmpty();
            assertThat(entriesTo(h.last, "s2")).isNotEmpty();
        }

        @Test
        @DisplayName("non-voters receive entries but never count toward commitment")
        void nonvotersDoNotCount() {
            Configuration c = new Configuration(List.of(voter("s1"), voter("s2"), nonvoter("s3")));
            EngineHarness h = node("s1").cluster(c).build();
            h.electLeader();
            h.ackAllEntries();
            List<Output> proposed = h.propose(5);
            h.persist();
            h.ackEntries(entriesTo(proposed, "s3").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(2);
            h.ackEntries(entriesTo(proposed, "s2").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("protocol version 1 leaders write the change as a legacy RemovePeer entry of voter addresses")
        void legacyEntry() {
            EngineHarness h = member("s1", "s1", "s2", "s3").protocolVersion(1).build();
            h.electLeader();
            h.ackAllEntries();
            h.step(addVoter(10, "s4"));
            LogEntry e = appendedEntry(h.last);
            assertThat(e.type()).isEqualTo(LogType.REMOVE_PEER_DEPRECATED);
            assertThat(e.data()).isEqualTo(ConfigurationCodec.encodePeers(voters("s1", "s2", "s3", "s4"),
                    PeerCodec.ADDRESS));
        }

        @Test
        @DisplayName("a follower refuses a change with NotLeader")
        void followerRefuses() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.step(addVoter(10, "s4"));
            assertThat(failedRequests(h.last, NotLeaderException.class)).containsExactly(10L);
        }
    }

    @Nested
    @DisplayName("§6 only one uncommitted configuration at a time")
    class OneAtATime {

        @Test
        @DisplayName("a second change waits until the first one commits, then starts from it")
        void secondWaits() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s4"));
            h.step(addVoter(11, "s5"));
            assertThat(all(h.last, Output.AppendLog.class)).isEmpty();
            h.ackAllEntries();
            assertThat(EngineHarness.committedRequests(h.outputs)).containsExactly(10L, 11L);
            assertThat(h.engine.configurations().latest()).isEqualTo(voters("s1", "s2", "s3", "s4", "s5"));
        }

        @Test
        @DisplayName("a new leader accepts no change before its no-op has committed")
        void waitsForNoop() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.electLeader();
            h.persist();
            h.step(addVoter(10, "s4"));
            assertThat(all(h.last, Output.AppendLog.class)).isEmpty();
            h.ackAllEntries();
            assertThat(h.engine.configurations().latest()).isEqualTo(voters("s1", "s2", "s3", "s4"));
        }

        @Test
        @DisplayName("a change still waiting when its enqueue deadline passes fails with EnqueueTimeout")
        void enqueueTimeout() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(addVoter(10, "s4"));
            long deadline = h.now + 100 * MS;
            h.step(new Input.ChangeConfiguration(11, addVoter(11, "s5").change(), deadline));
            h.runUntil(deadline);
            assertThat(failedRequests(h.outputs, EnqueueTimeoutException.class)).isEmpty();
            h.runUntil(deadline + MS);
            assertThat(failedRequests(h.outputs, EnqueueTimeoutException.class)).containsExactly(11L);
        }

        @Test
        @DisplayName("a change based on a stale configuration index fails")
        void staleIndex() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(new Input.ChangeConfiguration(10, new ConfigurationChangeRequest(
                    ConfigurationChangeCommand.ADD_STAGING, id("s4"), addr("s4"), 5), Long.MAX_VALUE));
            Output.Fail f = h.only(Output.Fail.class);
            assertThat(f.error()).isInstanceOf(ConfigurationException.class)
                    .hasMessage("Configuration changed since 5 (latest is 1)");
            assertThat(all(h.last, Output.AppendLog.class)).isEmpty();
        }

        @Test
        @DisplayName("a change that would leave no voter fails and appends nothing")
        void noVoterLeft() {
            EngineHarness h = member("s1", "s1").build();
            h.fireNextTimer();
            h.persist();
            h.step(remove(10, "s1"));
            Output.Fail f = h.only(Output.Fail.class);
            assertThat(f.error()).isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("Need at least one voter in configuration");
        }
    }

    @Test
    @DisplayName("a configuration restored as uncommitted (hashicorp's startup scan) is promoted when the new "
            + "leader's no-op commits, and only then are changes accepted")
    void restoredUncommittedConfigurationPromotedByNoop() {
        EngineHarness h = node("s1").configurations(
                Configurations.of(voters("s1", "s2"), 1).appended(voters("s1", "s2", "s3"), 2)).log(1, 1).build();
        h.electLeader();
        h.persist();
        h.step(addVoter(10, "s4"));
        assertThat(all(h.last, Output.AppendLog.class)).isEmpty();
        h.ackAllEntries();
        assertThat(h.engine.commitIndex()).isEqualTo(4);
        assertThat(decode(all(h.outputs, Output.AppendLog.class).stream().flatMap(a -> a.entries().stream())
                .filter(e -> e.type() == LogType.CONFIGURATION).findFirst().orElseThrow()))
                .isEqualTo(voters("s1", "s2", "s3", "s4"));
    }

    @Nested
    @DisplayName("§6 a leader that is removed from the configuration")
    class RemovedLeader {

        @Test
        @DisplayName("no longer counts its own log: the remaining voters alone commit its removal")
        void ownLogNotCounted() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(remove(10, "s1"));
            List<Output> removal = h.last;
            h.persist();
            h.ackEntries(entriesTo(removal, "s2").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(2);
            h.ackEntries(entriesTo(removal, "s3").get(0));
            assertThat(h.engine.commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("keeps accepting entries until the removal commits, then asks to shut down (ShutdownOnRemove) "
                + "and refuses new ones with NotLeader")
        void shutsDownOnRemove() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            h.step(remove(10, "s1"));
            h.propose(11);
            assertThat(all(h.last, Output.AppendLog.class)).isNotEmpty();
            h.ackAllEntries();
            assertThat(h.outputs).contains(new Output.ShutdownRequested());
            h.propose(12);
            assertThat(failedRequests(h.last, NotLeaderException.class)).containsExactly(12L);
        }

        @Test
        @DisplayName("without ShutdownOnRemove it steps down, failing what is still in flight, and never campaigns")
        void stepsDown() {
            EngineHarness h = member("s1", "s1", "s2", "s3").shutdownOnRemove(false).build();
            h.electLeader();
            h.ackAllEntries();
            h.step(remove(10, "s1"));
            List<Output> removal = h.last;
            h.propose(11);
            h.persist();
            h.ackEntries(entriesTo(removal, "s2").get(0));
            h.ackEntries(entriesTo(removal, "s3").get(0));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.outputs).doesNotContain(new Output.ShutdownRequested());
            assertThat(EngineHarness.committedRequests(h.outputs)).containsExactly(10L);
            assertThat(failedRequests(h.outputs, LeadershipLostException.class)).containsExactly(11L);
            h.runUntil(h.now + 20 * HEARTBEAT);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
        }
    }

    @Nested
    @DisplayName("§6 a follower uses the latest configuration in its log, committed or not")
    class FollowerSide {

        private LogEntry configurationEntry(long index, long term, Configuration c) {
            return new LogEntry(index, term, LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(c));
        }

        @Test
        @DisplayName("a configuration entry takes effect as soon as it is appended, before it is durable or committed")
        void effectiveOnAppend() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(appendEntries(2, "s1", 1, 1, 0, List.of(configurationEntry(2, 2, voters("s1", "s2", "s3", "s4")))));
            Configurations c = h.engine.configurations();
            assertThat(c.latest()).isEqualTo(voters("s1", "s2", "s3", "s4"));
            assertThat(c.latestIndex()).isEqualTo(2);
            assertThat(c.committed()).isEqualTo(voters("s1", "s2", "s3"));
        }

        @Test
        @DisplayName("truncating the uncommitted configuration entry falls back to the committed configuration")
        void fallsBackOnTruncation() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(appendEntries(2, "s1", 1, 1, 0, List.of(configurationEntry(2, 2, voters("s1", "s2", "s3", "s4")))));
            h.receive(appendEntries(3, "s3", 1, 1, 0, EngineHarness.entries(2, 3)));
            Configurations c = h.engine.configurations();
            assertThat(c.latest()).isEqualTo(voters("s1", "s2", "s3"));
            assertThat(c.latestIndex()).isEqualTo(1);
            assertThat(c.isStable()).isTrue();
        }

        @Test
        @DisplayName("the configuration becomes committed once the commit index covers it")
        void committedWhenCovered() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(appendEntries(2, "s1", 1, 1, 0, List.of(configurationEntry(2, 2, voters("s1", "s2", "s3", "s4")))));
            h.receive(appendEntries(2, "s1", 2, 2, 2, List.of()));
            Configurations c = h.engine.configurations();
            assertThat(c.isStable()).isTrue();
            assertThat(c.committed()).isEqualTo(voters("s1", "s2", "s3", "s4"));
        }

        @Test
        @DisplayName("legacy AddPeer/RemovePeer entries take effect the same way")
        void legacyEntries() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            LogEntry legacy = new LogEntry(2, 2, LogType.REMOVE_PEER_DEPRECATED,
                    ConfigurationCodec.encodePeers(voters("s1", "s2"), PeerCodec.ADDRESS));
            h.receive(appendEntries(2, "s1", 1, 1, 0, List.of(legacy)));
            assertThat(h.engine.configurations().latest().servers()).extracting(s -> s.address())
                    .containsExactly(addr("s1"), addr("s2"));
            assertThat(h.engine.configurations().latestIndex()).isEqualTo(2);
        }

        @Test
        @DisplayName("a follower answers configuration queries with both configurations, latest possibly uncommitted")
        void queryConfiguration() {
            EngineHarness h = member("s2", "s1", "s2", "s3").build();
            h.receive(appendEntries(2, "s1", 1, 1, 0, List.of(configurationEntry(2, 2, voters("s1", "s2", "s3", "s4")))));
            h.step(new Input.QueryConfiguration(5));
            Output.Complete done = h.only(Output.Complete.class);
            assertThat(done.requestId()).isEqualTo(5);
            assertThat(done.value()).isEqualTo(h.engine.configurations());
            assertThat(failedRequests(h.last, RaftException.class)).isEmpty();
        }
    }
}
