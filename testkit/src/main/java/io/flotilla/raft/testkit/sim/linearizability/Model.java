package io.flotilla.raft.testkit.sim.linearizability;

import java.util.List;
import java.util.Optional;

/**
 * A sequential specification for the linearizability checker: an initial state and a step function that says
 * whether an operation with a given input could have produced a given output in a state, and what state follows.
 * States must be immutable values with {@code equals}/{@code hashCode} (the checker memoises on them).
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
public interface Model<S, I, O> {
    /** The state before any operation. */
    S initialState();

    /**
     * The state after applying the operation in {@code state}, or empty if the operation could not have returned
     * {@code output} from that state. {@code output} is {@code null} for an operation whose outcome is unknown: any
     * output is acceptable then, and the effect is the one the operation would have had.
     */
    Optional<S> step(S state, I input, O output);

    /**
     * Splits a history into independent sub-histories that can be checked separately (P-compositionality: a
     * history is linearizable iff each part is), e.g. one per key. The default keeps one part.
     */
    default List<List<Operation<I, O>>> partition(List<Operation<I, O>> history) {
        return List.of(history);
    }

    /** A short description of one part, for reports (e.g. "key=x"). */
    default String describePart(List<Operation<I, O>> part) {
        return "history";
    }
}
