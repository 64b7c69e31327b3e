package io.flotilla.raft.engine;

import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.indexOf;
import static io.flotilla.raft.engine.EngineHarness.member;
import static io.flotilla.raft.engine.EngineHarness.peer;
import static io.flotilla.raft.engine.EngineHarness.stableLeader;
import static io.flotilla.raft.engine.EngineHarness.transferVoteRequest;
import static io.flotilla.raft.engine.EngineHarness.voteRequest;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("hashicorp: RequestVote on the receiving side")
class RequestVoteSpecTest {

    private static boolean granted(EngineHarness h, long reply) {
        return h.responseBody(reply, RequestVoteResponse.class).granted();
    }

    @Test
    @DisplayName("every RequestVote is observed before anything else happens, even one that is refused")
    void observedFirst() {
        EngineHarness h = member("s1", "s1", "s2", "s3").term(5).build();
        RequestVoteRequest req = voteRequest(2, "s2", 1, 1);
        h.receive(req);
        assertThat(h.last.get(0)).isEqualTo(new Output.Observe(req));
    }

    @Nested
    @DisplayName("the known-leader rule")
    class KnownLeader {

        @Test
        @DisplayName("a follower that knows a leader refuses other candidates without adopting their higher term")
        void refusesWhileLeaderKnown() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s2"));
            long reply = h.receive(voteRequest(5, "s3", 10, 1));
            assertThat(granted(h, reply)).isFalse();
            assertThat(h.responseBody(reply, RequestVoteResponse.class).term()).isEqualTo(1);
            assertThat(h.term()).isEqualTo(1);
            assertThat(all(h.last, Output.PersistTerm.class)).isEmpty();
        }

        @Test
        @DisplayName("the rule does not stop the known leader's own RequestVote")
        void leaderItselfMayAsk() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s2"));
            long reply = h.receive(voteRequest(2, "s2", 1, 1));
            assertThat(granted(h, reply)).isTrue();
        }

        @Test
        @DisplayName("the rule is waived for a RequestVote flagged as a leadership transfer")
        void waivedForTransfer() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(heartbeat(1, "s2"));
            long reply = h.receive(transferVoteRequest(2, "s3", 1, 1));
            assertThat(granted(h, reply)).isTrue();
            assertThat(h.term()).isEqualTo(2);
        }

        @Test
        @DisplayName("a leader knows itself as leader: it refuses a higher-term RequestVote and keeps leading")
        void leaderRefuses() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            long reply = h.receive(voteRequest(5, "s2", 2, 2));
            assertThat(granted(h, reply)).isFalse();
            assertThat(h.state()).isEqualTo(RaftState.LEADER);
            assertThat(h.term()).isEqualTo(2);
        }

        @Test
        @DisplayName("a leader steps down for, and votes for, an up-to-date leadership-transfer candidate of a higher term")
        void leaderGrantsTransfer() {
            EngineHarness h = stableLeader("s1", "s2", "s3");
            long reply = h.receive(transferVoteRequest(3, "s2", 2, 2));
            assertThat(granted(h, reply)).isTrue();
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.last).contains(new Output.LeadershipChanged(false), new Output.PersistTerm(3));
        }
    }

    @Nested
    @DisplayName("§5.2 each server votes for at most one candidate per term")
    class OneVotePerTerm {

        @Test
        @DisplayName("after granting a vote, another candidate of the same term is refused")
        void secondCandidateRefused() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long first = h.receive(voteRequest(2, "s2", 1, 1));
            long second = h.receive(voteRequest(2, "s3", 1, 1));
            assertThat(granted(h, first)).isTrue();
            assertThat(granted(h, second)).isFalse();
        }

        @Test
        @DisplayName("the same candidate asking again in the same term is granted again, persisting nothing new")
        void sameCandidateRegranted() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(voteRequest(2, "s2", 1, 1));
            long again = h.receive(voteRequest(2, "s2", 1, 1));
            assertThat(granted(h, again)).isTrue();
            assertThat(all(h.last, Output.PersistVote.class)).isEmpty();
            assertThat(all(h.last, Output.PersistTerm.class)).isEmpty();
        }

        @Test
        @DisplayName("a vote persisted before a restart still binds the restarted server")
        void restoredVoteBinds() {
            EngineHarness h = member("s1", "s1", "s2", "s3").term(2).votedFor(2, "s2").build();
            long other = h.receive(voteRequest(2, "s3", 1, 1));
            long same = h.receive(voteRequest(2, "s2", 1, 1));
            assertThat(granted(h, other)).isFalse();
            assertThat(granted(h, same)).isTrue();
        }

        @Test
        @DisplayName("a candidate has voted for itself: it refuses another candidate of its term")
        void candidateRefusesRival() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            long reply = h.receive(voteRequest(2, "s2", 1, 1));
            assertThat(granted(h, reply)).isFalse();
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }

        @Test
        @DisplayName("a candidate grants an up-to-date candidate of a higher term and returns to follower")
        void candidateGrantsHigherTerm() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.fireNextTimer();
            long reply = h.receive(voteRequest(3, "s2", 1, 1));
            assertThat(granted(h, reply)).isTrue();
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
            assertThat(h.term()).isEqualTo(3);
        }

        @Test
        @DisplayName("the vote (term, then candidate) is persisted before the response that grants it leaves")
        void votePersistedBeforeResponse() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long reply = h.receive(voteRequest(2, "s2", 1, 1));
            int vote = indexOf(h.last, o -> o instanceof Output.PersistVote v && v.term() == 2);
            int respond = indexOf(h.last, o -> o instanceof Output.Respond r && r.replyTo() == reply);
            assertThat(vote).isGreaterThanOrEqualTo(0).isLessThan(respond);
            assertThat(((Output.PersistVote) h.last.get(vote)).candidate()).isEqualTo(peer("s2"));
        }
    }

    @Test
    @DisplayName("a higher term is adopted even when the vote is then refused for an out-of-date log")
    void higherTermAdoptedWhenRefused() {
        EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 2).build();
        long reply = h.receive(voteRequest(5, "s2", 1, 1));
        RequestVoteResponse resp = h.responseBody(reply, RequestVoteResponse.class);
        assertThat(resp.granted()).isFalse();
        assertThat(resp.term()).isEqualTo(5);
        assertThat(h.term()).isEqualTo(5);
        assertThat(h.last).contains(new Output.PersistTerm(5));
        assertThat(all(h.last, Output.PersistVote.class)).isEmpty();
    }

    @Nested
    @DisplayName("what counts as leader contact for the follower timer")
    class Contact {

        @Test
        @DisplayName("a freshly granted vote postpones the voter's own election")
        void grantedVotePostponesElection() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            long deadline = h.engine.nextDeadline();
            h.now = deadline - EngineHarness.MS;
            long reply = h.receive(voteRequest(2, "s2", 1, 1));
            assertThat(granted(h, reply)).isTrue();
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.FOLLOWER);
        }

        @Test
        @DisplayName("a refused vote does not postpone the election")
        void refusedVoteDoesNot() {
            EngineHarness h = member("s1", "s1", "s2", "s3").log(1, 1, 2).term(2).build();
            long deadline = h.engine.nextDeadline();
            h.now = deadline - EngineHarness.MS;
            long reply = h.receive(voteRequest(3, "s2", 1, 1));
            assertThat(granted(h, reply)).isFalse();
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }

        @Test
        @DisplayName("re-granting the same vote is not contact either")
        void regrantIsNotContact() {
            EngineHarness h = member("s1", "s1", "s2", "s3").build();
            h.receive(voteRequest(2, "s2", 1, 1));
            long deadline = h.engine.nextDeadline();
            h.now = deadline - EngineHarness.MS;
            long again = h.receive(voteRequest(2, "s2", 1, 1));
            assertThat(granted(h, again)).isTrue();
            h.tickAt(deadline);
            assertThat(h.state()).isEqualTo(RaftState.CANDIDATE);
        }
    }
}
