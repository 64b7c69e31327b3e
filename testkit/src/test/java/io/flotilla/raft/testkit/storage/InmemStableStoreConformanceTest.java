package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.StableStore;

import java.util.Optional;

/** Runs the stable store contract against {@link InmemStore}. */
class InmemStableStoreConformanceTest extends StableStoreConformanceTest {
    @Override
    protected StableStore newStore() {
        return new InmemStore();
    }

    @Override
    protected Optional<StableStore> reopen(StableStore store) {
        return Optional.of(store);
    }
}
