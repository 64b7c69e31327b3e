package io.flotilla.raft.testkit.sim;

/** A broken safety invariant (or a broken engine contract) found by the simulator; ends the run. */
public final class Violation extends RuntimeException {
    private final String invariant;

    Violation(String invariant, String message) {
        super(invariant + ": " + message);
        this.invariant = invariant;
    }

    /** The name of the invariant that failed, e.g. {@code election-safety}. */
    public String invariant() {
        return invariant;
    }
}
