package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.RaftState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.appendEntries;
import static io.flotilla.raft.engine.EngineHarness.entries;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.id;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.node;
import static io.flotilla.raft.engine.EngineHarness.voters;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§5.3 / hashicorp §3.6: AppendEntries on the follower (incl. the raft_test.go wishlist)")
class AppendEntriesFollowerSpecTest {

    private static EngineHarness follower(long... logTerms) {
        return member("s2", "s1", "s2", "s3").log(logTerms).build();
    }

    private static AppendEntriesResponse answer(EngineHarness h, long reply) {
        return h.responseBody(reply, AppendEntriesResponse.class);
    }

    private static List<LogEntry> appended(EngineHarness h) {
        return all(h.last, Output.AppendLog.class).stream().flatMap(a -> a.entries().stream()).toList();
    }

    @Nested
    @DisplayName("the request's term")
    class Term {

        @Test
        @DisplayName("term too small: a no-op that is refused and is not even leader contact")
        void termTooSmall() {
            EngineHarness h = member("s2", "s1", "s2", "s3").term(4).build();
            long deadline = h.engine.nextDeadline();
            h.now = deadline - EngineHarness.MS;
            long reply = h.receive(appendEntries(3, "s1", 1, 1, 1, entries(2, 3)));
            assertThat(answer(h, reply).success()).isFalse();
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }

        @Test
        @DisplayName("term too large: the follower adopts it and then processes the request")
        void termTooLarge() {
            EngineHarness h = follower(1);
            long reply = h.receive(appendEntries(3, "s1", 1, 1, 0, entries(2, 3)));
            assertThat(h.last.get(indexOf(h.last, o -> o instanceof Output.PersistTerm))).isEqualTo(
                    new Output.PersistTerm(3));
            assertThat(appended(h)).extracting(LogEntry::index).containsExactly(2L);
            h.persist();
            assertThat(answer(h, reply).success()).isTrue();
            assertThat(answer(h, reply).term()).isEqualTo(3);
        }

        @Test
        @DisplayName("right term but a candidate: it returns to follower and processes the request")
        void candidateOfSameTerm() {
            EngineHarness h = follower(1);
            h.fireNextTimer();
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2)));
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(appended(h)).hasSize(1);
            h.persist();
            assertThat(answer(h, reply).success()).isTrue();
        }

        @Test
        @DisplayName("the sender becomes the known leader, reported once")
        void learnsLeader() {
            EngineHarness h = follower(1);
            h.receive(heartbeat(1, "s1"));
            assertThat(h.last).contains(new Output.LeaderChanged(addr("s1"), id("s1")));
            h.receive(heartbeat(1, "s1"));
            assertThat(all(h.last, Output.LeaderChanged.class)).isEmpty();
        }
    }

    @Nested
    @DisplayName("§5.3 the consistency check on the previous entry")
    class PreviousEntry {

        @Test
        @DisplayName("prev is a log entry: its term must match, else refusal with NoRetryBackoff and our last index")
        void prevTermMismatch() {
            EngineHarness h = follower(1, 1, 2);
            long reply = h.receive(appendEntries(3, "s1", 3, 1, 0, entries(4, 3)));
            AppendEntriesResponse resp = answer(h, reply);
            assertThat(resp.success()).isFalse();
            assertThat(resp.noRetryBackoff()).isTrue();
            assertThat(resp.lastLog()).isEqualTo(3);
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
        }

        @Test
        @DisplayName("prev is past the end of the log: refusal with NoRetryBackoff and our last index")
        void prevPastEnd() {
            EngineHarness h = follower(1, 1);
            long reply = h.receive(appendEntries(2, "s1", 7, 2, 0, entries(8, 2)));
            AppendEntriesResponse resp = answer(h, reply);
            assertThat(resp.success()).isFalse();
            assertThat(resp.noRetryBackoff()).isTrue();
            assertThat(resp.lastLog()).isEqualTo(2);
        }

        @Test
        @DisplayName("prev is the snapshot's index: the snapshot's term is checked")
        void prevAtSnapshotIndex() {
            EngineHarness ok = node("s2").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 2).build();
            long good = ok.receive(appendEntries(3, "s1", 10, 2, 0, entries(11, 3)));
            ok.persist();
            assertThat(answer(ok, good).success()).isTrue();

            EngineHarness bad = node("s2").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 2).build();
            long wrong = bad.receive(appendEntries(3, "s1", 10, 1, 0, entries(11, 3)));
            assertThat(answer(bad, wrong).success()).isFalse();
            assertThat(answer(bad, wrong).noRetryBackoff()).isTrue();
        }

        @Test
        @DisplayName("prev inside the snapshot, before its index: assumed to match, because it is committed "
                + "(deviation: hashicorp refuses unless the entry is still in its log)")
        void prevInsideSnapshotAssumedToMatch() {
            EngineHarness h = node("s2").configurations(Configurations.of(voters("s1", "s2", "s3"), 1))
                    .snapshot(10, 2).logFrom(11, 2, 2).build();
            long reply = h.receive(appendEntries(3, "s1", 5, 2, 0, entries(6, 2, 2, 2, 2, 2, 2, 2, 3)));
            assertThat(appended(h)).extracting(LogEntry::index).containsExactly(13L);
            assertThat(all(h.last, Output.TruncateLog.class)).isEmpty();
            h.persist();
            assertThat(answer(h, reply).success()).isTrue();
        }

        @Test
        @DisplayName("a refused consistency check is not leader contact: the follower still times out")
        void refusalIsNotContact() {
            EngineHarness h = follower(1);
            long deadline = h.engine.nextDeadline();
            h.now = deadline - EngineHarness.MS;
            long reply = h.receive(appendEntries(1, "s1", 5, 1, 0, List.of()));
            assertThat(answer(h, reply).success()).isFalse();
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }
    }

    @Nested
    @DisplayName("§5.3 new entries: append what is new, never rewrite duplicates, truncate only a conflicting suffix")
    class NewEntries {

        @Test
        @DisplayName("all new: every entry is appended")
        void allNew() {
            EngineHarness h = follower(1);
            h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2, 2)));
            assertThat(appended(h)).extracting(LogEntry::index).containsExactly(2L, 3L, 4L);
            assertThat(all(h.last, Output.TruncateLog.class)).isEmpty();
        }

        @Test
        @DisplayName("all duplicates: nothing is written and the answer goes out at once")
        void allDuplicates() {
            EngineHarness h = follower(1, 2, 2);
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2)));
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
            assertThat(answer(h, reply).success()).isTrue();
        }

        @Test
        @DisplayName("some duplicates, some new: only the new ones are appended")
        void someDuplicatesSomeNew() {
            EngineHarness h = follower(1, 2);
            h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2, 2)));
            assertThat(appended(h)).extracting(LogEntry::index).containsExactly(3L, 4L);
            assertThat(all(h.last, Output.TruncateLog.class)).isEmpty();
        }

        @Test
        @DisplayName("all conflicting: the suffix is truncated, then the leader's entries appended")
        void allConflicting() {
            EngineHarness h = follower(1, 1, 1);
            h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2)));
            Output.TruncateLog t = h.only(Output.TruncateLog.class);
            assertThat(t.from()).isEqualTo(2);
            assertThat(t.to()).isEqualTo(3);
            assertThat(indexOf(h.last, o -> o instanceof Output.TruncateLog))
                    .isLessThan(indexOf(h.last, o -> o instanceof Output.AppendLog));
            assertThat(h.logTerms()).isEqualTo(Map.of(1L, 1L, 2L, 2L, 3L, 2L));
        }

        @Test
        @DisplayName("some duplicates, then a conflict: truncation starts at the conflict, the duplicates are kept")
        void duplicatesThenConflict() {
            EngineHarness h = follower(1, 2, 2, 2);
            h.receive(appendEntries(3, "s1", 1, 1, 0, entries(2, 2, 3)));
            Output.TruncateLog t = h.only(Output.TruncateLog.class);
            assertThat(t.from()).isEqualTo(3);
            assertThat(t.to()).isEqualTo(4);
            assertThat(appended(h)).extracting(LogEntry::index).containsExactly(3L);
            assertThat(h.logTerms()).isEqualTo(Map.of(1L, 1L, 2L, 2L, 3L, 3L));
        }

        @Test
        @DisplayName("a delayed, shorter request that only repeats entries never truncates the longer log")
        void staleShortRequestNeverTruncates() {
            EngineHarness h = follower(1, 2, 2, 2);
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2)));
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
            assertThat(answer(h, reply).success()).isTrue();
            assertThat(h.engine.lastIndex()).isEqualTo(4);
        }

        @Test
        @DisplayName("the answer reports the last index before the request was applied, as hashicorp does")
        void lastLogIsBeforeTheRequest() {
            EngineHarness h = follower(1, 1);
            long reply = h.receive(appendEntries(2, "s1", 2, 1, 0, entries(3, 2, 2)));
            h.persist();
            assertThat(answer(h, reply).lastLog()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("answering only what is durable")
    class Durability {

        @Test
        @DisplayName("a success answer for new entries waits for the log write; a heartbeat meanwhile is answered at once")
        void heartbeatNotHeldBack() {
            EngineHarness h = follower(1);
            long entriesReply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2)));
            long heartbeatReply = h.receive(heartbeat(2, "s1"));
            assertThat(h.response(entriesReply)).isEmpty();
            assertThat(answer(h, heartbeatReply).success()).isTrue();
            h.persist();
            assertThat(answer(h, entriesReply).success()).isTrue();
        }

        @Test
        @DisplayName("an AppendEntries without entries whose previous entry is not yet durable also waits")
        void emptyRequestOnUndurablePrevWaits() {
            EngineHarness h = follower(1);
            h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2)));
            long probe = h.receive(appendEntries(2, "s1", 3, 2, 0, List.of()));
            assertThat(h.response(probe)).isEmpty();
            h.persist();
            assertThat(answer(h, probe).success()).isTrue();
        }

        @Test
        @DisplayName("an answer waiting on entries that a later request truncates turns into a refusal")
        void truncatedBeforeDurableBecomesRefusal() {
            EngineHarness h = follower(1);
            long first = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2, 2)));
            long second = h.receive(appendEntries(3, "s3", 1, 1, 0, entries(2, 3)));
            AppendEntriesResponse refused = answer(h, first);
            assertThat(refused.success()).isFalse();
            assertThat(refused.term()).isEqualTo(3);
            h.persist();
            assertThat(answer(h, second).success()).isTrue();
            assertThat(all(h.outputs, Output.Respond.class).stream().filter(r -> r.replyTo() == first)).hasSize(1);
        }

        @Test
        @DisplayName("a failed log write asks for shutdown, and the waiting answer ends as an error, never a success "
                + "(deviation: hashicorp keeps running)")
        void logWriteFailure() {
            EngineHarness h = follower(1);
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 2)));
            h.step(new Input.LogPersistFailed(h.highestSeq(), "disk full"));
            assertThat(h.last).contains(new Output.ShutdownRequested());
            assertThat(h.response(reply)).isEmpty();
            h.step(Input.Shutdown.INSTANCE);
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).isEqualTo(RaftShutdownException.MESSAGE);
        }
    }

    @Nested
    @DisplayName("§5.3 the follower's commit index")
    class CommitIndex {

        @Test
        @DisplayName("advances to the leader's commit index when the request vouches for the entries")
        void advances() {
            EngineHarness h = follower(1);
            h.receive(appendEntries(2, "s1", 1, 1, 3, entries(2, 2, 2)));
            assertThat(h.only(Output.Commit.class)).isEqualTo(new Output.Commit(3, List.of()));
            assertThat(h.engine.commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("never decreases")
        void neverDecreases() {
            EngineHarness h = follower(1, 1, 1);
            h.receive(appendEntries(1, "s1", 3, 1, 3, List.of()));
            h.receive(appendEntries(1, "s1", 3, 1, 2, List.of()));
            assertThat(all(h.last, Output.Commit.class)).isEmpty();
            assertThat(h.engine.commitIndex()).isEqualTo(3);
        }

        @Test
        @DisplayName("heartbeats never carry it, so they never commit")
        void heartbeatsDoNotCommit() {
            EngineHarness h = follower(1, 1, 1);
            h.receive(heartbeat(1, "s1"));
            assertThat(all(h.last, Output.Commit.class)).isEmpty();
            assertThat(h.engine.commitIndex()).isZero();
        }
    }

    @Nested
    @DisplayName("malformed requests are refused and change nothing")
    class Malformed {

        @Test
        @DisplayName("entries that do not follow the previous entry contiguously")
        void gap() {
            EngineHarness h = follower(1);
            List<LogEntry> gap = List.of(EngineHarness.command(2, 2), EngineHarness.command(4, 2));
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, gap));
            Output.Respond r = h.response(reply).orElseThrow();
            assertThat(r.response()).isNull();
            assertThat(r.error()).contains("malformed");
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
            assertThat(h.term()).isEqualTo(1);
        }

        @Test
        @DisplayName("an entry whose term is above the leader's term")
        void entryTermAboveLeaderTerm() {
            EngineHarness h = follower(1);
            long reply = h.receive(appendEntries(2, "s1", 1, 1, 0, entries(2, 3)));
            assertThat(h.response(reply).orElseThrow().error()).contains("malformed");
            assertThat(all(h.last, Output.LogOperation.class)).isEmpty();
        }
    }
}
