package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogCache;
import io.flotilla.raft.storage.LogStore;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the log store contract against a {@link LogCache} too small for most tests, so reads mix hits,
 * misses and slots reused by later indexes; reopening puts a cold cache over the same backing store.
 */
class SmallLogCacheConformanceTest extends LogStoreConformanceTest {
    private static final int CAPACITY = 4;
    private final Map<LogStore, LogStore> backing = new IdentityHashMap<>();

    @Override
    protected LogStore newStore() {
        return cacheOver(new InmemStore());
    }

    @Override
    protected Optional<LogStore> reopen(LogStore store) {
        return Optional.of(cacheOver(backing.get(store)));
    }

    private LogStore cacheOver(LogStore store) {
        LogCache cache = new LogCache(CAPACITY, store);
        backing.put(cache, store);
        return cache;
    }
}
