package io.flotilla.bench;

import io.flotilla.raft.rocksdb.RocksDbStoreConfig;
import io.flotilla.raft.rocksdb.TemporaryRocksDbStores;
import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;

import java.io.IOException;

/**
 * A store for the benchmarks to run against, by name: {@code inmem} ({@link InmemStore}) or {@code rocksdb}
 * (a {@link io.flotilla.raft.rocksdb.RocksDbStore} with its default sizes, in a temporary directory that
 * {@link #close()} deletes).
 */
public final class BenchStore implements AutoCloseable {
    /** The names {@link #open(String)} accepts, as used in the benchmarks' {@code @Param}. */
    public static final String INMEM = "inmem";
    /** See {@link #INMEM}. */
    public static final String ROCKSDB = "rocksdb";

    private final LogStore log;
    private final StableStore stable;
    private final TemporaryRocksDbStores rocks;

    private BenchStore(LogStore log, StableStore stable, TemporaryRocksDbStores rocks) {
        this.log = log;
        this.stable = stable;
        this.rocks = rocks;
    }

    /** Opens a new, empty store of the named kind. */
    public static BenchStore open(String kind) throws IOException {
        switch (kind) {
            case INMEM -> {
                InmemStore store = new InmemStore();
                return new BenchStore(store, store, null);
            }
            case ROCKSDB -> {
                TemporaryRocksDbStores stores = TemporaryRocksDbStores.create(RocksDbStoreConfig.defaults());
                try {
                    var store = stores.open("bench");
                    return new BenchStore(store, store, stores);
                } catch (IOException | RuntimeException e) {
                    stores.close();
                    throw e;
                }
            }
            default -> throw new IllegalArgumentException("unknown store '" + kind + "'; use " + INMEM + " or " + ROCKSDB);
        }
    }

    /** The store as a log store. */
    public LogStore log() {
        return log;
    }

    /** The store as a stable store. */
    public StableStore stable() {
        return stable;
    }

    @Override
    public void close() throws IOException {
        if (rocks != null) {
            rocks.close();
        }
    }
}
