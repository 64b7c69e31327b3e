package io.flotilla.raft.testkit.sim.linearizability;

import java.util.List;

/**
 * The verdict of a linearizability check.
 *
 * @param outcome     linearizable, not, or undecided within the search budget
 * @param part        for a failure: which part of the history (e.g. "key=x") has no linearization
 * @param operations  for a failure: that part's operations, in call order
 * @param longestPrefix for a failure: the longest sequence of operations (in linearization order) that could be
 *                    linearized before the search got stuck
 * @param statesExplored how many (linearized set, state) pairs the search visited in total
 * @param <I> input type
 * @param <O> output type
 */
public record CheckResult<I, O>(Outcome outcome, String part, List<Operation<I, O>> operations,
                                List<Operation<I, O>> longestPrefix, long statesExplored) {
    /** What the checker concluded. */
    public enum Outcome {
        /** A linearization exists for every part. */
        LINEARIZABLE,
        /** Some part has no linearization. */
        NOT_LINEARIZABLE,
        /** The search budget ran out before a verdict. */
        UNKNOWN
    }

    /** Whether the history is linearizable. */
    public boolean isLinearizable() {
        return outcome == Outcome.LINEARIZABLE;
    }

    /** A readable explanation of a failure (empty for success). */
    public String describe() {
        if (outcome == Outcome.LINEARIZABLE) {
            return "linearizable (" + statesExplored + " states explored)";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(outcome == Outcome.UNKNOWN ? "undecided (search budget exhausted) in " : "not linearizable: ")
                .append(part).append('\n');
        sb.append("  operations of ").append(part).append(" (call order):\n");
        for (Operation<I, O> op : operations) {
            sb.append("    ").append(op).append('\n');
        }
        sb.append("  longest linearizable prefix:\n");
        for (Operation<I, O> op : longestPrefix) {
            sb.append("    ").append(op).append('\n');
        }
        return sb.toString();
    }
}
