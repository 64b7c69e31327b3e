package io.flotilla.raft.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * A candidate's election in progress: the votes it needs, the votes it has, the RequestVotes it sent, and when
 * the election times out (hashicorp's {@code runCandidate}).
 */
final class Candidate {
    private final int votesNeeded;
    private final boolean leadershipTransfer;
    private final long deadline;
    /** RequestVotes in flight: correlation to the time they were sent. */
    private final Map<Long, Long> asked = new HashMap<>();
    private int votes;

    Candidate(Engine engine, int votesNeeded, boolean leadershipTransfer, long deadline) {
        this.votesNeeded = votesNeeded;
        this.leadershipTransfer = leadershipTransfer;
        this.deadline = deadline;
    }

    void asked(long correlation, long now) {
        asked.put(correlation, now);
    }

    /** Removes a RequestVote from those in flight; returns when it was sent, or -1 if it was not ours. */
    long answered(long correlation) {
        Long sentAt = asked.remove(correlation);
        return sentAt == null ? -1 : sentAt;
    }

    void granted() {
        votes++;
    }

    boolean won() {
        return votes >= votesNeeded;
    }

    int votes() {
        return votes;
    }

    long deadline() {
        return deadline;
    }

    boolean leadershipTransfer() {
        return leadershipTransfer;
    }
}
