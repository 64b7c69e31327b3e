package io.flotilla.raft.rocksdb;

/**
 * The two ends of the log, as {@link RocksDbStore} keeps them in memory and records them in its bookkeeping
 * record; {@code first} and {@code last} are meaningless when {@code empty}.
 */
record LogBounds(long first, long last, boolean empty) {
    static final LogBounds EMPTY = new LogBounds(0, 0, true);

    long firstOrZero() {
        return empty ? 0 : first;
    }

    long lastOrZero() {
        return empty ? 0 : last;
    }

    /** These bounds after entries from {@code min} to {@code max} (unsigned) were stored. */
    LogBounds including(long min, long max) {
        if (empty) {
            return new LogBounds(min, max, false);
        }
        return new LogBounds(Long.compareUnsigned(min, first) < 0 ? min : first,
                Long.compareUnsigned(max, last) > 0 ? max : last, false);
    }

    @Override
    public String toString() {
        return empty ? "no entries" : "entries " + Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last);
    }
}
