package io.flotilla.raft;

/**
 * The role a node currently plays. Codes follow hashicorp's {@code RaftState}.
 */
public enum RaftState {
    /** Follows a leader (or waits for one). */
    FOLLOWER(0, "Follower"),
    /** Campaigning to become leader. */
    CANDIDATE(1, "Candidate"),
    /** Leads the cluster. */
    LEADER(2, "Leader"),
    /** Stopped for good. */
    SHUTDOWN(3, "Shutdown");

    private final int code;
    private final String label;

    RaftState(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** hashicorp's numeric value. */
    public int code() {
        return code;
    }

    /** The Go name: {@code Follower}, {@code Candidate}, {@code Leader} or {@code Shutdown}. */
    @Override
    public String toString() {
        return label;
    }
}
