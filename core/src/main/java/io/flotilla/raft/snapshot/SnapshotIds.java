package io.flotilla.raft.snapshot;

import java.time.Clock;

/** hashicorp's {@code snapshotName}, shared by the stores so ids look the same whichever store made them. */
final class SnapshotIds {
    private SnapshotIds() {
    }

    /** {@code <term>-<index>-<millis>}, term first, all decimal; term and index are unsigned. */
    static String next(long term, long index, Clock clock) {
        return Long.toUnsignedString(term) + "-" + Long.toUnsignedString(index) + "-" + clock.millis();
    }
}
