package io.flotilla.raft.engine;

import io.flotilla.raft.RaftState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.flotilla.raft.engine.EngineHarness.COMMIT;
import static io.flotilla.raft.engine.EngineHarness.HEARTBEAT;
import static io.flotilla.raft.engine.EngineHarness.LEASE;
import static io.flotilla.raft.engine.EngineHarness.MS;
import static io.flotilla.raft.engine.EngineHarness.entriesTo;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.heartbeats;
import static io.flotilla.raft.engine.EngineHarness.member;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("hashicorp §3.1: timers and randomization (fake clock)")
class TimersSpecTest {

    private static final int SEEDS = 40;

    /** A stable leader of three voters with the given lease, elected with the given seed. */
    private static EngineHarness leader(long seed, long lease) {
        EngineHarness h = member("s1", "s1", "s2", "s3").seed(seed).lease(lease).build();
        h.electLeader();
        h.persist();
        h.ackAllEntries();
        return h;
    }

    /** hashicorp's backoff(10ms, n, 12). */
    private static long backoff(int failures) {
        long wait = 10 * MS;
        for (int p = Math.min(failures, 12); p > 2; p--) {
            wait *= 2;
        }
        return wait;
    }

    @Nested
    @DisplayName("the follower timer")
    class FollowerTimer {

        @Test
        @DisplayName("fires uniformly in [HeartbeatTimeout, 2·HeartbeatTimeout) after it is armed, differently per seed")
        void range() {
            Set<Long> seen = new HashSet<>();
            for (long seed = 1; seed <= SEEDS; seed++) {
                EngineHarness h = member("s1", "s1", "s2", "s3").seed(seed).build();
                long wait = h.engine.nextDeadline() - h.now;
                assertThat(wait).isBetween(HEARTBEAT, 2 * HEARTBEAT - 1);
                seen.add(wait);
            }
            assertThat(seen).hasSizeGreaterThan(SEEDS / 2);
        }

        @Test
        @DisplayName("is not reset by leader contact; when it fires after recent contact it re-arms in "
                + "[HeartbeatTimeout, 2·HeartbeatTimeout) from then")
        void notResetByContact() {
            for (long seed = 1; seed <= SEEDS; seed++) {
                EngineHarness h = member("s1", "s1", "s2", "s3").seed(seed).build();
                long deadline = h.engine.nextDeadline();
                h.now = deadline - MS;
                h.receive(heartbeat(1, "s2"));
                assertThat(h.engine.nextDeadline()).isEqualTo(deadline);
                h.tickAt(deadline);
                assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
                assertThat(h.engine.nextDeadline() - deadline).isBetween(HEARTBEAT, 2 * HEARTBEAT - 1);
            }
        }

        @Test
        @DisplayName("hence a follower campaigns between one and three HeartbeatTimeouts after the last contact "
                + "(hashicorp's peculiarity: contact just under a timeout before the timer fires costs another timer)")
        void oneToThreeTimeouts() {
            for (long seed = 1; seed <= SEEDS; seed++) {
                EngineHarness h = member("s1", "s1", "s2", "s3").seed(seed).build();
                long first = h.engine.nextDeadline();
                h.now = first - MS;
                h.receive(heartbeat(1, "s2"));
                h.tickAt(first);
                long second = h.engine.nextDeadline();
                // Best case: contact right after the re-arm; the next firing finds it a full timer old.
                EngineHarness early = member("s1", "s1", "s2", "s3").seed(seed).build();
                early.now = first - MS;
                early.receive(heartbeat(1, "s2"));
                early.tickAt(first);
                early.receive(heartbeat(1, "s2"));
                long earlyContact = early.now;
                early.runUntil(earlyContact + 4 * HEARTBEAT, x -> x.state() == RaftState.CANDIDATE);
                assertThat(early.now - earlyContact).isBetween(HEARTBEAT, 2 * HEARTBEAT - 1);
                // Worst case: contact just under one timeout before the timer fires; the timer fires, re-arms, and
                // only the one after that starts the election.
                h.now = second - HEARTBEAT + MS;
                h.receive(heartbeat(1, "s2"));
                long lateContact = h.now;
                h.tickAt(second);
                assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
                h.runUntil(lateContact + 4 * HEARTBEAT, x -> x.state() == RaftState.CANDIDATE);
                assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
                assertThat(h.now - lateContact).isBetween(2 * HEARTBEAT - MS, 3 * HEARTBEAT - 1);
            }
        }
    }

    @Nested
    @DisplayName("the leader's timers")
    class LeaderTimers {

        @Test
        @DisplayName("heartbeats go out every [HeartbeatTimeout/10, HeartbeatTimeout/5) once the previous one is answered")
        void heartbeatInterval() {
            for (long seed = 1; seed <= SEEDS; seed++) {
                EngineHarness h = leader(seed, LEASE);
                h.tick();
                long sent = h.now;
                Output.Send hb = heartbeats(h.last).stream().filter(s -> s.peer().id().value().equals("s2"))
                        .findFirst().orElseThrow();
                h.ackHeartbeat(hb);
                h.runUntil(sent + HEARTBEAT, x -> !heartbeats(x.last).stream()
                        .filter(s -> s.peer().id().value().equals("s2")).toList().isEmpty());
                assertThat(h.now - sent).isBetween(HEARTBEAT / 10, HEARTBEAT / 5 - 1);
            }
        }

        @Test
        @DisplayName("no new heartbeat goes to a follower while the previous one is unanswered")
        void oneHeartbeatOutstanding() {
            EngineHarness h = leader(1, LEASE);
            h.tick();
            long sent = h.now;
            List<Output> run = h.runUntil(sent + 4 * LEASE / 5);
            assertThat(heartbeats(run)).isEmpty();
        }

        @Test
        @DisplayName("with nothing new to send, the commit index is pushed every [CommitTimeout, 2·CommitTimeout)")
        void commitPushInterval() {
            for (long seed = 1; seed <= SEEDS; seed++) {
                EngineHarness h = leader(seed, LEASE);
                long previous = h.now;
                for (int push = 0; push < 3; push++) {
                    h.runUntil(previous + 3 * COMMIT, x -> !entriesTo(x.last, "s2").isEmpty());
                    Output.SendEntries s = entriesTo(h.last, "s2").get(0);
                    assertThat(h.now - previous).isBetween(COMMIT, 2 * COMMIT - 1);
                    assertThat(s.toIndex()).isLessThan(s.fromIndex());
                    assertThat(s.template().leaderCommitIndex()).isEqualTo(2);
                    previous = h.now;
                }
            }
        }

        @Test
        @DisplayName("after n consecutive AppendEntries failures the leader waits 10ms·2^(n−2) (n ≥ 2), capped at n = 12")
        void appendEntriesBackoff() {
            EngineHarness h = leader(3, Long.MAX_VALUE / 4);
            List<Output> proposed = h.propose(1);
            Output.SendEntries attempt = entriesTo(proposed, "s2").get(0);
            for (int n = 1; n <= 14; n++) {
                h.failRpc(attempt, Input.FailureKind.TRANSPORT);
                long failedAt = h.now;
                h.runUntil(failedAt + 20_000 * MS, x -> !entriesTo(x.last, "s2").isEmpty());
                assertThat(h.now - failedAt).as("wait after failure %d", n).isEqualTo(backoff(n));
                attempt = entriesTo(h.last, "s2").get(0);
            }
            assertThat(backoff(12)).isEqualTo(10_240 * MS);
        }

        @Test
        @DisplayName("after n consecutive heartbeat failures the next heartbeat waits 10ms·2^(n−2), capped at n = 12; "
                + "a success resets the count")
        void heartbeatBackoff() {
            EngineHarness h = leader(5, Long.MAX_VALUE / 4);
            h.tick();
            Output.Send hb = heartbeats(h.last).stream().filter(s -> s.peer().id().value().equals("s2"))
                    .findFirst().orElseThrow();
            for (int n = 1; n <= 13; n++) {
                h.failRpc(hb, Input.FailureKind.TRANSPORT);
                long failedAt = h.now;
                h.runUntil(failedAt + 20_000 * MS, x -> heartbeats(x.last).stream()
                        .anyMatch(s -> s.peer().id().value().equals("s2")));
                assertThat(h.now - failedAt).as("wait after failure %d", n).isEqualTo(backoff(n));
                hb = heartbeats(h.last).stream().filter(s -> s.peer().id().value().equals("s2")).findFirst()
                        .orElseThrow();
            }
            h.ackHeartbeat(hb);
            long okAt = h.now;
            h.runUntil(okAt + HEARTBEAT, x -> heartbeats(x.last).stream()
                    .anyMatch(s -> s.peer().id().value().equals("s2")));
            hb = heartbeats(h.last).stream().filter(s -> s.peer().id().value().equals("s2")).findFirst().orElseThrow();
            h.failRpc(hb, Input.FailureKind.TRANSPORT);
            long failedAt = h.now;
            h.runUntil(failedAt + 20_000 * MS, x -> heartbeats(x.last).stream()
                    .anyMatch(s -> s.peer().id().value().equals("s2")));
            assertThat(h.now - failedAt).isEqualTo(backoff(1));
        }
    }

    @Nested
    @DisplayName("the leader lease check")
    class LeaseCheck {

        @Test
        @DisplayName("first runs LeaderLeaseTimeout after taking office, then re-arms at max(lease − maxDiff, 10ms): "
                + "with no contact at all the leader steps down 10ms after the lease ran out")
        void noContact() {
            EngineHarness h = leader(1, LEASE);
            long start = h.now;
            h.runUntil(start + 2 * LEASE, x -> x.state() != RaftState.LEADER);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.now - start).isEqualTo(LEASE + 10 * MS);
        }

        @Test
        @DisplayName("contact 100ms in moves the check to lease + (lease − 400ms) and the step-down to 610ms")
        void rearmAfterContact() {
            EngineHarness h = leader(1, LEASE);
            long start = h.now;
            h.tickAt(start + 100 * MS);
            for (Output.Send hb : heartbeats(h.last)) {
                h.ackHeartbeat(hb);
            }
            h.runUntil(start + 3 * LEASE, x -> x.state() != RaftState.LEADER);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.now - start).isEqualTo(600 * MS + 10 * MS);
        }
    }
}
