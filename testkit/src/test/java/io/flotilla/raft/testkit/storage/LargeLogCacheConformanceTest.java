package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogCache;
import io.flotilla.raft.storage.LogStore;

/** Runs the log store contract against a {@link LogCache} big enough that most reads are hits. */
class LargeLogCacheConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore newStore() {
        return new LogCache(1024, new InmemStore());
    }
}
