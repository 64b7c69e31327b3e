package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogStore;

import java.util.Optional;

/** Runs the log store contract against {@link InmemStore}. */
class InmemLogStoreConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore newStore() {
        return new InmemStore();
    }

    /** Memory is "the same data" for as long as the object lives, which exercises the reopen tests. */
    @Override
    protected Optional<LogStore> reopen(LogStore store) {
        return Optional.of(store);
    }
}
