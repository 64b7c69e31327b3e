package io.flotilla.raft.rocksdb;

import io.flotilla.raft.storage.StableStore;
import io.flotilla.raft.testkit.storage.StableStoreConformanceTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

/** Runs the stable store contract against {@link RocksDbStore}, reopening the same directory for the durability tests. */
class RocksDbStableStoreConformanceTest extends StableStoreConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected StableStore newStore() throws Exception {
        return RocksDbStore.open(dir);
    }

    @Override
    protected Optional<StableStore> reopen(StableStore store) throws Exception {
        ((RocksDbStore) store).close();
        return Optional.of(RocksDbStore.open(dir));
    }
}
