package io.flotilla.raft.rocksdb;

/**
 * The memory a {@link RocksDbStore} may use; everything else about the database is fixed by the store (see its
 * class documentation for why each option is set as it is).
 *
 * @param memtableBytes   size of one log memtable (RocksDB's {@code write_buffer_size}); up to three may exist at
 *                        once while one is being flushed. The newest entries, which followers and the FSM read,
 *                        are served from memtables.
 * @param blockCacheBytes capacity of the block cache shared by both column families; it only serves reads of
 *                        entries already flushed to SST files (a follower catching up from far behind)
 */
public record RocksDbStoreConfig(long memtableBytes, long blockCacheBytes) {
    private static final long MIB = 1L << 20;

    /** Validates the sizes. */
    public RocksDbStoreConfig {
        if (memtableBytes < 64 * 1024) {
            throw new IllegalArgumentException("memtableBytes must be at least 64 KiB, was " + memtableBytes);
        }
        if (blockCacheBytes < 0) {
            throw new IllegalArgumentException("blockCacheBytes must not be negative, was " + blockCacheBytes);
        }
    }

    /** 16 MiB memtables and an 8 MiB block cache: comfortably more than a Raft log keeps between snapshots. */
    public static RocksDbStoreConfig defaults() {
        return new RocksDbStoreConfig(16 * MIB, 8 * MIB);
    }

    /** This configuration with another memtable size. */
    public RocksDbStoreConfig withMemtableBytes(long bytes) {
        return new RocksDbStoreConfig(bytes, blockCacheBytes);
    }

    /** This configuration with another block cache capacity. */
    public RocksDbStoreConfig withBlockCacheBytes(long bytes) {
        return new RocksDbStoreConfig(memtableBytes, bytes);
    }
}
