package io.flotilla.raft.cluster;

import io.flotilla.raft.testkit.suites.RaftClusterSuite;

/** RaftClusterSuite over in-memory stores. */
class InmemRaftClusterTest extends RaftClusterSuite {
}
