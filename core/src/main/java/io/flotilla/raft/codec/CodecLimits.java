package io.flotilla.raft.codec;

/**
 * Caps on what a decoder will believe from a peer before allocating or looping: a declared length is checked
 * against these before any memory is reserved for it, so hostile input costs at most what it actually sends.
 *
 * @param maxByteStringLength longest single string or byte array (e.g. an entry's {@code Data})
 * @param maxEntries          most log entries in one AppendEntries request
 * @param maxCollectionLength most elements in any other array or map: struct maps, configuration servers,
 *                            legacy peers, and containers skipped as unknown values
 * @param maxNestingDepth     deepest nesting of an unknown value being skipped (at most
 *                            {@value #MAX_NESTING_DEPTH}, since skipping recurses)
 * @param maxMessageBytes     most msgpack bytes in one message, checked before each declared length and at
 *                            each struct field, so a message can overrun it only by one scalar (the
 *                            InstallSnapshot data that follows its header is not part of the message)
 */
public record CodecLimits(int maxByteStringLength, int maxEntries, int maxCollectionLength, int maxNestingDepth,
                          long maxMessageBytes) {

    /**
     * Generous for any real cluster (hashicorp sends at most 1024 entries per request by configuration) yet
     * small enough that a lying length prefix cannot exhaust a default JVM heap.
     */
    public static final CodecLimits DEFAULT = new CodecLimits(64 << 20, 1 << 16, 1 << 16, 32, 256L << 20);

    /** The highest {@code maxNestingDepth} allowed: deeper skipping could overflow the thread's stack. */
    public static final int MAX_NESTING_DEPTH = 512;

    /** Rejects non-positive limits and a nesting depth over {@link #MAX_NESTING_DEPTH}. */
    public CodecLimits {
        requirePositive(maxByteStringLength, "maxByteStringLength");
        requirePositive(maxEntries, "maxEntries");
        requirePositive(maxCollectionLength, "maxCollectionLength");
        requirePositive(maxNestingDepth, "maxNestingDepth");
        requirePositive(maxMessageBytes, "maxMessageBytes");
        if (maxNestingDepth > MAX_NESTING_DEPTH) {
            throw new IllegalArgumentException("maxNestingDepth must be at most " + MAX_NESTING_DEPTH);
        }
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
