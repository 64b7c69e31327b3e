package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;

import java.util.Objects;

/**
 * The two configurations every server tracks (Raft §6, hashicorp's {@code configurations}): the latest one,
 * which takes effect as soon as it is appended to the log, and the last committed one. At most one
 * uncommitted configuration exists at a time. Immutable; each transition returns a new value.
 *
 * @param committed      the latest configuration known to be committed
 * @param committedIndex its log index
 * @param latest         the latest configuration in the log, possibly uncommitted
 * @param latestIndex    its log index
 */
public record Configurations(Configuration committed, long committedIndex, Configuration latest, long latestIndex) {

    /** No configuration at all: a fresh server before bootstrap or joining. */
    public static final Configurations NONE = new Configurations(Configuration.EMPTY, 0, Configuration.EMPTY, 0);

    /** Rejects {@code null} configurations. */
    public Configurations {
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(latest, "latest");
    }

    /** Both slots set to one configuration, as after restoring a snapshot. */
    public static Configurations of(Configuration configuration, long index) {
        return new Configurations(configuration, index, configuration, index);
    }

    /**
     * A configuration entry was appended at {@code index}: the previous latest becomes the committed one
     * (only one may be uncommitted, so it must have committed) and the new one is latest.
     */
    public Configurations appended(Configuration configuration, long index) {
        return new Configurations(latest, latestIndex, configuration, index);
    }

    /** The commit index reached {@code commitIndex}: the latest configuration is committed if covered. */
    public Configurations committedThrough(long commitIndex) {
        if (latestIndex <= commitIndex && committedIndex != latestIndex) {
            return new Configurations(latest, latestIndex, latest, latestIndex);
        }
        return this;
    }

    /**
     * The log was truncated from {@code index} on: if that removed the latest configuration entry, fall back
     * to the committed one.
     */
    public Configurations truncatedFrom(long index) {
        if (index <= latestIndex) {
            return new Configurations(committed, committedIndex, committed, committedIndex);
        }
        return this;
    }

    /** Whether the latest configuration is committed. */
    public boolean isStable() {
        return latestIndex == committedIndex;
    }
}
