package io.flotilla.raft.testkit.cluster;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.ConfigurationStore;

/** A {@link MockFsm} that also records every committed configuration (hashicorp's {@code MockFSMConfigStore}). */
public class MockFsmConfigStore extends MockFsm implements ConfigurationStore {
    @Override
    public void storeConfiguration(long index, Configuration configuration) {
        addConfiguration(configuration);
    }
}
