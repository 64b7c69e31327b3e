package io.flotilla.raft.rocksdb;

import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.testkit.storage.LogStoreConformanceTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

/** Runs the log store contract against {@link RocksDbStore}, reopening the same directory for the durability tests. */
class RocksDbLogStoreConformanceTest extends LogStoreConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected LogStore newStore() throws Exception {
        return RocksDbStore.open(dir);
    }

    @Override
    protected Optional<LogStore> reopen(LogStore store) throws Exception {
        ((RocksDbStore) store).close();
        return Optional.of(RocksDbStore.open(dir));
    }
}
