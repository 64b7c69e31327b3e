package io.flotilla.raft;

/**
 * Snapshot format versions: 0 carries only the legacy peers blob; 1 adds the configuration and its index.
 * Flotilla writes version 1 and reads both.
 */
public final class SnapshotVersion {
    /** The oldest version understood. */
    public static final int MIN = 0;
    /** The version written. */
    public static final int MAX = 1;

    private SnapshotVersion() {
    }
}
