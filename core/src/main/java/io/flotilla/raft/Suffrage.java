package io.flotilla.raft;

/**
 * Whether a server's vote counts. The numeric codes are written into the log (configuration entries)
 * and must never be renumbered.
 */
public enum Suffrage {
    /** Votes in elections and counts toward commitment. */
    VOTER(0, "Voter"),
    /** Receives the log but never votes. */
    NONVOTER(1, "Nonvoter"),
    /** Catching up before becoming a voter (hashicorp 1.1.2 never produces it; it is understood). */
    STAGING(2, "Staging");

    private final int code;
    private final String label;

    Suffrage(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The numeric value used in encoded configurations. */
    public int code() {
        return code;
    }

    /**
     * The suffrage for a numeric code.
     *
     * @throws IllegalArgumentException if the code is not a known suffrage
     */
    public static Suffrage fromCode(long code) {
        for (Suffrage s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown suffrage " + code);
    }

    /** The Go name: {@code Voter}, {@code Nonvoter} or {@code Staging}. */
    @Override
    public String toString() {
        return label;
    }
}
