package io.flotilla.kv;

import io.flotilla.raft.AbortedByRestoreException;
import io.flotilla.raft.EnqueueTimeoutException;
import io.flotilla.raft.LeadershipLostException;
import io.flotilla.raft.LeadershipTransferInProgressException;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.UnsupportedProtocolException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How a failed Raft operation is answered over HTTP: status and error text, exactly as the Go node chooses them
 * (its README §3.3). The text tells a client whether the operation was certainly not applied
 * ({@code node is not the leader}, {@code ...; not applied}) or may have been ({@code outcome unknown: ...}).
 *
 * @param status      the HTTP status
 * @param message     the {@code error} text
 * @param leaderHints whether the answer carries {@code leader_id} and {@code leader_addr} (every 503 and 504)
 */
record RaftFailure(int status, String message, boolean leaderHints) {

    /** The node's own wait for Raft ran out (the Go node's {@code errWaitTimeout}). */
    static final class WaitTimeoutException extends RuntimeException {
        WaitTimeoutException() {
            super("timed out waiting for raft", null, false, false);
        }
    }

    /**
     * Maps a failure.
     *
     * @param error    what the future failed with (wrappers are looked through)
     * @param mutating whether the call changes the log (a write or a membership change): then a failure after the
     *                 request was accepted means the outcome is unknown
     */
    static RaftFailure of(Throwable error, boolean mutating) {
        Throwable e = unwrap(error);
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int status = 503;
        if (e instanceof NotLeaderException) {
            msg = NotLeaderException.MESSAGE;
        } else if (e instanceof LeadershipTransferInProgressException || e instanceof EnqueueTimeoutException) {
            if (mutating) {
                msg += "; not applied";
            }
        } else if (e instanceof UnsupportedProtocolException) {
            status = 400;
            if (mutating) {
                msg += "; not applied";
            }
        } else if (e instanceof WaitTimeoutException) {
            status = 504;
            if (mutating) {
                msg = "outcome unknown: timed out waiting for the entry to commit and apply; it may still be applied";
            }
        } else if (e instanceof LeadershipLostException || e instanceof RaftShutdownException
                || e instanceof AbortedByRestoreException) {
            if (mutating) {
                msg = "outcome unknown: " + msg + "; the entry may or may not be applied";
            }
        } else {
            status = 500;
            if (mutating) {
                msg = "outcome unknown: " + msg;
            }
        }
        return new RaftFailure(status, msg, status == 503 || status == 504);
    }

    /** The cause inside {@link CompletionException} and {@link ExecutionException} wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
