package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerId;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The leader's commit-index arithmetic (hashicorp's {@code commitment}): the highest index stored on a
 * majority of voters, but never below {@code startIndex}, the index of the leader's first entry of its own
 * term — so entries of earlier terms commit only through an entry of the current term (Raft §5.4.2).
 *
 * <p>Only voters count; match indexes only grow. Pure and single-threaded.
 */
public final class Commitment {
    private final long startIndex;
    private Map<ServerId, Long> matchIndexes = new HashMap<>();
    private long commitIndex;

    /**
     * @param configuration whose voters count
     * @param startIndex    the first index of the leader's term; nothing below it commits on its own
     */
    public Commitment(Configuration configuration, long startIndex) {
        this.startIndex = startIndex;
        setVoters(configuration);
    }

    /**
     * Switches to a new configuration's voters, keeping the match indexes of servers that stay voters.
     *
     * @return whether the commit index advanced
     */
    public boolean setConfiguration(Configuration configuration) {
        setVoters(configuration);
        return recalculate();
    }

    private void setVoters(Configuration configuration) {
        Map<ServerId, Long> next = new HashMap<>();
        for (Server s : configuration.servers()) {
            if (s.isVoter()) {
                next.put(s.id(), matchIndexes.getOrDefault(s.id(), 0L));
            }
        }
        matchIndexes = next;
    }

    /**
     * Records that a server has stored entries up to {@code matchIndex}. Ignored for non-voters, unknown
     * servers and values that do not increase.
     *
     * @return whether the commit index advanced
     */
    public boolean match(ServerId server, long matchIndex) {
        Long prev = matchIndexes.get(server);
        if (prev == null || matchIndex <= prev) {
            return false;
        }
        matchIndexes.put(server, matchIndex);
        return recalculate();
    }

    /** The current commit index (0 until something commits). */
    public long commitIndex() {
        return commitIndex;
    }

    /** The first index of the leader's term. */
    public long startIndex() {
        return startIndex;
    }

    /** The recorded match index of a voter, or 0. */
    public long matchIndex(ServerId server) {
        return matchIndexes.getOrDefault(server, 0L);
    }

    private boolean recalculate() {
        if (matchIndexes.isEmpty()) {
            return false;
        }
        long[] matched = matchIndexes.values().stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(matched);
        // With n voters sorted ascending, the value at (n-1)/2 is stored on at least a majority.
        long quorumMatchIndex = matched[(matched.length - 1) / 2];
        if (quorumMatchIndex > commitIndex && quorumMatchIndex >= startIndex) {
            commitIndex = quorumMatchIndex;
            return true;
        }
        return false;
    }
}
