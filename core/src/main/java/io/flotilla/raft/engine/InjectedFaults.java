package io.flotilla.raft.engine;

import java.util.EnumSet;
import java.util.Set;

/**
 * Deliberate protocol bugs that the deterministic simulator can switch on to prove it catches them. Only the
 * package-private {@link Engine} constructor accepts them, and only the simulator (which lives in this
 * package in the testkit) calls it: the runtime and every public API always run with {@link #NONE}.
 */
final class InjectedFaults {
    /** The bugs that exist. */
    enum Bug {
        /** Grant votes without checking that the candidate's log is at least as up to date. */
        SKIP_VOTE_UP_TO_DATE_CHECK,
        /** Let a leader commit an entry of an earlier term by counting replicas (Raft §5.4.2's trap). */
        COMMIT_EARLIER_TERM_BY_COUNT,
        /** Send the vote before it is persisted, so a crash can make a node vote twice in one term. */
        ANSWER_VOTE_BEFORE_PERSISTING,
        /**
         * Let a follower take the leader's commit index from an AppendEntries it rejects because the previous entry
         * does not match (the commit update placed before the consistency check), committing its own stale entries.
         */
        COMMIT_FOLLOWER_ON_MISMATCH
    }

    static final InjectedFaults NONE = new InjectedFaults(EnumSet.noneOf(Bug.class));

    private final Set<Bug> bugs;

    InjectedFaults(Set<Bug> bugs) {
        this.bugs = bugs.isEmpty() ? EnumSet.noneOf(Bug.class) : EnumSet.copyOf(bugs);
    }

    boolean skipVoteUpToDateCheck() {
        return bugs.contains(Bug.SKIP_VOTE_UP_TO_DATE_CHECK);
    }

    boolean commitEarlierTermByCount() {
        return bugs.contains(Bug.COMMIT_EARLIER_TERM_BY_COUNT);
    }

    boolean answerVoteBeforePersisting() {
        return bugs.contains(Bug.ANSWER_VOTE_BEFORE_PERSISTING);
    }

    boolean commitFollowerOnMismatch() {
        return bugs.contains(Bug.COMMIT_FOLLOWER_ON_MISMATCH);
    }
}
