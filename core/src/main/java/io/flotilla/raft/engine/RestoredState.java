package io.flotilla.raft.engine;

import io.flotilla.raft.internal.Bytes;

import java.util.List;
import java.util.Objects;

/**
 * What a node recovered from its stores at startup, from which the engine starts (hashicorp's {@code NewRaft}
 * scan): the persisted term and vote, the newest snapshot, the log's extent and terms, and the configurations
 * found in snapshot and log.
 *
 * @param currentTerm       stable key {@code CurrentTerm}
 * @param lastVoteTerm      stable key {@code LastVoteTerm}
 * @param lastVoteCandidate stable key {@code LastVoteCand}, or {@code null}
 * @param snapshotIndex     last index of the newest usable snapshot, or 0
 * @param snapshotTerm      its term
 * @param firstIndex        first log index (0 when the log is empty)
 * @param lastIndex         last log index (0 when the log is empty)
 * @param termRuns          {@code (firstIndexOfRun, term)} pairs covering the log, in order
 * @param configurations    latest and committed configurations
 */
public record RestoredState(long currentTerm, long lastVoteTerm, byte[] lastVoteCandidate, long snapshotIndex,
                            long snapshotTerm, long firstIndex, long lastIndex, List<long[]> termRuns,
                            Configurations configurations) {
    /** A brand-new node with nothing stored. */
    public static final RestoredState EMPTY = new RestoredState(0, 0, null, 0, 0, 0, 0, List.of(),
            Configurations.NONE);

    /** Copies the arrays. */
    public RestoredState {
        Objects.requireNonNull(configurations, "configurations");
        lastVoteCandidate = Bytes.copy(lastVoteCandidate);
        termRuns = termRuns.stream().map(long[]::clone).toList();
    }

    /** A copy of the vote's candidate bytes, or {@code null}. */
    @Override
    public byte[] lastVoteCandidate() {
        return Bytes.copy(lastVoteCandidate);
    }

    /** Whether anything at all was stored (hashicorp's {@code HasExistingState}, minus the snapshot list). */
    public boolean hasState() {
        return currentTerm > 0 || lastIndex > 0 || snapshotIndex > 0;
    }
}
