package io.flotilla.raft.engine;

import java.util.HashSet;
import java.util.Set;

/**
 * A candidate's election in progress: the votes it needs, the votes it has, the RequestVotes it sent, and when
 * the election times out (hashicorp's {@code runCandidate}).
 */
final class Candidate {
    private final int votesNeeded;
    private final boolean leadershipTransfer;
    private final long deadline;
    private final Set<Long> asked = new HashSet<>();
    private int votes;

    Candidate(Engine engine, int votesNeeded, boolean leadershipTransfer, long deadline) {
        this.votesNeeded = votesNeeded;
        this.leadershipTransfer = leadershipTransfer;
        this.deadline = deadline;
    }

    void asked(long correlation) {
        asked.add(correlation);
    }

    boolean isAsked(long correlation) {
        return asked.remove(correlation);
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
