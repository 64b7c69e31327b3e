package io.flotilla.raft.rocksdb.cluster;

import io.flotilla.raft.rocksdb.RocksDbStore;
import io.flotilla.raft.testkit.cluster.Cluster;
import io.flotilla.raft.testkit.suites.RaftClusterSuite;

/** RaftClusterSuite with every node on a RocksDB log and stable store (synced writes, real files). */
class RocksDbRaftClusterTest extends RaftClusterSuite {
    @Override
    protected Cluster.Options options() {
        return Cluster.options()
                .stores((id, dir) -> {
                    RocksDbStore store = RocksDbStore.open(dir);
                    return new Cluster.NodeStores(store, store, store);
                })
                // An fsync can outlast the in-memory transport's 50 ms default on a busy disk.
                .transportTimeout(java.time.Duration.ofMillis(500));
    }
}
