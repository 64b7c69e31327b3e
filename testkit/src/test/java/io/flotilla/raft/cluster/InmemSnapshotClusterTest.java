package io.flotilla.raft.cluster;

import io.flotilla.raft.testkit.suites.SnapshotClusterSuite;

/** SnapshotClusterSuite over in-memory stores. */
class InmemSnapshotClusterTest extends SnapshotClusterSuite {
}
