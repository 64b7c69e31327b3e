package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RpcMessage;

import java.util.List;

/**
 * Sanity checks on requests from peers, so that a buggy or hostile sender cannot corrupt the log: values at or
 * above 2^63 (negative as Java longs), entries that do not follow the previous entry contiguously, or whose terms
 * go backwards or exceed the sender's term.
 */
final class RequestValidation {
    private RequestValidation() {
    }

    /** A description of what is wrong with the request, or {@code null} if it is well formed. */
    static String problem(RpcMessage m) {
        if (m instanceof AppendEntriesRequest a) {
            if (a.term() < 0 || a.prevLogEntry() < 0 || a.prevLogTerm() < 0 || a.leaderCommitIndex() < 0) {
                return "malformed AppendEntries: term or index out of range";
            }
            if (a.prevLogTerm() > a.term()) {
                return "malformed AppendEntries: previous log term above the leader's term";
            }
            List<LogEntry> entries = a.entries();
            if (entries != null) {
                long expected = a.prevLogEntry() + 1;
                long lastTerm = a.prevLogTerm();
                for (LogEntry e : entries) {
                    if (e.index() != expected) {
                        return "malformed AppendEntries: entry index " + e.index() + " where " + expected
                                + " was expected";
                    }
                    if (e.term() < lastTerm || e.term() > a.term()) {
                        return "malformed AppendEntries: entry term " + e.term() + " at index " + e.index()
                                + " out of order";
                    }
                    lastTerm = e.term();
                    expected++;
                }
            }
        } else if (m instanceof RequestVoteRequest v) {
            if (v.term() < 0 || v.lastLogIndex() < 0 || v.lastLogTerm() < 0) {
                return "malformed RequestVote: term or index out of range";
            }
        } else if (m instanceof InstallSnapshotRequest s) {
            if (s.term() < 0 || s.lastLogIndex() < 0 || s.lastLogTerm() < 0 || s.configurationIndex() < 0
                    || s.size() < 0) {
                return "malformed InstallSnapshot: term, index or size out of range";
            }
            if (s.lastLogIndex() == 0) {
                return "malformed InstallSnapshot: a snapshot must cover at least one entry";
            }
        }
        return null;
    }
}
