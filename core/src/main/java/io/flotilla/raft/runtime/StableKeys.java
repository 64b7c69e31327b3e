package io.flotilla.raft.runtime;

import java.nio.charset.StandardCharsets;

/** The stable-store keys Raft uses, byte for byte hashicorp's, so data directories carry over. */
public final class StableKeys {
    /** The current term. */
    public static final byte[] CURRENT_TERM = "CurrentTerm".getBytes(StandardCharsets.UTF_8);
    /** The term of the last vote cast. */
    public static final byte[] LAST_VOTE_TERM = "LastVoteTerm".getBytes(StandardCharsets.UTF_8);
    /** The candidate of the last vote cast (its encoded address). */
    public static final byte[] LAST_VOTE_CAND = "LastVoteCand".getBytes(StandardCharsets.UTF_8);

    private StableKeys() {
    }
}
