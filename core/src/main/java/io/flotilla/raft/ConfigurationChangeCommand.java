package io.flotilla.raft;

/**
 * The kinds of membership change a leader can be asked to make. Numeric codes follow hashicorp's
 * {@code ConfigurationChangeCommand}.
 */
public enum ConfigurationChangeCommand {
    /** Add a server as a voter (hashicorp 1.1.2 makes it a voter at once; staging is not implemented). */
    ADD_STAGING(0, "AddStaging"),
    /** Add a server that receives the log but does not vote. */
    ADD_NONVOTER(1, "AddNonvoter"),
    /** Take a server's vote away, keeping it as a non-voter. */
    DEMOTE_VOTER(2, "DemoteVoter"),
    /** Remove a server from the configuration. */
    REMOVE_SERVER(3, "RemoveServer"),
    /** Make a staging server a voter (never issued by hashicorp 1.1.2). */
    PROMOTE(4, "Promote");

    private final int code;
    private final String label;

    ConfigurationChangeCommand(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The numeric value hashicorp uses. */
    public int code() {
        return code;
    }

    /** The Go name, for logs. */
    @Override
    public String toString() {
        return label;
    }
}
