package io.flotilla.raft.cluster;

import io.flotilla.raft.testkit.suites.LeadershipTransferClusterSuite;

/** LeadershipTransferClusterSuite over in-memory stores. */
class InmemLeadershipTransferClusterTest extends LeadershipTransferClusterSuite {
}
