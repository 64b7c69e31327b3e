package io.flotilla.raft;

import java.util.List;

/**
 * An {@link Fsm} that applies committed entries in batches (hashicorp's {@code BatchingFSM}). It receives the
 * {@link LogType#COMMAND} and {@link LogType#CONFIGURATION} entries in order, without gaps, up to
 * {@code maxAppendEntries} at a time, and must return exactly one response per entry.
 */
public interface BatchingFsm extends Fsm {
    /**
     * Applies a batch of committed entries.
     *
     * @return one response per entry, in order (the list may contain {@code null}s)
     */
    List<Object> applyBatch(List<LogEntry> entries);
}
