package io.flotilla.raft.rocksdb;

import java.io.IOException;

/**
 * Thrown when {@link RocksDbStore} finds stored data damaged — a log entry or stable value whose checksum,
 * structure or position is wrong, or a RocksDB block or file that RocksDB itself reports as corrupt. The
 * message names what was being read (for a log entry, its index). The store never returns damaged data in
 * place of this exception.
 */
public class StoreCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message saying what is damaged and how it was noticed. */
    public StoreCorruptedException(String message) {
        super(message);
    }

    /** An exception with a message and the lower-level error (usually RocksDB's) that revealed the damage. */
    public StoreCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
