package io.flotilla.raft.testkit.sim.linearizability;

import java.util.Objects;

/**
 * One client operation of a history: what was asked, what came back, and when it was called and returned (any
 * monotonic clock, same unit for every operation). An operation whose outcome is unknown — the client timed out,
 * the server crashed — has no output and returns at {@link #UNKNOWN_RETURN}: it may or may not have taken effect,
 * at any time after its call.
 *
 * @param client     who issued it (for reports only; the checker does not assume clients are sequential)
 * @param input      what was asked
 * @param output     what came back, or {@code null} when the outcome is unknown
 * @param callTime   when it was invoked
 * @param returnTime when it returned, or {@link #UNKNOWN_RETURN}
 * @param <I>        input type
 * @param <O>        output type
 */
public record Operation<I, O>(int client, I input, O output, long callTime, long returnTime) {
    /** The return time of an operation whose outcome is unknown: it is pending forever. */
    public static final long UNKNOWN_RETURN = Long.MAX_VALUE;

    /** Rejects a {@code null} input and a return before the call. */
    public Operation {
        Objects.requireNonNull(input, "input");
        if (returnTime < callTime) {
            throw new IllegalArgumentException("operation returns (" + returnTime + ") before it is called ("
                    + callTime + ")");
        }
    }

    /** A completed operation. */
    public static <I, O> Operation<I, O> of(int client, I input, O output, long callTime, long returnTime) {
        return new Operation<>(client, input, Objects.requireNonNull(output, "output"), callTime, returnTime);
    }

    /** An operation whose outcome is unknown: it may have taken effect at any time after {@code callTime}, or never. */
    public static <I, O> Operation<I, O> unknown(int client, I input, long callTime) {
        return new Operation<>(client, input, null, callTime, UNKNOWN_RETURN);
    }

    /** Whether the outcome is unknown. */
    public boolean isUnknown() {
        return returnTime == UNKNOWN_RETURN;
    }

    @Override
    public String toString() {
        return "c" + client + " " + input + " -> " + (isUnknown() ? "?" : String.valueOf(output)) + " ["
                + callTime + ", " + (isUnknown() ? "inf" : String.valueOf(returnTime)) + "]";
    }
}
