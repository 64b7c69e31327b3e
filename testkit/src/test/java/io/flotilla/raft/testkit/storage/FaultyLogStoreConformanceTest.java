package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogStore;

/** While no fault is armed, {@link FaultyLogStore} must be invisible: it meets the full contract. */
class FaultyLogStoreConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore newStore() {
        return new FaultyLogStore(new InmemStore());
    }
}
