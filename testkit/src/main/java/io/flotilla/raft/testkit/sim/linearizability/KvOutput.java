package io.flotilla.raft.testkit.sim.linearizability;

/**
 * What a key-value operation returned: the value read (reads), or whether it succeeded (cas; writes always do).
 *
 * @param value the value read, {@code null} when absent (reads only)
 * @param ok    whether a cas took effect (always {@code true} for writes and reads)
 */
public record KvOutput(String value, boolean ok) {
    /** A read's result. */
    public static KvOutput read(String value) {
        return new KvOutput(value, true);
    }

    /** A write's result. */
    public static KvOutput written() {
        return new KvOutput(null, true);
    }

    /** A cas's result. */
    public static KvOutput cas(boolean ok) {
        return new KvOutput(null, ok);
    }

    @Override
    public String toString() {
        return value != null ? value : ok ? "ok" : "fail";
    }
}
