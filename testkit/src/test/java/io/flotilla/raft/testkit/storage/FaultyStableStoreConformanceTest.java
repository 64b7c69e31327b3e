package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.StableStore;

/** While no fault is armed, {@link FaultyStableStore} must be invisible: it meets the full contract. */
class FaultyStableStoreConformanceTest extends StableStoreConformanceTest {
    @Override
    protected StableStore newStore() {
        return new FaultyStableStore(new InmemStore());
    }
}
